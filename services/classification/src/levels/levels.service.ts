import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '@kkb/auth';
import { ProblemException } from '@kkb/platform';
import { dottedRegion, scopedRegion, villagePattern } from '../common/region';
import { LEVELS, type Level } from '../rule-set/rule-set.definition';
import { LevelsRepository } from './levels.repository';

type RegionLevel = 'nation' | 'province' | 'regency' | 'district' | 'village';

export interface LevelCounts {
  region: string | null;
  regionLevel: RegionLevel;
  /** Active kampung in the region. */
  kampung: number;
  /** Of those, kampung with a level (a verified profile). */
  assessed: number;
  notAssessed: number;
  /** assessed ÷ kampung × 100, two decimals. */
  coverage: number;
  levels: Record<Level, number>;
}

export interface MonthLevels {
  month: string;
  assessed: number;
  levels: Record<Level, number>;
}

const REGION_LEVELS: Record<number, RegionLevel> = {
  2: 'province',
  4: 'regency',
  6: 'district',
  10: 'village',
};
/** Dotted length of the children's codes by the compact length of the region, and their level. */
const CHILD_LEVELS: Record<number, RegionLevel> = {
  2: 'province',
  5: 'regency',
  8: 'district',
  13: 'village',
};
const CHILD_LENGTH: Record<number, number> = { 0: 2, 2: 5, 4: 8, 6: 13, 10: 13 };

const dotted = dottedRegion;

const emptyLevels = (): Record<Level, number> => ({ dasar: 0, berkembang: 0, mandiri: 0, berkelanjutan: 0 });

function counts(
  region: string | null,
  regionLevel: RegionLevel,
  rows: { level: Level | null; n: number }[],
): LevelCounts {
  const levels = emptyLevels();
  let kampung = 0;
  for (const r of rows) {
    kampung += r.n;
    if (r.level) levels[r.level] += r.n;
  }
  const assessed = LEVELS.reduce((a, l) => a + levels[l], 0);
  return {
    region,
    regionLevel,
    kampung,
    assessed,
    notAssessed: kampung - assessed,
    coverage: kampung ? Math.round((assessed / kampung) * 10000) / 100 : 0,
    levels,
  };
}

/**
 * Kampung per level for a region or the nation, and the distribution month by month. Down to a
 * regency, a sum of the per-regency counters the triggers keep; below, one grouped count over the
 * projection and the current levels (indexed, no per-kampung work in Node).
 */
@Injectable()
export class LevelsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: LevelsRepository,
  ) {}

  async levels(
    code: string | undefined,
    breakdown: boolean,
    user: Principal,
  ): Promise<LevelCounts & { children?: LevelCounts[] }> {
    const compact = scopedRegion(code, user);
    const childLength = breakdown ? CHILD_LENGTH[compact.length] : 0;
    // The nation, a province and a regency (with children down to regencies) from the per-regency
    // counters; below that from the projection (a regency has a few hundred kampung).
    const rows =
      compact.length <= 4 && childLength <= 5
        ? await this.repo.countedByChild(this.ds.manager, dotted(compact), childLength)
        : await this.repo.countsByChild(this.ds.manager, villagePattern(compact), childLength);
    const total = counts(compact ? dotted(compact) : null, REGION_LEVELS[compact.length] ?? 'nation', rows);
    if (!breakdown) return total;
    const byChild = new Map<string, typeof rows>();
    for (const r of rows) byChild.set(r.child, [...(byChild.get(r.child) ?? []), r]);
    const childLevel = CHILD_LEVELS[childLength];
    return { ...total, children: [...byChild].map(([child, list]) => counts(child, childLevel, list)) };
  }

  async history(
    code: string | undefined,
    from: string | undefined,
    to: string | undefined,
    user: Principal,
  ): Promise<{ region: string | null; from: string; to: string; months: MonthLevels[] }> {
    const compact = scopedRegion(code, user);
    const now = new Date(Date.now() + 7 * 3600 * 1000); // Asia/Jakarta
    const last = to ?? now.toISOString().slice(0, 7);
    const first = from ?? monthsBefore(last, 11);
    const span = monthIndex(last) - monthIndex(first);
    if (span < 0)
      throw ProblemException.validation([
        { field: 'from', reason: 'from must not be after to' },
        { field: 'to', reason: 'to must not be before from' },
      ]);
    if (span >= 120)
      throw ProblemException.validation([{ field: 'from', reason: 'at most 120 months at once' }]);
    // Each run of a level (from its month to the kampung's next change) adds 1 to that level at
    // its first month in range and takes it away at the change: the distribution of month m is
    // the running sum of those changes up to m. One pass over the rows, whatever the span.
    // Down to a regency from the per-regency monthly counters (the same changes, pre-summed).
    const rows =
      compact.length <= 4
        ? await this.repo.countedMonthlyChanges(this.ds.manager, dotted(compact), first, last)
        : await this.repo.monthlyChanges(this.ds.manager, villagePattern(compact), first, last);
    const changes = new Map<string, { level: Level; n: number }[]>();
    for (const r of rows) changes.set(r.month, [...(changes.get(r.month) ?? []), r]);
    const months: MonthLevels[] = [];
    const levels = emptyLevels();
    for (let i = 0; i <= span; i++) {
      const month = monthsBefore(last, span - i);
      for (const r of changes.get(month) ?? []) levels[r.level] = r.n;
      months.push({ month, assessed: LEVELS.reduce((a, l) => a + levels[l], 0), levels: { ...levels } });
    }
    return { region: compact ? dotted(compact) : null, from: first, to: last, months };
  }
}

const monthIndex = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
function monthsBefore(m: string, n: number): string {
  const i = monthIndex(m) - n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}
