import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { deliveryChannel } from '../common/sql';
import type { DeliveryStatus } from '../subscription/list-deliveries.query';
import type { AttemptView, DeliveryRow } from './delivery.view';
import { schemaOf } from '@kkb/persistence';

/** A delivery claimed for an attempt, with what is needed to send it. */
export interface ClaimedDelivery {
  id: string;
  subscription_id: string;
  event_id: string;
  attempts: number;
  url: string;
  secret_ciphertext: string;
  previous_secret_ciphertext: string | null;
  previous_valid: boolean;
  /** The subscription's failures in a row when claimed (0: a success has nothing to reset). */
  consecutive_failures: number;
  event: Record<string, unknown>;
  province_code: string;
}

/** A subscription as the fan-out routes events to it. */
export interface RoutableSubscription {
  id: string;
  /** Anchored regular expression of its type patterns (`typePatternRegex`). */
  typePattern: string;
  /** Compact region prefix; '' is the whole country. */
  regionPrefix: string;
}

export type AttemptOutcome = AttemptView['outcome'];

/** A subscription after one more failed attempt (see DeliveryRepository.countFailure). */
export interface FailureCount {
  owner: string;
  url: string;
  region_prefix: string;
  consecutive_failures: number;
  just_paused: boolean;
}

const DELIVERY_COLUMNS = `d.id, d.seq, d.subscription_id, d.event_id, e.type AS event_type, d.origin, d.origin_id, d.status,
  d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.last_latency_ms, d.created_at, d.finished_at`;

/** The only place that reads and writes deliveries and their attempts. */
@Injectable()
export class DeliveryRepository {
  /**
   * The routing generation (see `subscription_generation`) and, when it is not `known`, every
   * subscription that takes events (active or paused: a paused one gets them when resumed) with
   * its compiled pattern and region filter. One statement, so both come from one snapshot.
   */
  async routes(
    m: EntityManager,
    known: string | null,
  ): Promise<{ generation: string; subscriptions: RoutableSubscription[] | null }> {
    const s = schemaOf(m);
    const rows: { generation: string; id: string | null; type_pattern: string; region_prefix: string }[] =
      await m.query(
        `SELECT g.generation::text AS generation, sub.id, sub.type_pattern, sub.region_prefix
           FROM ${s}.subscription_generation g
           LEFT JOIN ${s}.subscription sub
             ON g.generation IS DISTINCT FROM $1::bigint AND sub.status IN ('active', 'paused')
          ORDER BY sub.created_at, sub.id`,
        [known],
      );
    const generation = rows[0].generation;
    if (generation === known) return { generation, subscriptions: null };
    return {
      generation,
      subscriptions: rows.flatMap((r) =>
        r.id === null ? [] : [{ id: r.id, typePattern: r.type_pattern, regionPrefix: r.region_prefix }],
      ),
    };
  }

  /** New deliveries of every received event in [from, to) the subscription takes: a replay batch. */
  async replay(
    m: EntityManager,
    sub: { id: string; type_pattern: string; region_prefix: string },
    batchId: string,
    from: Date,
    to: Date,
    max: number,
  ): Promise<number> {
    const s = schemaOf(m);
    const [{ n }] = await m.query(
      `WITH ins AS (
         INSERT INTO ${s}.delivery (id, subscription_id, event_id, origin, origin_id, next_attempt_at)
         SELECT gen_random_uuid(), $1, e.event_id, 'replay', $2, now()
           FROM ${s}.received_event e
          WHERE e.occurred_at >= $3 AND e.occurred_at < $4 AND e.type ~ $5
            AND (e.region_code = '' OR e.region_code LIKE $6 || '%')
          ORDER BY e.occurred_at, e.event_id
          LIMIT $7
         RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
      [sub.id, batchId, from, to, sub.type_pattern, sub.region_prefix, max],
    );
    if (n) await this.notify(m);
    return n;
  }

  /** A new delivery of the same event as `original`. */
  async redeliver(m: EntityManager, original: DeliveryRow): Promise<string> {
    const [{ id }] = await m.query(
      `INSERT INTO ${schemaOf(m)}.delivery (id, subscription_id, event_id, origin, origin_id)
       VALUES (gen_random_uuid(), $1, $2, 'redelivery', $3) RETURNING id`,
      [original.subscription_id, original.event_id, original.id],
    );
    await this.notify(m);
    return id;
  }

  async notify(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_notify($1, '')`, [deliveryChannel(schemaOf(m))]);
  }

