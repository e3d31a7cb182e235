import { randomUUID } from 'node:crypto';
import { ForbiddenException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { compactRegionCode, type Principal } from '@kkb/auth';
import { provinceOf, webhookPingV1, type CloudEvent, type WebhookPingV1 } from '@kkb/contracts';
import {
  correlationOrNew,
  decodeCursor,
  ProblemException,
  SERVICE_CONFIG,
  toPage,
  type Page,
  type PageQuery,
} from '@kkb/platform';
import { typePatternRegex } from '../common/event-matching';
import type { NotificationsConfig } from '../config/notifications.config';
import { DeliveryRepository } from '../delivery/delivery.repository';
import { toDeliveryView, type AttemptView, type DeliveryView } from '../delivery/delivery.view';
import { newSigningSecret, SecretBox } from '../webhook/secret-box';
import { RefusedUrlError, UrlGuard } from '../webhook/url-guard';
import { signWebhook } from '../webhook/webhook-signer';
import { WebhookSender } from '../webhook/webhook-sender';
import type { CreateSubscriptionDto } from './create-subscription.dto';
import type { ListDeliveriesQuery } from './list-deliveries.query';
import type { ReplayDto } from './replay.dto';
import { SubscriptionRepository } from './subscription.repository';
import {
  toSubscriptionView,
  type SubscriptionRow,
  type SubscriptionView,
  type SubscriptionWithSecret,
} from './subscription.view';
import type { UpdateSubscriptionDto } from './update-subscription.dto';

/** Events one replay may re-send at most (ask for a shorter range for more). */
export const MAX_REPLAY = 100_000;

export interface PingResult {
  delivered: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/** Integrators' webhook subscriptions: each is seen and changed by its owner (token subject) only. */
@Injectable()
export class SubscriptionService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: NotificationsConfig,
    private readonly subscriptions: SubscriptionRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly secrets: SecretBox,
    private readonly guard: UrlGuard,
    private readonly sender: WebhookSender,
  ) {}

  async create(dto: CreateSubscriptionDto, user: Principal): Promise<SubscriptionWithSecret> {
    const url = await this.checkUrl(dto.url);
    const regionPrefix = this.regionWithinScope(dto.region, user);
    const id = randomUUID();
    const secret = newSigningSecret();
    const row = await this.subscriptions.insert(this.ds.manager, {
      id,
      owner: user.sub,
      url,
      description: dto.description ?? null,
      eventTypes: dto.eventTypes,
      typePattern: typePatternRegex(dto.eventTypes),
      regionPrefix,
      secretCiphertext: this.secrets.seal(secret, id),
    });
    return { ...toSubscriptionView(row), secret };
  }

  async list(user: Principal, q: PageQuery): Promise<Page<SubscriptionView>> {
    const after = decodeCursor(q.cursor, ['timestamp', 'uuid']);
    const rows = await this.subscriptions.listOwned(this.ds.manager, user.sub, q.limit + 1, after);
    const page = toPage(rows, q.limit, (r) => [r.created_at.toISOString(), r.id]);
    return { items: page.items.map(toSubscriptionView), nextCursor: page.nextCursor };
  }

  async get(id: string, user: Principal): Promise<SubscriptionView> {
    return toSubscriptionView(await this.owned(id, user));
  }

  async update(id: string, dto: UpdateSubscriptionDto, user: Principal): Promise<SubscriptionView> {
    const url = dto.url === undefined ? undefined : await this.checkUrl(dto.url);
    return this.ds.transaction(async (m) => {
      const cur = await this.owned(id, user, m);
      const eventTypes = dto.eventTypes ?? cur.event_types;
      const row = await this.subscriptions.update(m, id, {
        url: url ?? cur.url,
        description: dto.description === undefined ? cur.description : dto.description,
        eventTypes,
        typePattern: typePatternRegex(eventTypes),
        regionPrefix: dto.region === undefined ? cur.region_prefix : this.regionWithinScope(dto.region, user),
      });
      return toSubscriptionView(row);
    });
  }

  async pause(id: string, user: Principal): Promise<SubscriptionView> {
    return this.ds.transaction(async (m) => {
      const cur = await this.owned(id, user, m);
      if (cur.status === 'gone') throw this.gone();
      return toSubscriptionView(await this.subscriptions.setStatus(m, id, 'paused', 'paused by its owner'));
    });
  }

  /** Active again (also after a 410 or an automatic pause); waiting deliveries are due at once. */
  async resume(id: string, user: Principal): Promise<SubscriptionView> {
    return this.ds.transaction(async (m) => {
      await this.owned(id, user, m);
      const row = await this.subscriptions.setStatus(m, id, 'active', null);
      await this.deliveries.dueNow(m, id);
      return toSubscriptionView(row);
    });
  }

  async remove(id: string, user: Principal): Promise<void> {
    await this.ds.transaction(async (m) => {
      await this.owned(id, user, m);
      await this.subscriptions.delete(m, id);
    });
  }

  /** A new primary secret; the old one keeps signing beside it for WEBHOOK_SECRET_GRACE_MS. */
  async rotateSecret(id: string, user: Principal): Promise<SubscriptionWithSecret> {
    const secret = newSigningSecret();
    return this.ds.transaction(async (m) => {
      await this.owned(id, user, m);
      const row = await this.subscriptions.rotateSecret(
        m,
        id,
        this.secrets.seal(secret, id),
        this.config.WEBHOOK_SECRET_GRACE_MS,
      );
      return { ...toSubscriptionView(row), secret };
    });
  }

  /**
   * One signed test request (a `webhookPingV1` CloudEvent, sent to this subscription only, never
   * published on NATS), answered synchronously; not recorded as a delivery.
   */
  async ping(id: string, user: Principal): Promise<PingResult> {
    const sub = await this.owned(id, user);
    const now = new Date();
    const msgId = `ping_${randomUUID()}`;
    const ctx = correlationOrNew();
    const event: CloudEvent<WebhookPingV1> = {
      specversion: '1.0',
      id: msgId,
      source: '/kkb/notifications',
      type: webhookPingV1.type,
      subject: `subscription/${sub.id}`,
      time: now.toISOString(),
      datacontenttype: 'application/json',
      data: { subscriptionId: sub.id },
      correlationid: ctx.correlationId,
      ...(ctx.causationId ? { causationid: ctx.causationId } : {}),
      province: provinceOf(sub.region_prefix),
    };
    const body = JSON.stringify(event);
    const r = await this.sender.send(
      sub.url,
      { ...signWebhook(this.signingSecrets(sub), msgId, body, now) },
      body,
      this.config.WEBHOOK_TIMEOUT_MS,
    );
    const delivered = r.status !== null && r.status >= 200 && r.status < 300;
    return { delivered, statusCode: r.status, latencyMs: r.latencyMs, error: r.error };
  }

  async listDeliveries(id: string, q: ListDeliveriesQuery, user: Principal): Promise<Page<DeliveryView>> {
    await this.owned(id, user);
    const before = decodeCursor(q.cursor, ['seq']);
    const rows = await this.deliveries.list(this.ds.manager, id, {
      status: q.status,
      limit: q.limit + 1,
      before: before?.[0] ?? null,
    });
    const page = toPage(rows, q.limit, (r) => [r.seq]);
    return { items: page.items.map(toDeliveryView), nextCursor: page.nextCursor };
  }

  async getDelivery(
    id: string,
    deliveryId: string,
    user: Principal,
  ): Promise<DeliveryView & { attemptLog: AttemptView[] }> {
    await this.owned(id, user);
    const d = await this.deliveries.find(this.ds.manager, id, deliveryId);
    if (!d) throw ProblemException.notFound(`delivery ${deliveryId}`);
    return { ...toDeliveryView(d), attemptLog: await this.deliveries.attempts(this.ds.manager, deliveryId) };
  }

  async attempts(id: string, deliveryId: string, user: Principal): Promise<AttemptView[]> {
    return (await this.getDelivery(id, deliveryId, user)).attemptLog;
  }

  /** A new delivery of the same event (origin `redelivery`); the original keeps its log. */
  async redeliver(id: string, deliveryId: string, user: Principal): Promise<DeliveryView> {
    return this.ds.transaction(async (m) => {
      const sub = await this.owned(id, user, m);
      if (sub.status === 'gone') throw this.gone();
      const original = await this.deliveries.find(m, id, deliveryId);
      if (!original) throw ProblemException.notFound(`delivery ${deliveryId}`);
      const newId = await this.deliveries.redeliver(m, original);
      const created = await this.deliveries.find(m, id, newId);
      if (!created) throw new Error(`delivery ${newId} vanished inside its own transaction`);
      return toDeliveryView(created);
    });
  }

  /**
   * New deliveries (origin `replay`, one batch id) of every received event in [from, to) that
   * the subscription takes now, including events from before it existed. They carry the
   * original event id as `webhook-id`, so a receiver that keeps ids sees them as repeats.
   */
  async replay(
    id: string,
    dto: ReplayDto,
    user: Principal,
  ): Promise<{ replayId: string; deliveries: number }> {
    const from = new Date(dto.from);
    const to = new Date(dto.to);
    if (!(from < to))
      throw ProblemException.validation([{ field: 'to', reason: 'to must be later than from' }]);
    return this.ds.transaction(async (m) => {
      const sub = await this.owned(id, user, m);
      if (sub.status === 'gone') throw this.gone();
      const replayId = randomUUID();
      const n = await this.deliveries.replay(m, sub, replayId, from, to, MAX_REPLAY);
      return { replayId, deliveries: n };
    });
  }

  private signingSecrets(sub: SubscriptionRow): string[] {
    const out = [this.secrets.open(sub.secret_ciphertext, sub.id)];
    if (
      sub.previous_secret_ciphertext &&
      sub.previous_secret_expires_at &&
      sub.previous_secret_expires_at.getTime() > Date.now()
    ) {
      out.push(this.secrets.open(sub.previous_secret_ciphertext, sub.id));
    }
    return out;
  }

  private async owned(id: string, user: Principal, m = this.ds.manager): Promise<SubscriptionRow> {
    const row = await this.subscriptions.findOwned(m, id, user.sub, { lock: m !== this.ds.manager });
    if (!row) throw ProblemException.notFound(`subscription ${id}`);
    return row;
  }

  private async checkUrl(url: string): Promise<string> {
    try {
      return (await this.guard.check(url)).toString();
    } catch (err) {
      if (err instanceof RefusedUrlError) {
        throw ProblemException.validation(
          [{ field: 'url', reason: err.message }],
          'The webhook URL is not allowed.',
        );
      }
      throw err;
    }
  }

  /** The compact region prefix, which must lie within the caller's scope (default: the scope itself). */
  private regionWithinScope(region: string | undefined, user: Principal): string {
    const prefix = region === undefined ? user.scope : region === '' ? '' : compactRegionCode(region);
    if (!prefix.startsWith(user.scope)) {
      throw new ForbiddenException(
        `region ${prefix || "'' (the whole country)"} is outside your scope ${user.scope}`,
      );
    }
    return prefix;
  }

  private gone(): ProblemException {
    return new ProblemException(
      HttpStatus.CONFLICT,
      'subscription-gone',
      'Subscription stopped',
      'The endpoint answered 410 Gone and the subscription was stopped; resume it first.',
    );
  }
}
