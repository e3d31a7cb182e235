import { Logger } from '@nestjs/common';
import { deliveryFailedV1, subscriptionPausedV1 } from '@kkb/contracts';
import type { OutboxService } from '@kkb/messaging';
import { MetricsRegistry } from '@kkb/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { NotificationsConfig } from '../config/notifications.config';
import type { NewInboxItem } from '../inbox/inbox-item';
import type { InboxRepository } from '../inbox/inbox.repository';
import type { SecretBox } from '../webhook/secret-box';
import type { SendResult, WebhookSender } from '../webhook/webhook-sender';
import { DeliveryAttempter } from './delivery-attempter';
import { DeliveryRecorder } from './delivery-recorder';
import { DeliveryWorker } from './delivery-worker.service';
import type { ClaimedDelivery, DeliveryRepository, FailureCount } from './delivery.repository';
import { RetrySchedule } from './retry-schedule';
import { SubscriptionPauser } from './subscription-pauser';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const NOW = Date.parse('2026-03-10T08:00:00.000Z');
const PAUSE_AFTER = 3;

type Sub = { status: string; failures: number; owner: string; url: string; region_prefix: string };
type Row = {
  status: string;
  attempts: number;
  subscriptionId: string;
  next: Date | null;
  lastStatus: number | null;
};

/** The delivery and subscription rows the worker's statements change, as maps. */
class FakeDeliveries {
  readonly subs = new Map<string, Sub>();
  readonly rows = new Map<string, Row>();
  readonly attempts: { deliveryId: string; attempt: number; outcome: string; status: number | null }[] = [];

  async markDelivered(_m: EntityManager, attempts: { id: string; attempt: number; status: number }[]) {
    const done: boolean[] = [];
    for (const a of attempts) {
      const ok = await this.finishAttempt(_m, a.id, {
        status: 'delivered',
        nextAttemptAt: null,
        httpStatus: a.status,
      });
      if (ok)
        this.attempts.push({ deliveryId: a.id, attempt: a.attempt, outcome: 'delivered', status: a.status });
      done.push(ok);
    }
    return done;
  }
  async statusOf(_m: EntityManager, id: string) {
    return this.rows.get(id)?.status;
  }
  async resetFailures(_m: EntityManager, subscriptionId: string) {
    this.subs.get(subscriptionId)!.failures = 0;
  }
  async finishAttempt(
    _m: EntityManager,
    id: string,
    r: { status: string; nextAttemptAt: Date | null; httpStatus: number | null },
  ) {
    const row = this.rows.get(id);
    if (row?.status !== 'pending') return false;
    Object.assign(row, { status: r.status, attempts: row.attempts + 1, lastStatus: r.httpStatus });
    row.next = r.nextAttemptAt ?? row.next;
    return true;
  }
  async countFailure(_m: EntityManager, subscriptionId: string, pauseAfter: number): Promise<FailureCount> {
    const s = this.subs.get(subscriptionId)!;
    s.failures += 1;
    const justPaused = s.status === 'active' && s.failures >= pauseAfter;
    if (justPaused) s.status = 'paused';
    return { ...s, consecutive_failures: s.failures, just_paused: justPaused };
  }
  async recordAttempt(
    _m: EntityManager,
    a: { deliveryId: string; attempt: number; outcome: string; status: number | null },
  ) {
    this.attempts.push({
      deliveryId: a.deliveryId,
      attempt: a.attempt,
      outcome: a.outcome,
      status: a.status,
    });
  }
  async markSubscriptionGone(_m: EntityManager, subscriptionId: string) {
    this.subs.get(subscriptionId)!.status = 'gone';
  }
  async cancelPending(_m: EntityManager, subscriptionId: string) {
    for (const r of this.rows.values())
      if (r.subscriptionId === subscriptionId && r.status === 'pending') r.status = 'cancelled';
    return 0;
  }
}

