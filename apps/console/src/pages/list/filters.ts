// The list's filters: read from the URL, turned into the API's query (the export uses the same).
import { dottedRegion } from '../../region-code';
import { LEVELS, type Level } from '../../levels';

export const SORTS = ['name', 'village', 'level', 'evaluatedAt'] as const;
export type Sort = (typeof SORTS)[number];
export const PAGE_SIZE = 50;

export interface Filters {
  region: string;
  level: Level[];
  model: '' | 'true' | 'false';
  assessed: '' | 'true' | 'false';
  q: string;
  sort: Sort;
  order: 'asc' | 'desc';
}

export function readFilters(params: URLSearchParams, scope: string): Filters {
  const tri = (v: string | null): '' | 'true' | 'false' => (v === 'true' || v === 'false' ? v : '');
  const sort = params.get('sort');
  return {
    region: params.get('region') ?? dottedRegion(scope),
    level: (params.get('level') ?? '')
      .split(',')
      .filter((l): l is Level => (LEVELS as readonly string[]).includes(l)),
    model: tri(params.get('model')),
    assessed: tri(params.get('assessed')),
    q: params.get('q') ?? '',
    sort: (SORTS as readonly string[]).includes(sort ?? '') ? (sort as Sort) : 'name',
    order: params.get('order') === 'desc' ? 'desc' : 'asc',
  };
}

/** The API query for the filters (also the export's query string). */
export function filterQuery(f: Filters): Record<string, string> {
  const q: Record<string, string> = { sort: f.sort, order: f.order };
  if (f.region) q.region = f.region;
  if (f.level.length) q.level = f.level.join(',');
  if (f.model) q.model = f.model;
  if (f.assessed) q.assessed = f.assessed;
  if (f.q.trim()) q.q = f.q.trim();
  return q;
}

export function fileNameOf(response: Response, fallback: string): string {
  const cd = response.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  return plain ? plain[1] : fallback;
}
