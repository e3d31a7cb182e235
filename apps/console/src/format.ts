// Numbers and dates in the console's language: id-ID by default (1.234,5; 15,2%; 3 Jan 2025),
// en-GB for English. Pure functions over Intl; the language comes from i18next unless given.
import i18next from 'i18next';

const LOCALES: Record<string, string> = { id: 'id-ID', en: 'en-GB' };

export function localeOf(lang?: string): string {
  const l = (lang ?? i18next.language ?? 'id').slice(0, 2);
  return LOCALES[l] ?? 'id-ID';
}

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key) as Intl.NumberFormat | undefined;
  if (!f) cache.set(key, (f = new Intl.NumberFormat(locale, options)));
  return f;
}
function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) cache.set(key, (f = new Intl.DateTimeFormat(locale, options)));
  return f;
}

const DASH = '–';

/** 83762 -> "83.762" (id) / "83,762" (en); null or NaN -> an en dash. */
export function formatNumber(
  value: number | null | undefined,
  maximumFractionDigits = 0,
  lang?: string,
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return numberFormat(localeOf(lang), { maximumFractionDigits }).format(value);
}

/** A decimal with a fixed number of digits: 3.5 -> "3,50" (scores, indices). */
export function formatDecimal(value: number | null | undefined, digits = 2, lang?: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return numberFormat(localeOf(lang), {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

/**
 * A percentage given in percent points (15.234 -> "15,2%"), as the coverage API returns it.
 * Pass `{ ratio: true }` for a 0..1 fraction.
 */
export function formatPercent(
  value: number | null | undefined,
  options: { digits?: number; ratio?: boolean; lang?: string } = {},
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const digits = options.digits ?? 1;
  const fraction = options.ratio ? value : value / 100;
  return numberFormat(localeOf(options.lang), {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(fraction);
}

function toDate(value: string | number | Date): Date {
  if (value instanceof Date) return value;
  // A bare date ('2025-01-03') is a calendar day, not UTC midnight shifted into another day.
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split('-').map(Number);
    return new Date(y, m - 1, d);
  }
  return new Date(value);
}

/** "3 Jan 2025" (id: "3 Jan 2025"); with `time: true` also hours and minutes. */
export function formatDate(
  value: string | number | Date | null | undefined,
  options: { time?: boolean; lang?: string } = {},
): string {
  if (value === null || value === undefined || value === '') return DASH;
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) return DASH;
  return dateFormat(localeOf(options.lang), {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    ...(options.time ? { hour: '2-digit', minute: '2-digit' } : {}),
  }).format(date);
}

/** A month 'YYYY-MM' as "Jan 2025" (short) or "Januari 2025" (long). */
export function formatMonth(
  month: string | null | undefined,
  options: { long?: boolean; lang?: string } = {},
): string {
  if (!month) return DASH;
  const m = /^(\d{4})-(\d{2})/.exec(month);
  if (!m) return DASH;
  const date = new Date(Number(m[1]), Number(m[2]) - 1, 1);
  return dateFormat(localeOf(options.lang), {
    month: options.long ? 'long' : 'short',
    year: 'numeric',
  }).format(date);
}
