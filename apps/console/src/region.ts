import { useQuery } from '@tanstack/react-query';
import { api, data } from './api/client';
import { dottedRegion } from './auth/session';
import type { RegionView } from './api/views';

export type { RegionView };

/** A region by code (dotted or compact); '' is the nation and needs no lookup. */
export function useRegion(code: string | null | undefined) {
  const dotted = code ? dottedRegion(code) : '';
  return useQuery({
    queryKey: ['region', dotted],
    enabled: dotted !== '',
    staleTime: Infinity,
    queryFn: async () =>
      data<RegionView>(
        await api.registry.GET('/api/v1/regions/{code}', { params: { path: { code: dotted } } }),
      ),
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
      const page = data<{ items: RegionView[] }>(
        await api.registry.GET('/api/v1/regions/{code}/ancestors', { params: { path: { code: dotted } } }),
      );
      return page.items;
    },
  });
}
