import { useQuery } from '@tanstack/react-query';
import { api, data } from './api/client';
import { dottedRegion } from './auth/session';

export interface RegionView {
  code: string;
  compactCode: string;
  name: string;
  level: 'province' | 'regency' | 'district' | 'village';
  kind: string;
  parentCode: string | null;
  active: boolean;
}

/** A region by code (dotted or compact); '' is the nation and needs no lookup. */
export function useRegion(code: string | null | undefined) {
  const dotted = code ? dottedRegion(code) : '';
  return useQuery({
    queryKey: ['region', dotted],
    enabled: dotted !== '',
    staleTime: Infinity,
    queryFn: async () =>
      data(
        await api.registry.GET('/api/v1/regions/{code}', { params: { path: { code: dotted } } }),
      ) as RegionView,
  });
}

export function useRegionName(code: string | null | undefined): string | null {
  return useRegion(code).data?.name ?? null;
}

/** The region and its ancestors, top-down (province first), for breadcrumbs. */
export function useAncestors(code: string | null | undefined) {
  const dotted = code ? dottedRegion(code) : '';
  return useQuery({
    queryKey: ['region', dotted, 'ancestors'],
    enabled: dotted !== '',
    staleTime: Infinity,
    queryFn: async () => {
      const page = data(
        await api.registry.GET('/api/v1/regions/{code}/ancestors', { params: { path: { code: dotted } } }),
      ) as { items: RegionView[] };
      return page.items;
    },
  });
}
