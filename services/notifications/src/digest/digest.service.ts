import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createTransport, type Transporter } from 'nodemailer';
import type { DataSource } from 'typeorm';
import { SERVICE_CONFIG } from '@kkb/platform';
import type { NotificationsConfig } from '../config/notifications.config';
import { InboxRepository } from '../inbox/inbox.repository';
import { digestMail } from './digest-mail';
import { DigestRepository } from './digest.repository';
import { schemaOf } from '@kkb/persistence';

/**
 * Every EMAIL_DIGEST_INTERVAL_MS, one replica (an advisory lock decides which) mails each
 * opted-in recipient one digest of the inbox items they have not had by mail yet. What each
 * digest listed is recorded (email_digest_item, unique per recipient and item), so no item is
 * mailed twice; an item is recorded only after its mail was accepted by the SMTP server, so a
 * failed send is tried again at the next run.
 */
@Injectable()
export class DigestService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DigestService.name);
  private transport?: Transporter;
  private timer?: NodeJS.Timeout;
  private current?: Promise<number>;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: NotificationsConfig,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly inbox: InboxRepository,
    private readonly digests: DigestRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.SMTP_URL || !this.config.EMAIL_DIGEST_INTERVAL_MS) return;
    this.timer = setInterval(
      () =>
        void this.runOnce().catch((err) =>
          this.logger.warn({ err: (err as Error).message }, 'digest run failed'),
        ),
      this.config.EMAIL_DIGEST_INTERVAL_MS,
    );
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.current?.catch(() => undefined);
    this.transport?.close();
  }

  /** One digest round; returns how many mails were sent (0 when another replica holds the lock). */
  runOnce(): Promise<number> {
    this.current ??= this.round().finally(() => (this.current = undefined));
    return this.current;
  }

  private mailer(): Transporter {
    if (!this.config.SMTP_URL) throw new Error('SMTP_URL is not set');
    this.transport ??= createTransport(this.config.SMTP_URL);
    return this.transport;
  }

  private async round(): Promise<number> {
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    const key = `${schemaOf(this.ds)}:email-digest`;
    try {
      if (!(await this.digests.tryLock(qr, key))) return 0;
      try {
        let sent = 0;
        if (await this.inbox.hasUnsequenced(this.ds.manager)) {
          await this.ds.transaction((m) => this.inbox.sequence(m));
        }
        for (const r of await this.inbox.digestRecipients(this.ds.manager)) {
          const items = await this.inbox.undigested(this.ds.manager, r, this.config.EMAIL_DIGEST_MAX_ITEMS);
          if (!items.length) continue;
          const mail = digestMail(items);
          try {
            const info = (await this.mailer().sendMail({
              from: this.config.EMAIL_FROM,
              to: r.email,
              subject: mail.subject,
              text: mail.text,
            })) as { messageId?: string };
            await this.ds.transaction((m) =>
              this.inbox.recordDigest(m, {
                id: randomUUID(),
                recipient: r.sub,
                email: r.email,
                itemIds: items.map((i) => i.id),
                messageId: info.messageId ?? null,
              }),
            );
            sent++;
          } catch (err) {
            this.logger.warn(
              { err: (err as Error).message, recipient: r.sub },
              'digest mail not sent; will retry',
            );
          }
        }
        return sent;
      } finally {
        await this.digests.unlock(qr, key);
      }
    } finally {
      await qr.release();
    }
  }
}
