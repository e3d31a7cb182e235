import { useSyncExternalStore } from 'react';
import type { TFunction } from 'i18next';
import { formatMonth } from '../format';
import type { FieldReport } from './db';

function subscribeOnline(listener: () => void): () => void {
  window.addEventListener('online', listener);
  window.addEventListener('offline', listener);
  return () => {
    window.removeEventListener('online', listener);
    window.removeEventListener('offline', listener);
  };
}

/** Whether the browser has a connection (navigator.onLine), re-rendered when it changes. */
export function useOnline(): boolean {
  return useSyncExternalStore(
    subscribeOnline,
    () => navigator.onLine,
    () => true,
  );
}

export const periodKey = (p: { year: number; month: number }) =>
  `${p.year}-${String(p.month).padStart(2, '0')}`;

/** "Laporan bulanan Maret 2025 · Kampung KB Seroja". */
export function reportSubject(
  t: TFunction,
  r: Pick<FieldReport, 'kind' | 'period' | 'kampungName'>,
  lang?: string,
): string {
  return t('entry:subject', {
    kind: t(`entry:kind.${r.kind}`),
    period: formatMonth(periodKey(r.period), { long: true, lang }),
    kampung: r.kampungName,
  });
}