  /**
   * Claims due deliveries for attempts: at most `perEndpoint` in flight per subscription (those
   * already leased by any replica count), at most `limit` in all, subscriptions in random order
   * so none starves. Rows are leased (not held locked) for the attempt, so a crashed worker's
   * claim simply expires.
   */
  async claim(
    m: EntityManager,
    limit: number,
    perEndpoint: number,
    leaseMs: number,
  ): Promise<ClaimedDelivery[]> {
    const s = schemaOf(m);
    const [rows] = await m.query(
      `WITH picked AS (
         SELECT d.id
           FROM (SELECT id FROM ${s}.subscription WHERE status = 'active' ORDER BY random()) sub
          CROSS JOIN LATERAL (
            SELECT d.id FROM ${s}.delivery d
             WHERE d.subscription_id = sub.id AND d.status = 'pending' AND d.next_attempt_at <= now()
               AND (d.lease_until IS NULL OR d.lease_until < now())
             ORDER BY d.next_attempt_at
             LIMIT GREATEST(0, $1::int - (SELECT count(*)::int FROM ${s}.delivery f
                                     WHERE f.subscription_id = sub.id AND f.status = 'pending'
                                       AND f.lease_until >= now()))
             FOR UPDATE SKIP LOCKED) d
          LIMIT $2)
       UPDATE ${s}.delivery d
          SET lease_until = now() + make_interval(secs => $3::double precision / 1000)
         FROM picked p, ${s}.subscription sub, ${s}.received_event e
        WHERE d.id = p.id AND sub.id = d.subscription_id AND e.event_id = d.event_id
       RETURNING d.id, d.subscription_id, d.event_id, d.attempts, sub.url, sub.secret_ciphertext,
                 sub.previous_secret_ciphertext,
                 COALESCE(sub.previous_secret_expires_at > now(), false) AS previous_valid, sub.consecutive_failures,
                 e.event, e.province_code`,
      [perEndpoint, limit, leaseMs],
    );
    return rows;
  }

  /** When the soonest pending delivery of an active subscription falls due (for the worker's sleep). */
  async nextDue(m: EntityManager): Promise<Date | null> {
    const [row] = await m.query(
      `SELECT min(d.next_attempt_at) AS at FROM ${schemaOf(m)}.delivery d
         JOIN ${schemaOf(m)}.subscription sub ON sub.id = d.subscription_id AND sub.status = 'active'
        WHERE d.status = 'pending'`,
    );
    return row?.at ?? null;
  }

  async recordAttempt(
    m: EntityManager,
    a: {
      deliveryId: string;
      attempt: number;
      startedAt: Date;
      status: number | null;
      latencyMs: number;
      error: string | null;
      outcome: AttemptOutcome;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO ${schemaOf(m)}.delivery_attempt (delivery_id, attempt, started_at, status_code, latency_ms, error, outcome)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [a.deliveryId, a.attempt, a.startedAt, a.status, a.latencyMs, a.error, a.outcome],
    );
  }

