import { Inject, Injectable } from '@nestjs/common';
import { MetricsRegistry, SERVICE_CONFIG } from '@kkb/platform';
import type { NotificationsConfig } from '../config/notifications.config';
import { SecretBox } from '../webhook/secret-box';
import { signWebhook } from '../webhook/webhook-signer';
import { WebhookSender, type SendResult } from '../webhook/webhook-sender';
import type { ClaimedDelivery } from './delivery.repository';
import { RetrySchedule } from './retry-schedule';

/** What an attempt's answer means for its delivery. */
export type Verdict =
  | { outcome: 'delivered' }
  /** 410 Gone: the subscription is stopped. */
  | { outcome: 'gone' }
  /** Try again in `retryInMs` (`refused`: the SSRF guard refused the address this time). */
  | { outcome: 'retry' | 'refused'; retryInMs: number }
  /** The last attempt the schedule allows failed. */
  | { outcome: 'failed' };

/** One attempt of one delivery, made and classified, not yet recorded. */
export interface Attempt {
  /** 1 for a delivery's first attempt. */
  number: number;
  startedAt: Date;
  result: SendResult;
  verdict: Verdict;
}

/**
 * Makes one attempt of one claimed delivery: signs the event with the subscription's secret (and
 * its previous one while that is still valid), POSTs it with the attempt timeout, and classifies
 * the answer against the retry schedule. Never throws: a failure to send is a failed attempt.
 */
@Injectable()
export class DeliveryAttempter {
  private readonly attemptSeconds;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: NotificationsConfig,
    private readonly sender: WebhookSender,
    private readonly secrets: SecretBox,
    private readonly schedule: RetrySchedule,
    metrics: MetricsRegistry,
  ) {
    this.attemptSeconds = metrics.histogram({
      name: 'kkb_webhook_attempt_seconds',
      help: 'Duration of one webhook attempt',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
  }

  async attempt(d: ClaimedDelivery): Promise<Attempt> {
    const startedAt = new Date();
    const number = d.attempts + 1;
    const result = await this.send(d, startedAt);
    this.attemptSeconds.observe(result.latencyMs / 1000);
    return { number, startedAt, result, verdict: this.classify(result, number) };
  }

  private async send(d: ClaimedDelivery, startedAt: Date): Promise<SendResult> {
    const body = JSON.stringify(d.event);
    try {
      const secrets = [this.secrets.open(d.secret_ciphertext, d.subscription_id)];
      if (d.previous_valid && d.previous_secret_ciphertext) {
        secrets.push(this.secrets.open(d.previous_secret_ciphertext, d.subscription_id));
      }
      const headers = signWebhook(secrets, d.event_id, body, startedAt);
      return await this.sender.send(d.url, { ...headers }, body, this.config.WEBHOOK_TIMEOUT_MS);
    } catch (err) {
      return {
        status: null,
        latencyMs: 0,
        error: `could not send: ${(err as Error).message}`,
        refused: false,
      };
    }
  }

  private classify(r: SendResult, attempt: number): Verdict {
    if (r.status !== null && r.status >= 200 && r.status < 300) return { outcome: 'delivered' };
    if (r.status === 410) return { outcome: 'gone' };
    const retryInMs = this.schedule.delayAfter(attempt);
    if (retryInMs === null) return { outcome: 'failed' };
    return { outcome: r.refused ? 'refused' : 'retry', retryInMs };
  }
}