function setup(answer: SendResult, sub: { failures?: number } = {}) {
  const deliveries = new FakeDeliveries();
  deliveries.subs.set('s-1', {
    status: 'active',
    failures: sub.failures ?? 0,
    owner: 'owner-1',
    url: 'https://hooks.example.org/kkb',
    region_prefix: '16',
  });
  const manager = {} as EntityManager;
  const ds = { transaction: jest.fn((fn: (m: EntityManager) => unknown) => fn(manager)), manager };
  const outbox = { add: jest.fn() };
  const inbox: NewInboxItem[] = [];
  const inboxRepo = { add: jest.fn(async (_m: EntityManager, item: NewInboxItem) => inbox.push(item) > 0) };
  const sender = { send: jest.fn(async () => answer) };
  const config = {
    WEBHOOK_TIMEOUT_MS: 2_000,
    WEBHOOK_PAUSE_AFTER_FAILURES: PAUSE_AFTER,
    WEBHOOK_CONCURRENCY: 4,
    WEBHOOK_ENDPOINT_CONCURRENCY: 2,
  };
  const metrics = new MetricsRegistry();
  const typedConfig = config as unknown as NotificationsConfig;
  const typedDs = ds as unknown as DataSource;
  const typedDeliveries = deliveries as unknown as DeliveryRepository;
  const typedOutbox = outbox as unknown as OutboxService;
  const attempter = new DeliveryAttempter(
    typedConfig,
    sender as unknown as WebhookSender,
    { open: () => SECRET } as unknown as SecretBox,
    new RetrySchedule([1_000, 5_000], 0), // three attempts, no jitter
    metrics,
  );
  const pauser = new SubscriptionPauser(
    typedConfig,
    typedDeliveries,
    typedOutbox,
    inboxRepo as unknown as InboxRepository,
    metrics,
  );
  const recorder = new DeliveryRecorder(typedDs, typedDeliveries, typedOutbox, pauser, metrics);
  // The worker as the module wires it; its loop is not started (that needs Postgres).
  const worker = new DeliveryWorker(typedConfig, typedDs, typedDeliveries, attempter, recorder);
  /** One claimed delivery, attempted (DeliveryAttempter) and recorded (DeliveryRecorder) as the worker does: `attempt` is private, the batch loop around it needs Postgres. */
  const claimed = (id: string, attempts: number): ClaimedDelivery => {
    deliveries.rows.set(id, {
      status: 'pending',
      attempts,
      subscriptionId: 's-1',
      next: null,
      lastStatus: null,
    });
    return {
      id,
      subscription_id: 's-1',
      event_id: `e-${id}`,
      attempts,
      url: 'https://hooks.example.org/kkb',
      secret_ciphertext: 'sealed',
      previous_secret_ciphertext: null,
      previous_valid: false,
      consecutive_failures: deliveries.subs.get('s-1')!.failures,
      event: { id: `e-${id}`, type: 'kkb.registry.kampung.registered.v1' },
      province_code: '16',
    };
  };
  const attempt = (id: string, attempts: number) =>
    (worker as unknown as { attempt(d: ClaimedDelivery): Promise<void> }).attempt(claimed(id, attempts));
  /** The value of one of this setup's counters, as /metrics would export it. */
  const counted = async (name: string) => (await metrics.getSingleMetric(name)!.get()).values[0]?.value;
  return { deliveries, ds, outbox, inbox, sender, attempt, claimed, worker, counted };
}

const ok: SendResult = { status: 204, latencyMs: 12, error: null, refused: false };
const failure: SendResult = { status: 503, latencyMs: 30, error: 'HTTP 503', refused: false };