  /**
   * Writes the outcome of an attempt if the delivery is still pending (a subscription deleted or
   * stopped meanwhile wins); `nextAttemptAt` null ends it with `status`.
   */
  async finishAttempt(
    m: EntityManager,
    id: string,
    r: {
      status: DeliveryStatus;
      nextAttemptAt: Date | null;
      httpStatus: number | null;
      error: string | null;
      latencyMs: number;
    },
  ): Promise<boolean> {
    const [, count] = await m.query(
      `UPDATE ${schemaOf(m)}.delivery
          SET status = $2, attempts = attempts + 1, next_attempt_at = COALESCE($3, next_attempt_at), lease_until = NULL,
              last_status = $4, last_error = $5, last_latency_ms = $6,
              finished_at = CASE WHEN $2 = 'pending' THEN NULL ELSE now() END
        WHERE id = $1 AND status = 'pending'`,
      [id, r.status, r.nextAttemptAt, r.httpStatus, r.error, r.latencyMs],
    );
    return Number(count) === 1;
  }

  /**
   * Successful attempts in one statement (no transaction round trips): each delivery still
   * pending is delivered and its attempt logged. Rows are locked in id order, as every multi-row
   * statement on deliveries does. Answers, per attempt in order, whether it was still pending.
   */
  async markDelivered(
    m: EntityManager,
    attempts: { id: string; attempt: number; startedAt: Date; status: number; latencyMs: number }[],
  ): Promise<boolean[]> {
    if (!attempts.length) return [];
    const s = schemaOf(m);
    const rows: { id: string }[] = await m.query(
      `WITH x AS (
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::int[], $5::int[])
           AS x(id, attempt, started_at, status, latency_ms)),
       locked AS (
         SELECT d.id FROM ${s}.delivery d WHERE d.id IN (SELECT id FROM x) AND d.status = 'pending'
          ORDER BY d.id FOR UPDATE),
       d AS (
         UPDATE ${s}.delivery SET status = 'delivered', attempts = attempts + 1, lease_until = NULL,
                last_status = x.status, last_error = NULL, last_latency_ms = x.latency_ms, finished_at = now()
           FROM x JOIN locked l ON l.id = x.id
          WHERE ${s}.delivery.id = x.id AND ${s}.delivery.status = 'pending'
         RETURNING x.id, x.attempt, x.started_at, x.status, x.latency_ms),
       a AS (
         INSERT INTO ${s}.delivery_attempt (delivery_id, attempt, started_at, status_code, latency_ms, error, outcome)
         SELECT id, attempt, started_at, status, latency_ms, NULL, 'delivered' FROM d ON CONFLICT DO NOTHING)
       SELECT id FROM d`,
      [
        attempts.map((a) => a.id),
        attempts.map((a) => a.attempt),
        attempts.map((a) => a.startedAt),
        attempts.map((a) => a.status),
        attempts.map((a) => a.latencyMs),
      ],
    );
    const done = new Set(rows.map((r) => r.id));
    return attempts.map((a) => done.has(a.id));
  }

  /** The delivery's status, or undefined when it no longer exists. */
  async statusOf(m: EntityManager, id: string): Promise<DeliveryStatus | undefined> {
    const s = schemaOf(m);
    const [current] = await m.query(`SELECT status FROM ${s}.delivery WHERE id = $1`, [id]);
    return current?.status;
  }

  /** A success after failures: the subscription's failures in a row go back to 0. */
  async resetFailures(m: EntityManager, subscriptionId: string): Promise<void> {
    const s = schemaOf(m);
    await m.query(
      `UPDATE ${s}.subscription SET consecutive_failures = 0 WHERE id = $1 AND consecutive_failures <> 0`,
      [subscriptionId],
    );
  }

  /** The endpoint answered 410 Gone: the subscription stops for good. */
  async markSubscriptionGone(m: EntityManager, subscriptionId: string): Promise<void> {
    const s = schemaOf(m);
    await m.query(
      `UPDATE ${s}.subscription SET status = 'gone', status_reason = 'endpoint answered 410 Gone', updated_at = now()
          WHERE id = $1`,
      [subscriptionId],
    );
  }

