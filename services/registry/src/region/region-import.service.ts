import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { NATIONAL_PROVINCE, regionsImportedV1, type RegionsImportedV1 } from '@kkb/contracts';
import { OutboxService } from '@kkb/messaging';
import { ProblemException } from '@kkb/platform';
import { kindOf, parentOf, parseRegionCode, searchForm } from './region-code';
import type { RegionSource } from './region-source';
import { RegionRepository } from './region.repository';
import { schemaOf } from '@kkb/persistence';

export interface RegionImportResult extends RegionsImportedV1 {
  ms: number;
}

const CHUNK = 20000;

interface ImportOptions {
  /** Only when the table is empty (the start-up import of each replica). */
  onlyIfEmpty?: boolean;
  /** Refuse (409) rather than wait when another import runs. */
  exclusive?: boolean;
  /** With `exclusive`: import even when the active regions already come from this source. */
  force?: boolean;
}

/**
 * Brings the region table in line with a source, in one transaction: new codes inserted, renamed
 * ones updated, vanished ones marked inactive (never deleted: kampung refer to them), and one
 * `regions imported` event. Re-running with the same source changes nothing but the event.
 */
@Injectable()
export class RegionImportService {
  private readonly logger = new Logger(RegionImportService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly outbox: OutboxService,
    private readonly repository: RegionRepository,
  ) {}

  /** Whether any region was ever imported. */
  async isEmpty(): Promise<boolean> {
    return this.repository.isEmpty(this.ds.manager);
  }

  /** Imports only when no region exists yet, deciding under the import lock (replicas may race). */
  async importIfEmpty(source: RegionSource): Promise<RegionImportResult | null> {
    return this.import(source, { onlyIfEmpty: true });
  }

  /**
   * The import an officer asks for (POST /regions/import): refused with 409, before the source is
   * even loaded, while another import runs and when the active regions already come from this very
   * source (an accidental re-run costs seconds of CPU and changes nothing), unless `force`.
   */
  async importRequested(source: RegionSource, force: boolean): Promise<RegionImportResult> {
    if (!force) await this.refuseSameSource(this.ds.manager, source);
    return this.import(source, { exclusive: true, force });
  }

  async import(
    source: RegionSource,
    opts: ImportOptions & { onlyIfEmpty: true },
  ): Promise<RegionImportResult | null>;
  async import(
    source: RegionSource,
    opts?: ImportOptions & { onlyIfEmpty?: false },
  ): Promise<RegionImportResult>;
  async import(source: RegionSource, opts: ImportOptions = {}): Promise<RegionImportResult | null> {
    const started = Date.now();
    if (opts.onlyIfEmpty && !(await this.isEmpty())) return null;
    if (opts.exclusive && (await this.running())) throw this.alreadyRunning();
    const rows = await source.load();
    const seen = new Set<string>();
    const cols = {
      code: [] as string[],
      compact: [] as string[],
      name: [] as string[],
      search: [] as string[],
      level: [] as number[],
      kind: [] as string[],
      parent: [] as (string | null)[],
    };
    for (const r of rows) {
      const p = parseRegionCode(r.code);
      if (!p || p.dotted !== r.code)
        throw new Error(`${source.name}: '${r.code}' is not a dotted region code`);
      if (seen.has(p.dotted)) throw new Error(`${source.name}: code ${p.dotted} appears twice`);
      seen.add(p.dotted);
      cols.code.push(p.dotted);
      cols.compact.push(p.compact);
      cols.name.push(r.name.trim());
      cols.search.push(searchForm(r.name));
      cols.level.push(p.levelNumber);
      cols.kind.push(kindOf(p.dotted));
      cols.parent.push(parentOf(p.dotted));
    }
    for (const [i, parent] of cols.parent.entries()) {
      if (parent && !seen.has(parent))
        throw new Error(`${source.name}: ${cols.code[i]} has no parent ${parent} in the source`);
    }

    const result = await this.ds.transaction(async (m) => {
      if (opts.exclusive) {
        if (!(await this.repository.tryLock(m, this.lockKey(m)))) throw this.alreadyRunning();
        if (!opts.force) await this.refuseSameSource(m, source);
      } else {
        await this.repository.lock(m, this.lockKey(m));
      }
      if (opts.onlyIfEmpty && (await this.repository.any(m))) return null;
      await this.repository.createImportTable(m);
      for (let i = 0; i < cols.code.length; i += CHUNK) {
        const sl = <T>(a: T[]) => a.slice(i, i + CHUNK);
        await this.repository.stage(m, {
          code: sl(cols.code),
          compact: sl(cols.compact),
          name: sl(cols.name),
          search: sl(cols.search),
          level: sl(cols.level),
          kind: sl(cols.kind),
          parent: sl(cols.parent),
        });
      }
      const upserted = await this.repository.upsertStaged(m, source.name);
      const deactivated = await this.repository.deactivateUnstaged(m);
      // The coverage counters follow kampung by trigger; villages change only here.
      await this.repository.recountCoverage(m);
      const counts = await this.repository.activeByLevel(m);
      const active = { provinces: 0, regencies: 0, districts: 0, villages: 0 };
      for (const c of counts)
        active[(['provinces', 'regencies', 'districts', 'villages'] as const)[c.level - 1]] = c.n;
      const data: RegionsImportedV1 = {
        source: source.name,
        active,
        inserted: upserted.filter((u) => u.inserted).length,
        updated: upserted.filter((u) => !u.inserted).length,
        deactivated,
      };
      await this.outbox.add(m, regionsImportedV1, { subject: 'regions', province: NATIONAL_PROVINCE, data });
      return data;
    });
    if (!result) return null;
    const ms = Date.now() - started;
    this.logger.log({ ...result, ms }, 'regions imported');
    return { ...result, ms };
  }

  private lockKey(m: EntityManager): string {
    return `kkb-region-import:${this.schema(m)}`;
  }

  /**
   * Whether an import holds the lock now (another request, replica or the start-up import): a
   * moment's try of the lock in a transaction of its own, released at once. Only spares loading
   * the source for nothing; the import's own transaction takes the lock for real.
   */
  private async running(): Promise<boolean> {
    return this.ds.transaction(async (m) => !(await this.repository.tryLock(m, this.lockKey(m))));
  }

  private alreadyRunning(): ProblemException {
    return ProblemException.conflict('a region import is already running; try again when it has finished');
  }

  private async refuseSameSource(m: EntityManager, source: RegionSource): Promise<void> {
    if (await this.repository.allActiveFrom(m, source.name)) {
      throw ProblemException.conflict(
        `the active regions already come from ${source.name}; importing it again changes nothing (send force=true to import anyway)`,
        [{ field: 'force', reason: `regions are already imported from ${source.name}` }],
      );
    }
  }

  private schema(m: EntityManager): string {
    return `${schemaOf(m)}`;
  }
}