describe('DeliveryWorker attempting one claimed delivery (in-memory)', () => {
  beforeEach(() => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('should send the signed event and mark a 2xx delivered, outside any transaction when nothing needs resetting', async () => {
    const { deliveries, ds, sender, attempt } = setup(ok);
    await attempt('d-1', 0);

    expect(deliveries.rows.get('d-1')).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 204 });
    expect(deliveries.attempts).toEqual([
      { deliveryId: 'd-1', attempt: 1, outcome: 'delivered', status: 204 },
    ]);
    expect(ds.transaction).not.toHaveBeenCalled();
    const [url, headers, body, timeout] = sender.send.mock.calls[0] as unknown as [
      string,
      Record<string, string>,
      string,
      number,
    ];
    expect([url, body, timeout]).toEqual([
      'https://hooks.example.org/kkb',
      '{"id":"e-d-1","type":"kkb.registry.kampung.registered.v1"}',
      2_000,
    ]);
    expect(headers['webhook-id']).toBe('e-d-1');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  it('should reset the subscription failures on a 2xx after failures', async () => {
    const { deliveries, ds, attempt } = setup(ok, { failures: 2 });
    await attempt('d-1', 1);

    expect(deliveries.subs.get('s-1')).toMatchObject({ status: 'active', failures: 0 });
    expect(deliveries.rows.get('d-1')).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(deliveries.attempts).toEqual([
      { deliveryId: 'd-1', attempt: 2, outcome: 'delivered', status: 204 },
    ]);
    expect(ds.transaction).toHaveBeenCalledTimes(1);
  });

  it.each([
    [0, 1_000],
    [1, 5_000],
  ])(
    'should schedule a retry per the schedule after %d earlier attempts, in %d ms',
    async (attempts, delay) => {
      const { deliveries, outbox, attempt } = setup(failure);
      await attempt('d-1', attempts);

      expect(deliveries.rows.get('d-1')).toMatchObject({
        status: 'pending',
        attempts: attempts + 1,
        next: new Date(NOW + delay),
        lastStatus: 503,
      });
      expect(deliveries.attempts.map((a) => a.outcome)).toEqual(['retry']);
      expect(deliveries.subs.get('s-1')?.failures).toBe(1);
      expect(outbox.add).not.toHaveBeenCalled();
    },
  );

  it('should mark the last failed attempt failed and publish delivery failed', async () => {
    const { deliveries, outbox, attempt } = setup(failure);
    await attempt('d-1', 2);

    expect(deliveries.rows.get('d-1')).toMatchObject({ status: 'failed', attempts: 3, next: null });
    expect(deliveries.attempts.map((a) => [a.attempt, a.outcome])).toEqual([[3, 'failed']]);
    expect(outbox.add).toHaveBeenCalledTimes(1);
    const [, contract, event] = outbox.add.mock.calls[0];
    expect(contract).toBe(deliveryFailedV1);
    expect(event).toMatchObject({
      subject: 'delivery/d-1',
      province: '16',
      data: {
        deliveryId: 'd-1',
        subscriptionId: 's-1',
        eventId: 'e-d-1',
        attempts: 3,
        lastStatus: 503,
        lastError: 'HTTP 503',
      },
    });
  });

  it('should pause the subscription at the threshold, publish it and tell the owner in the inbox', async () => {
    const { deliveries, outbox, inbox, attempt, counted } = setup(failure, { failures: PAUSE_AFTER - 1 });
    expect(await counted('kkb_webhook_subscriptions_paused_total')).toBe(0);
    await attempt('d-1', 0);

    expect(await counted('kkb_webhook_subscriptions_paused_total')).toBe(1);

    expect(deliveries.subs.get('s-1')).toMatchObject({ status: 'paused', failures: PAUSE_AFTER });
    expect(deliveries.rows.get('d-1')).toMatchObject({ status: 'pending', next: new Date(NOW + 1_000) });
    expect(outbox.add.mock.calls.map(([, c]) => c)).toEqual([subscriptionPausedV1]);
    expect(outbox.add.mock.calls[0][2]).toMatchObject({
      subject: 'subscription/s-1',
      data: {
        subscriptionId: 's-1',
        owner: 'owner-1',
        reason: 'consecutive-failures',
        consecutiveFailures: 3,
      },
    });
    expect(inbox).toEqual([
      expect.objectContaining({
        kind: 'subscription-paused',
        recipient: 'owner-1',
        region: '',
        title: 'Webhook subscription paused',
      }),
    ]);
  });

  it('should not pause again, nor add an inbox item, past the threshold', async () => {
    const { deliveries, outbox, inbox, attempt, counted } = setup(failure, { failures: PAUSE_AFTER });
    deliveries.subs.get('s-1')!.status = 'paused';
    await attempt('d-1', 0);

    expect(await counted('kkb_webhook_subscriptions_paused_total')).toBe(0);

    expect(deliveries.subs.get('s-1')?.failures).toBe(PAUSE_AFTER + 1);
    expect(outbox.add).not.toHaveBeenCalled();
    expect(inbox).toEqual([]);
  });

  it('should stop the subscription and cancel its pending deliveries on 410 Gone', async () => {
    const { deliveries, attempt } = setup({ status: 410, latencyMs: 5, error: 'HTTP 410', refused: false });
    deliveries.rows.set('d-2', {
      status: 'pending',
      attempts: 0,
      subscriptionId: 's-1',
      next: null,
      lastStatus: null,
    });
    await attempt('d-1', 0);

    expect(deliveries.subs.get('s-1')?.status).toBe('gone');
    expect([...deliveries.rows].map(([id, r]) => [id, r.status])).toEqual([
      ['d-2', 'cancelled'],
      ['d-1', 'cancelled'],
    ]);
    expect(deliveries.attempts.map((a) => a.outcome)).toEqual(['gone']);
  });

  it('should record nothing when the delivery is no longer pending at bookkeeping', async () => {
    const { deliveries, sender, attempt } = setup(failure);
    sender.send.mockImplementationOnce(async () => {
      deliveries.rows.get('d-1')!.status = 'cancelled'; // deleted or stopped meanwhile
      return failure;
    });
    await attempt('d-1', 0);

    expect(deliveries.attempts).toEqual([]);
    expect(deliveries.subs.get('s-1')?.failures).toBe(0);
  });
});

describe('DeliveryWorker claiming due deliveries (in-memory)', () => {
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(NOW));
  afterEach(() => jest.restoreAllMocks());

  /** The worker over `due` pending deliveries; `claimDue` is the drain its loop runs. */
  function claiming(answer: SendResult, due: number, nextDue: Date | null) {
    const s = setup(answer);
    const queue = Array.from({ length: due }, (_, i) => `d-${i + 1}`);
    const claim = jest.fn(async (_m: EntityManager, limit: number, _perEndpoint: number, _leaseMs: number) =>
      queue.splice(0, limit).map((id) => s.claimed(id, 0)),
    );
    const nextDueOf = jest.fn(async () => nextDue);
    Object.assign(s.deliveries, { claim, nextDue: nextDueOf });
    const w = s.worker as unknown as { claimDue(): Promise<unknown>; inFlight: Set<Promise<void>> };
    const settled = () => Promise.allSettled([...w.inFlight]);
    return { ...s, claim, nextDueOf, claimDue: () => w.claimDue(), settled, inFlight: w.inFlight };
  }

  it('should claim up to the free slots, drain again at once after a full batch, then wake when the next retry is due', async () => {
    const { deliveries, claim, nextDueOf, claimDue, settled } = claiming(ok, 6, new Date(NOW + 1_500));

    expect(await claimDue()).toEqual({ more: true });
    expect(claim).toHaveBeenCalledWith(expect.anything(), 4, 2, 2_000 + 30_000);
    await settled();
    // Two left: claimed, and their attempts will wake the loop, so no look for the next retry.
    expect(await claimDue()).toEqual({});
    expect(claim).toHaveBeenLastCalledWith(expect.anything(), 4, 2, 32_000);
    expect(nextDueOf).not.toHaveBeenCalled();
    await settled();
    expect([...deliveries.rows.values()].map((r) => r.status)).toEqual(Array(6).fill('delivered'));
    // Nothing claimed: now the worker asks when the next retry falls due.
    expect(await claimDue()).toEqual({ dueInMs: 1_505 });
    expect(nextDueOf).toHaveBeenCalledTimes(1);
  });

  it('should not claim while fewer than a quarter of the slots are free, and wake the loop when one frees', async () => {
    const { sender, claim, claimDue, settled, inFlight, worker } = claiming(ok, 8, null);
    const answers: ((r: SendResult) => void)[] = [];
    sender.send.mockImplementation(() => new Promise<SendResult>((r) => answers.push(r)));
    const wake = jest.fn();
    (worker as unknown as { loop: { wake(): void } }).loop = { wake };

    expect(await claimDue()).toEqual({ more: true });
    await new Promise((r) => setImmediate(r));
    expect(inFlight.size).toBe(4);
    expect(await claimDue()).toEqual({}); // all four slots busy
    expect(claim).toHaveBeenCalledTimes(1);

    answers.forEach((answer) => answer(ok));
    await settled();
    expect(wake).toHaveBeenCalledTimes(4);
    expect(await claimDue()).toEqual({ more: true });
    expect(claim).toHaveBeenCalledTimes(2);
    await new Promise((r) => setImmediate(r));
    answers.slice(4).forEach((answer) => answer(ok));
    await settled();
  });
});