  /**
   * One more failed attempt in a row on the subscription; an active one is paused when the count
   * reaches `pauseAfter` (`just_paused`: by this very call). Undefined if the subscription is gone.
   */
  async countFailure(
    m: EntityManager,
    subscriptionId: string,
    pauseAfter: number,
  ): Promise<FailureCount | undefined> {
    const s = schemaOf(m);
    const [rows] = await m.query(
      `UPDATE ${s}.subscription SET consecutive_failures = consecutive_failures + 1,
              status = CASE WHEN status = 'active' AND consecutive_failures + 1 >= $2 THEN 'paused' ELSE status END,
              status_reason = CASE WHEN status = 'active' AND consecutive_failures + 1 >= $2 THEN 'consecutive-failures'
                                   ELSE status_reason END,
              updated_at = now()
        WHERE id = $1
       RETURNING owner, url, region_prefix, consecutive_failures,
                 (status = 'paused' AND status_reason = 'consecutive-failures' AND consecutive_failures = $2) AS just_paused`,
      [subscriptionId, pauseAfter],
    );
    return rows[0] as FailureCount | undefined;
  }

  /** Ends every pending delivery of a subscription (its endpoint is gone). */
  async cancelPending(m: EntityManager, subscriptionId: string, reason: string): Promise<number> {
    const [, count] = await m.query(
      `UPDATE ${schemaOf(m)}.delivery SET status = 'cancelled', lease_until = NULL, last_error = COALESCE(last_error, $2),
              finished_at = now()
        WHERE subscription_id = $1 AND status = 'pending'`,
      [subscriptionId, reason],
    );
    return Number(count);
  }

  /** Pending deliveries of a resumed subscription are due at once. */
  async dueNow(m: EntityManager, subscriptionId: string): Promise<void> {
    await m.query(
      `UPDATE ${schemaOf(m)}.delivery SET next_attempt_at = now() WHERE subscription_id = $1 AND status = 'pending'`,
      [subscriptionId],
    );
    await this.notify(m);
  }

  async find(m: EntityManager, subscriptionId: string, id: string): Promise<DeliveryRow | null> {
    const s = schemaOf(m);
    const rows: DeliveryRow[] = await m.query(
      `SELECT ${DELIVERY_COLUMNS} FROM ${s}.delivery d JOIN ${s}.received_event e ON e.event_id = d.event_id
        WHERE d.subscription_id = $1 AND d.id = $2`,
      [subscriptionId, id],
    );
    return rows[0] ?? null;
  }

  /** Newest first; `before` is the seq of the last row of the previous page. */
  async list(
    m: EntityManager,
    subscriptionId: string,
    q: { status?: DeliveryStatus; limit: number; before: string | null },
  ): Promise<DeliveryRow[]> {
    const s = schemaOf(m);
    return m.query(
      `SELECT ${DELIVERY_COLUMNS} FROM ${s}.delivery d JOIN ${s}.received_event e ON e.event_id = d.event_id
        WHERE d.subscription_id = $1 AND ($2::text IS NULL OR d.status = $2) AND ($3::bigint IS NULL OR d.seq < $3)
        ORDER BY d.seq DESC LIMIT $4`,
      [subscriptionId, q.status ?? null, q.before, q.limit],
    );
  }

  async attempts(m: EntityManager, deliveryId: string): Promise<AttemptView[]> {
    const rows: {
      attempt: number;
      started_at: Date;
      status_code: number | null;
      latency_ms: number;
      error: string | null;
      outcome: AttemptOutcome;
    }[] = await m.query(
      `SELECT attempt, started_at, status_code, latency_ms, error, outcome
         FROM ${schemaOf(m)}.delivery_attempt WHERE delivery_id = $1 ORDER BY attempt`,
      [deliveryId],
    );
    return rows.map((r) => ({
      attempt: r.attempt,
      startedAt: r.started_at.toISOString(),
      statusCode: r.status_code,
      latencyMs: r.latency_ms,
      error: r.error,
      outcome: r.outcome,
    }));
  }
}
