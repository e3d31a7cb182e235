// Cascading region selects from the officer's scope down to the district (kecamatan): each
// lists the children of the one above it. The value is a dotted code, '' for the whole scope.
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, data } from '../api/client';
import type { RegionView } from '../api/views';
import { dottedRegion, useSession } from '../auth/session';

const LEVEL_OF_LENGTH: Record<number, RegionView['level']> = {
  2: 'province',
  5: 'regency',
  8: 'district',
  13: 'village',
};

function useChildren(parent: string) {
  return useQuery({
    queryKey: ['region', parent, 'children'],
    staleTime: Infinity,
    queryFn: async () => {
      if (parent === '') {
        return data<{ items: RegionView[] }>(
          await api.registry.GET('/api/v1/regions', { params: { query: { level: 'province', limit: 100 } } }),
        ).items;
      }
      return data<{ items: RegionView[] }>(
        await api.registry.GET('/api/v1/regions/{code}/children', {
          params: { path: { code: parent }, query: { limit: 500 } },
        }),
      ).items;
    },
  });
}

function Level({
  parent,
  value,
  onChange,
  idPrefix,
}: {
  parent: string;
  value: string;
  onChange: (code: string) => void;
  idPrefix: string;
}) {
  const { t } = useTranslation();
  const children = useChildren(parent);
  const childLevel =
    LEVEL_OF_LENGTH[parent === '' ? 2 : parent.length === 2 ? 5 : parent.length === 5 ? 8 : 13];
  const id = `${idPrefix}-${childLevel}`;
  return (
    <div className="field">
      <label htmlFor={id}>{t(`region.level.${childLevel}`)}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} disabled={children.isPending}>
        <option value="">{t('region.all')}</option>
        {(children.data ?? []).map((r) => (
          <option key={r.code} value={r.code}>
            {r.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Selects below the officer's scope, down to `depth` ('district' by default). */
export default function RegionPicker({
  value,
  onChange,
  idPrefix = 'region',
  deepest = 'district',
}: {
  value: string;
  onChange: (code: string) => void;
  idPrefix?: string;
  deepest?: 'province' | 'regency' | 'district';
}) {
  const { scope } = useSession();
  const root = dottedRegion(scope);
  const maxLength = { province: 2, regency: 5, district: 8 }[deepest];
  const selected = value && value.startsWith(root) ? value : root;
  // The parents whose children get a select: the scope, then each chosen level below it.
  const parents: string[] = [];
  for (const length of [0, 2, 5]) {
    if (length < root.length) continue;
    if (length >= maxLength) break;
    const parent = selected.slice(0, length);
    if (parent.length !== length) break;
    parents.push(parent);
  }
  return (
    <>
      {parents.map((parent) => {
        const childLength = parent === '' ? 2 : parent.length === 2 ? 5 : 8;
        const current = selected.length >= childLength ? selected.slice(0, childLength) : '';
        return (
          <Level
            key={parent || 'nation'}
            parent={parent}
            idPrefix={idPrefix}
            value={current}
            onChange={(code) => onChange(code || parent)}
          />
        );
      })}
    </>
  );
}
