import type { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '@kkb/auth';
import { isTimestampText, VILLAGE_CODE } from '@kkb/contracts';
import { decodeCursor, encodeCursor, UNSTORABLE } from '@kkb/platform';
import { scopedRegion, villagePattern } from '../common/region';
import { csvStream, EXPORT_BATCH, xlsxStream } from './kampung-levels.export';
import type {
  KampungLevelsExportQuery,
  KampungLevelsFilter,
  KampungLevelSort,
  KampungLevelsQuery,
} from './kampung-levels.query';
import {
  KampungLevelsRepository,
  type KampungLevelRow,
  type KampungLevelsWhere,
} from './kampung-levels.repository';
import type { KampungLevelPageView, KampungLevelView, KampungPointsView } from './kampung-levels.view';

/** Whether a cursor key value is one the sort could have produced (it goes to SQL as a parameter). */
const KEY_CHECKS: Record<KampungLevelSort, ((v: unknown) => boolean)[]> = {
  name: [(v) => typeof v === 'string' && v.length <= 200 && !UNSTORABLE.test(v)],
  village: [(v) => typeof v === 'string' && VILLAGE_CODE.test(v)],
  level: [
    (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 4,
    (v) => typeof v === 'string' && v.length <= 200 && !UNSTORABLE.test(v),
  ],
  evaluatedAt: [(v) => v === '-infinity' || isTimestampText(v)],
};

export interface KampungLevelsExport {
  stream: Readable;
  contentType: string;
  filename: string;
}

const toView = (r: KampungLevelRow): KampungLevelView => ({
  kampungId: r.kampungId,
  name: r.name,
  villageCode: r.villageCode,
  level: r.level,
  ruleSetVersion: r.ruleSetVersion,
  evaluatedAt: r.evaluatedAt ? new Date(r.evaluatedAt).toISOString() : null,
  scores:
    r.input === null || r.process === null || r.output === null
      ? null
      : { input: r.input, process: r.process, output: r.output },
  modelRegency: r.modelRegency,
  modelProvince: r.modelProvince,
  latitude: r.latitude,
  longitude: r.longitude,
  active: r.active,
});

/**
 * The kampung with their current levels, for the console's list, map and exports: always inside
 * the caller's scope (a region outside it is refused, none means the whole scope).
 */
@Injectable()
export class KampungLevelsService {
  private readonly logger = new Logger(KampungLevelsService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: KampungLevelsRepository,
  ) {}

  private where(f: KampungLevelsFilter, user: Principal): { where: KampungLevelsWhere; region: string } {
    const region = scopedRegion(f.region, user);
    const q = f.q?.trim();
    return {
      region,
      where: {
        villagePattern: villagePattern(region),
        levels: f.level,
        assessed: f.assessed,
        model: f.model,
        q: q || undefined,
        active: f.active ?? true,
      },
    };
  }

  /** The cursor's key, checked: issued for this sort and order, each value of the right kind. */
  private after(q: KampungLevelsQuery): { keys: unknown[]; kampungId: string } | null {
    const key = decodeCursor(q.cursor, [
      (v) => v === q.sort,
      (v) => v === q.order,
      ...KEY_CHECKS[q.sort],
      'uuid',
    ] as const);
    if (!key) return null;
    const rest = key.slice(2);
    return { keys: rest.slice(0, -1), kampungId: rest[rest.length - 1] as string };
  }

  async list(q: KampungLevelsQuery, user: Principal): Promise<KampungLevelPageView> {
    const { where } = this.where(q, user);
    const rows = await this.repo.page(this.ds.manager, where, q.sort, q.order, this.after(q), q.limit);
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    const keyOf = (r: KampungLevelRow) => {
      const k = q.sort === 'level' ? [Number(r.k0), r.k1] : [r.k0];
      return [q.sort, q.order, ...k, r.kampungId];
    };
    return {
      items: items.map(toView),
      nextCursor: rows.length > q.limit ? encodeCursor(keyOf(last)) : null,
    };
  }

  async points(f: KampungLevelsFilter, user: Principal): Promise<KampungPointsView> {
    const { where } = this.where(f, user);
    return { items: await this.repo.points(this.ds.manager, where) };
  }

  /**
   * Every matching row, streamed from a server-side cursor in batches of EXPORT_BATCH: neither
   * the service nor the client ever holds the whole list. The cursor is open before this returns,
   * so a failure to start is still an ordinary problem response.
   */
  async export(q: KampungLevelsExportQuery, user: Principal): Promise<KampungLevelsExport> {
    const { where, region } = this.where(q, user);
    const qr = this.ds.createQueryRunner();
    let closed = false;
    const done = async () => {
      if (closed) return;
      closed = true;
      await this.repo.closeCursor(qr).catch((err: Error) => {
        this.logger.warn({ err: err.message }, 'closing the export cursor failed');
      });
    };
    try {
      await qr.connect();
      await this.repo.openCursor(qr, where, q.sort, q.order);
    } catch (err) {
      await done();
      throw err;
    }
    const next = () => this.repo.fetch(qr, EXPORT_BATCH);
    const day = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10).replace(/-/g, '');
    const filename = `kampung-kb-${region || 'nasional'}-${day}.${q.format}`;
    if (q.format === 'csv')
      return {
        stream: csvStream(next, done),
        contentType: 'text/csv; charset=utf-8; header=present',
        filename,
      };
    return {
      stream: xlsxStream(next, done, (err) =>
        this.logger.error({ err: err.message }, 'the XLSX export stopped midway'),
      ),
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      filename,
    };
  }
}
