import { IsBoolean, IsInt, IsNumber, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import { BaseServiceConfig, BoolEnv } from '@kkb/platform';

/** Delays in ms between attempts, comma-separated: one entry per retry after the first attempt. */
export const RETRY_SCHEDULE = /^\d{1,10}(,\d{1,10}){0,49}$/;

export class NotificationsConfig extends BaseServiceConfig {
  /**
   * Delays before each retry of a webhook delivery, in ms. The default (1 m, 5 m, 30 m, 2 h, 6 h,
   * 12 h, 24 h) gives 8 attempts spread over about 45 hours.
   */
  @Matches(RETRY_SCHEDULE, { message: 'must be comma-separated delays in ms, e.g. 60000,300000' })
  WEBHOOK_RETRY_SCHEDULE_MS: string = '60000,300000,1800000,7200000,21600000,43200000,86400000';

  /** Jitter: each delay is drawn from [delay × (1 − jitter), delay]; 1 is full jitter. */
  @IsNumber()
  @Min(0)
  @Max(1)
  WEBHOOK_RETRY_JITTER: number = 0.2;

  /** Time allowed for one attempt (connect, send, response headers and body). */
  @IsInt()
  @Min(100)
  @Max(120_000)
  WEBHOOK_TIMEOUT_MS: number = 10_000;

  /** Attempts in flight at once in one replica, across every endpoint. */
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_CONCURRENCY: number = 32;

  /** Attempts in flight at once to one subscription, across every replica: a hanging endpoint holds no more. */
  @IsInt()
  @Min(1)
  @Max(100)
  WEBHOOK_ENDPOINT_CONCURRENCY: number = 4;

  /** Failed attempts in a row (across deliveries) after which a subscription is paused. */
  @IsInt()
  @Min(1)
  @Max(100_000)
  WEBHOOK_PAUSE_AFTER_FAILURES: number = 50;

  /** How long the previous signing secret keeps signing after a rotation. */
  @IsInt()
  @Min(0)
  @Max(30 * 86_400_000)
  WEBHOOK_SECRET_GRACE_MS: number = 86_400_000;

  /**
   * Key that encrypts signing secrets at rest (AES-256-GCM): 32 bytes, base64 or hex. Unset, a
   * fixed local development key is used, which the service refuses when NODE_ENV=production.
   */
  // A default of '' (not `?:`) so the config loader reads the variable at all.
  @ValidateIf((c: NotificationsConfig) => c.WEBHOOK_SECRET_KEY !== '')
  @Matches(/^([A-Za-z0-9+/]{43}=|[0-9a-fA-F]{64})$/, { message: 'must be 32 bytes, base64 or hex' })
  WEBHOOK_SECRET_KEY: string = '';

  /** Lets webhook URLs reach loopback, private and link-local addresses (local runs and tests). */
  @BoolEnv()
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: boolean = false;

  /** Poll interval of the delivery worker when no NOTIFY wakes it. */
  @IsInt()
  @Min(10)
  @Max(60_000)
  WEBHOOK_POLL_MS: number = 1000;

  /** Run the delivery worker in this replica. */
  @BoolEnv()
  @IsBoolean()
  WEBHOOK_WORKER_ENABLED: boolean = true;

  /** How often opted-in recipients get a digest of their new inbox items; 0 turns e-mail off. */
  @IsInt()
  @Min(0)
  @Max(7 * 86_400_000)
  EMAIL_DIGEST_INTERVAL_MS: number = 3_600_000;

  /** SMTP server for digests, e.g. smtp://user:pass@mail.example:587. Unset: no e-mail is sent. */
  @ValidateIf((c: NotificationsConfig) => c.SMTP_URL !== '')
  @Matches(/^smtps?:\/\/\S+$/, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL: string = '';

  /** Sender of digest mails. */
  @IsString()
  EMAIL_FROM: string = 'Kampung KB <no-reply@kampungkb.example>';

  /** Inbox items listed in one digest mail at most (the rest follow in the next one). */
  @IsInt()
  @Min(1)
  @Max(10_000)
  EMAIL_DIGEST_MAX_ITEMS: number = 200;
}
