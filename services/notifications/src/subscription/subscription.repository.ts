import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SubscriptionRow, SubscriptionStatus } from './subscription.view';
import { schemaOf } from '@kkb/persistence';

export interface NewSubscription {
  id: string;
  owner: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  typePattern: string;
  regionPrefix: string;
  secretCiphertext: string;
}

/** The only place that reads and writes the subscription table. */
@Injectable()
export class SubscriptionRepository {
  async insert(m: EntityManager, s: NewSubscription): Promise<SubscriptionRow> {
    const [row] = await m.query(
      `INSERT INTO ${schemaOf(m)}.subscription (id, owner, url, description, event_types, type_pattern, region_prefix, secret_ciphertext)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [s.id, s.owner, s.url, s.description, s.eventTypes, s.typePattern, s.regionPrefix, s.secretCiphertext],
    );
    return row;
  }

  /** The subscription, if it exists and belongs to `owner`. */
  async findOwned(
    m: EntityManager,
    id: string,
    owner: string,
    opts: { lock?: boolean } = {},
  ): Promise<SubscriptionRow | null> {
    const rows: SubscriptionRow[] = await m.query(
      `SELECT * FROM ${schemaOf(m)}.subscription WHERE id = $1 AND owner = $2${opts.lock ? ' FOR UPDATE' : ''}`,
      [id, owner],
    );
    return rows[0] ?? null;
  }

  async find(m: EntityManager, id: string): Promise<SubscriptionRow | null> {
    const rows: SubscriptionRow[] = await m.query(`SELECT * FROM ${schemaOf(m)}.subscription WHERE id = $1`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  /** Oldest first; `after` is the [created_at, id] of the last row of the previous page. */
  async listOwned(
    m: EntityManager,
    owner: string,
    limit: number,
    after: [string, string] | null,
  ): Promise<SubscriptionRow[]> {
    return m.query(
      `SELECT * FROM ${schemaOf(m)}.subscription
        WHERE owner = $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
        ORDER BY created_at, id LIMIT $4`,
      [owner, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
  }

  async update(
    m: EntityManager,
    id: string,
    f: Pick<NewSubscription, 'url' | 'description' | 'eventTypes' | 'typePattern' | 'regionPrefix'>,
  ): Promise<SubscriptionRow> {
    const [[row]] = await m.query(
      `UPDATE ${schemaOf(m)}.subscription SET url = $2, description = $3, event_types = $4, type_pattern = $5,
              region_prefix = $6, updated_at = now()
        WHERE id = $1 RETURNING *`,
      [id, f.url, f.description, f.eventTypes, f.typePattern, f.regionPrefix],
    );
    return row;
  }

  async setStatus(
    m: EntityManager,
    id: string,
    status: SubscriptionStatus,
    reason: string | null,
  ): Promise<SubscriptionRow> {
    const [[row]] = await m.query(
      `UPDATE ${schemaOf(m)}.subscription
          SET status = $2, status_reason = $3, updated_at = now(),
              consecutive_failures = CASE WHEN $2 = 'active' THEN 0 ELSE consecutive_failures END
        WHERE id = $1 RETURNING *`,
      [id, status, reason],
    );
    return row;
  }

  /** The new secret signs from now on; the old one keeps signing beside it for `graceMs`. */
  async rotateSecret(
    m: EntityManager,
    id: string,
    ciphertext: string,
    graceMs: number,
  ): Promise<SubscriptionRow> {
    const [[row]] = await m.query(
      `UPDATE ${schemaOf(m)}.subscription
          SET previous_secret_ciphertext = secret_ciphertext, secret_ciphertext = $2,
              previous_secret_expires_at = now() + make_interval(secs => $3::double precision / 1000),
              updated_at = now()
        WHERE id = $1 RETURNING *`,
      [id, ciphertext, graceMs],
    );
    return row;
  }

  async delete(m: EntityManager, id: string): Promise<void> {
    await m.query(`DELETE FROM ${schemaOf(m)}.subscription WHERE id = $1`, [id]);
  }
}
