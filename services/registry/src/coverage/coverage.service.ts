import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { scopePrefix, type Principal } from '@kkb/auth';
import { ProblemException } from '@kkb/platform';
import { LEVELS, requireRegionCode, type RegionLevel } from '../region/region-code';
import type { RegionView } from '../region/region-view';
import { RegionService, underPattern } from '../region/region.service';
import { CoverageRepository, type CountRow, type KampungFilter } from './coverage.repository';
import type { CoverageTrendView } from './coverage.view';

export interface Coverage {
  code: string | null;
  name: string;
  level: RegionLevel | 'nation';
  /** Active villages (desa and kelurahan): the target is a Kampung KB in each. */
  villages: number;
  /** Villages with an active Kampung KB. */
  kampung: number;
  /** kampung ÷ villages × 100, two decimals. */
  percent: number;
  /** Villages still without a Kampung KB. */
  gap: number;
}

function coverage(
  code: string | null,
  name: string,
  level: Coverage['level'],
  villages: number,
  kampung: number,
): Coverage {
  return {
    code,
    name,
    level,
    villages,
    kampung,
    percent: villages ? Math.round((kampung / villages) * 10000) / 100 : 0,
    gap: villages - kampung,
  };
}

const fromRow = (r: CountRow) => coverage(r.code, r.name, LEVELS[r.level - 1], r.villages, r.kampung);

/**
 * Coverage of the target "every village a Kampung KB" for a region or the nation, read from the
 * trigger-kept counters (coverage_count): the nation is the sum of 38 province rows.
 */
@Injectable()
export class CoverageService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly regions: RegionService,
    private readonly repository: CoverageRepository,
  ) {}

  /**
   * The region a coverage read is about: the one asked for (which must lie within the caller's
   * scope), else the caller's scope; null for the nation.
   */
  private async scopedRegion(regionCode: string | undefined, user: Principal): Promise<RegionView | null> {
    const scope = scopePrefix(user);
    const code = regionCode ?? (scope || undefined);
    if (!code) return null;
    const parsed = requireRegionCode(code, 'region');
    if (scope && !parsed.compact.startsWith(scope)) {
      throw new ProblemException(
        403,
        'out-of-scope',
        'Forbidden',
        `region ${parsed.dotted} is outside your scope ${scope}`,
      );
    }
    const region = await this.regions.find(parsed.dotted);
    if (!region) throw ProblemException.notFound(`Region ${parsed.dotted}`);
    return region;
  }

  async get(
    regionCode: string | undefined,
    breakdown: boolean,
    user: Principal,
  ): Promise<Coverage & { children?: Coverage[] }> {
    const region = await this.scopedRegion(regionCode, user);
    if (!region) {
      const provinces = await this.repository.provinceCounts(this.ds.manager);
      const total = coverage(
        null,
        'Indonesia',
        'nation',
        provinces.reduce((a, r) => a + r.villages, 0),
        provinces.reduce((a, r) => a + r.kampung, 0),
      );
      return breakdown ? { ...total, children: provinces.map(fromRow) } : total;
    }
    if (region.level === 'village') {
      const n = await this.repository.activeKampungIn(this.ds.manager, region.code);
      return coverage(region.code, region.name, 'village', region.active ? 1 : 0, n);
    }
    const own = await this.repository.regionCount(this.ds.manager, region.code);
    const total = fromRow(
      own ?? {
        code: region.code,
        name: region.name,
        level: LEVELS.indexOf(region.level) + 1,
        villages: 0,
        kampung: 0,
      },
    );
    if (!breakdown) return total;
    if (region.level !== 'district')
      return {
        ...total,
        children: (
          await this.repository.childCounts(
            this.ds.manager,
            underPattern(region.code),
            region.level === 'province' ? 5 : 8,
          )
        ).map(fromRow),
      };
    // A district's children are villages: each counts 1 village and 0 or 1 kampung.
    const villages = await this.repository.villageCounts(this.ds.manager, underPattern(region.code));
    return { ...total, children: villages.map(fromRow) };
  }

  /** Active Kampung KB of the region (or the nation) counted cumulatively by launch month. */
  async trend(regionCode: string | undefined, user: Principal): Promise<CoverageTrendView> {
    const region = await this.scopedRegion(regionCode, user);
    const filter: KampungFilter = !region
      ? null
      : region.level === 'village'
        ? { village: region.code }
        : { under: underPattern(region.code) };
    return {
      region: region?.code ?? null,
      months: await this.repository.cumulativeByLaunchMonth(this.ds.manager, filter),
    };
  }
}
