import { ProblemException } from '@kkb/platform';

export type RegionLevel = 'province' | 'regency' | 'district' | 'village';
export type RegionKind = 'provinsi' | 'kabupaten' | 'kota' | 'kecamatan' | 'desa' | 'kelurahan' | 'desa_adat';

export const LEVELS: readonly RegionLevel[] = ['province', 'regency', 'district', 'village'];
const LENGTHS = [2, 4, 6, 10];

export interface ParsedCode {
  dotted: string;
  compact: string;
  level: RegionLevel;
  levelNumber: 1 | 2 | 3 | 4;
}

/** Accepts `16.10.05.2041` or `1610052041` (and shorter levels); null when it is neither. */
export function parseRegionCode(input: string): ParsedCode | null {
  const s = input.trim();
  let compact: string;
  if (/^\d+$/.test(s)) compact = s;
  else if (/^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$/.test(s)) compact = s.replace(/\./g, '');
  else return null;
  const idx = LENGTHS.indexOf(compact.length);
  if (idx < 0) return null;
  const parts = [compact.slice(0, 2), compact.slice(2, 4), compact.slice(4, 6), compact.slice(6, 10)].filter(
    Boolean,
  );
  return { dotted: parts.join('.'), compact, level: LEVELS[idx], levelNumber: (idx + 1) as 1 | 2 | 3 | 4 };
}

/** parseRegionCode that answers a malformed code with a 400 naming the field. */
export function requireRegionCode(input: string, field = 'code'): ParsedCode {
  const parsed = parseRegionCode(input);
  if (!parsed) {
    throw ProblemException.validation([
      {
        field,
        reason: `'${input}' is not a region code: use 2, 4, 6 or 10 digits, dotted (16.10.05.2041) or not (1610052041)`,
      },
    ]);
  }
  return parsed;
}

/** kabupaten 01–69, kota 71–99; kelurahan 1xxx, desa 2xxx, desa adat 3xxx. */
export function kindOf(code: string): RegionKind {
  const p = parseRegionCode(code);
  if (!p) throw new Error(`not a region code: ${code}`);
  switch (p.level) {
    case 'province':
      return 'provinsi';
    case 'regency':
      return Number(p.compact.slice(2, 4)) >= 71 ? 'kota' : 'kabupaten';
    case 'district':
      return 'kecamatan';
    case 'village': {
      const first = p.compact[6];
      return first === '1' ? 'kelurahan' : first === '3' ? 'desa_adat' : 'desa';
    }
  }
}

/** Lower case, diacritics stripped, spaces collapsed: the form names are searched in. */
export function searchForm(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function parentOf(dotted: string): string | null {
  const i = dotted.lastIndexOf('.');
  return i < 0 ? null : dotted.slice(0, i);
}

/** `16.10.05.2041` → [`16`, `16.10`, `16.10.05`]. */
export function ancestorsOf(dotted: string): string[] {
  const parts = dotted.split('.');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('.'));
}
