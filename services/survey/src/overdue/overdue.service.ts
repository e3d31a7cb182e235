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
import { OverdueRepository } from './overdue.repository';

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

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: OverdueRepository,
    private readonly outbox: OutboxService,
    @Inject(SERVICE_CONFIG) private readonly config: SurveyConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

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
    return this.ds.transaction(async (m) => {
      if (useLock && !(await this.repo.tryScanLock(m, `kkb-survey-overdue:${this.options.schema}`)))
        return null;
      const rows = await this.repo.claimOverdue(m, months, BATCH);
      await this.outbox.addMany(
        m,
        rows.map((r) => ({
          contract: reportOverdueV1,
          event: {
            id: r.eventId,
            subject: `report/${r.kampungId}/${r.periodYear}-${String(r.periodMonth).padStart(2, '0')}`,
            province: provinceOf(r.villageCode),
            data: {
              kampungId: r.kampungId,
              villageCode: r.villageCode,
              period: { year: r.periodYear, month: r.periodMonth },
              dueDate: r.dueDate,
              detectedAt: r.detectedAt.toISOString(),
            },
          },
        })),
      );
      return rows.length;
    });
  }
}
