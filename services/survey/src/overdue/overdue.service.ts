import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { provinceOf, reportOverdueV1 } from '@kkb/contracts';
import { MESSAGING_OPTIONS, OutboxService, type MessagingOptions } from '@kkb/messaging';
import { SERVICE_CONFIG } from '@kkb/platform';
import { CLOCK, type Clock } from '../common/clock';
import { overdueMonths } from '../common/period';
import type { SurveyConfig } from '../config/survey.config';
import { schemaOf } from '@kkb/persistence';

export interface OverdueRun {
  /** Report-overdue events this replica put into the outbox. */
  published: number;
  /** Another replica held the scan lock, so this one left the work to it. */
  skipped: boolean;
}

const BATCH = 1000;

/**
 * Publishes `report overdue` once per kampung and month whose monthly report is not submitted or
 * verified by the due day of the next month (Asia/Jakarta). Exactly once across restarts and
 * replicas: the report_overdue row (primary key kampung, year, month) and the event commit in one
 * transaction, and `ON CONFLICT DO NOTHING` decides who publishes. A transaction-scoped advisory
 * lock keeps replicas from scanning at the same time, which saves work but is not what makes it
 * exactly once.
 */
@Injectable()
export class OverdueService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OverdueService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private readonly s: string;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly outbox: OutboxService,
    @Inject(SERVICE_CONFIG) private readonly config: SurveyConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {
    this.s = schemaOf(ds);
  }

  onApplicationBootstrap(): void {
    const every = this.config.SURVEY_OVERDUE_CHECK_MS;
    if (!every) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runOnce()
        .catch((err: unknown) =>
          this.logger.warn({ err }, 'overdue check failed; trying again next interval'),
        )
        .finally(() => (this.running = undefined));
    }, every);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One scan as of `now`. `useLock: false` exists to show that the primary key alone suffices. */
  async runOnce(now: Date = this.clock.now(), opts: { useLock?: boolean } = {}): Promise<OverdueRun> {
    const months = overdueMonths(
      now,
      this.config.SURVEY_REPORT_DUE_DAY,
      this.config.SURVEY_OVERDUE_LOOKBACK_MONTHS,
    );
    let published = 0;
    for (;;) {
      const n = await this.batch(months, opts.useLock ?? true);
      if (n === null) return { published, skipped: true };
      published += n;
      if (n < BATCH) return { published, skipped: false };
    }
  }

  /** One transaction: claim up to BATCH overdue kampung-months and add their events; null without the lock. */
  private batch(
    months: { year: number; month: number; dueDate: string }[],
    useLock: boolean,
  ): Promise<number | null> {
    const s = this.s;
    return this.ds.transaction(async (m) => {
      if (useLock) {
        const [{ locked }] = await m.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [
          `kkb-survey-overdue:${this.options.schema}`,
        ]);
        if (!locked) return null;
      }
      const rows: {
        kampung_id: string;
        village_code: string;
        period_year: number;
        period_month: number;
        due_date: string;
        event_id: string;
        detected_at: Date;
      }[] = await m.query(
        `WITH t AS (
             SELECT * FROM unnest($1::int[], $2::int[], $3::date[]) AS t(y, m, due)
           ), cand AS (
             SELECT k.kampung_id, k.village_code, t.y, t.m, t.due
               FROM ${s}.kampung_projection k CROSS JOIN t
              WHERE k.active AND k.merged_into IS NULL
                AND make_date(t.y, t.m, 1) >= date_trunc('month', k.launch_date)::date
                AND NOT EXISTS (
                  SELECT 1 FROM ${s}.submission x
                   WHERE x.kampung_id = k.kampung_id AND x.kind = 'monthly-report'
                     AND x.period_year = t.y AND x.period_month = t.m
                     AND x.status <> 'superseded' AND x.status IN ('submitted', 'verified'))
                AND NOT EXISTS (
                  SELECT 1 FROM ${s}.report_overdue r
                   WHERE r.kampung_id = k.kampung_id AND r.period_year = t.y AND r.period_month = t.m)
              ORDER BY t.y, t.m, k.kampung_id
              LIMIT $4
           )
           INSERT INTO ${s}.report_overdue (kampung_id, period_year, period_month, village_code, due_date, event_id)
           SELECT kampung_id, y, m, village_code, due, gen_random_uuid() FROM cand
           ON CONFLICT DO NOTHING
           RETURNING kampung_id, village_code, period_year, period_month, to_char(due_date, 'YYYY-MM-DD') AS due_date,
                     event_id, detected_at`,
        [months.map((p) => p.year), months.map((p) => p.month), months.map((p) => p.dueDate), BATCH],
      );
      await this.outbox.addMany(
        m,
        rows.map((r) => ({
          contract: reportOverdueV1,
          event: {
            id: r.event_id,
            subject: `report/${r.kampung_id}/${r.period_year}-${String(r.period_month).padStart(2, '0')}`,
            province: provinceOf(r.village_code),
            data: {
              kampungId: r.kampung_id,
              villageCode: r.village_code,
              period: { year: Number(r.period_year), month: Number(r.period_month) },
              dueDate: r.due_date,
              detectedAt: r.detected_at.toISOString(),
            },
          },
        })),
      );
      return rows.length;
    });
  }
}
