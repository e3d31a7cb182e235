import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '@kkb/auth';
import { dottedRegion } from '../common/sql';
import type { InboxKind, NewInboxItem } from './inbox-item';
import type { InboxItemView } from './inbox.views';
import { schemaOf } from '@kkb/persistence';
import { ArrivalSequence } from '../common/arrival-sequence.repository';

export type { InboxItemView } from './inbox.views';

interface ItemRow {
  id: string;
  seq: string;
  kind: InboxKind;
  region_code: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  occurred_at: Date;
  created_at: Date;
  read: boolean;
}

export interface DigestRecipient {
  sub: string;
  role: string;
  scope: string;
  email: string;
  digest_from_seq: string;
}

/**
 * Which items a principal sees, as SQL over `i` (inbox_item) with the principal's subject in
 * `$sub`, role in `$role` and scope in `$scope`: items addressed to them, and regional items whose
 * region lies within their scope (integrators get only what is addressed to them).
 */
const VISIBLE = (sub: string, role: string, scope: string) =>
  `(i.recipient = ${sub}::text OR (i.recipient IS NULL AND ${role}::text <> 'integrator'
     AND (i.region_code = '' OR i.region_code LIKE ${scope}::text || '%')))`;

/**
 * The officers' inbox. One item per event (the dedupe key is the event id), shown to every
 * officer whose scope covers its region, with read state per officer: regional items are not
 * copied per recipient, so an officer seen for the first time finds the items of their region
 * already there, and a redelivered event never makes a second item.
 */
@Injectable()
export class InboxRepository {
  /**
   * Adds an item (once per dedupe key) without taking a lock: it gets its `seq` later, from
   * `sequence`, once it has committed. Until then no reader lists it.
   */
  async add(m: EntityManager, item: NewInboxItem): Promise<boolean> {
    const rows = await m.query(
      `INSERT INTO ${schemaOf(m)}.inbox_item (id, dedupe_key, kind, region_code, recipient, title, body, data, occurred_at)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING 1`,
      [
        item.dedupeKey,
        item.kind,
        item.region,
        item.recipient,
        item.title,
        item.body,
        JSON.stringify(item.data),
        item.occurredAt,
      ],
    );
    return rows.length > 0;
  }

  private readonly order = new ArrivalSequence('inbox_item', 'id');

  /** Numbers the committed rows without a `seq` in arrival order (ArrivalSequence); in its own transaction. */
  sequence(m: EntityManager): Promise<number> {
    return this.order.sequence(m);
  }

  /** Whether some committed row waits for its `seq`. */
  hasUnsequenced(m: EntityManager): Promise<boolean> {
    return this.order.hasUnsequenced(m);
  }

  /** Records who the caller is (role and scope from their token) so digests can find them. */
  async touchRecipient(m: EntityManager, p: Principal): Promise<void> {
    await m.query(
      `INSERT INTO ${schemaOf(m)}.recipient (sub, role, scope) VALUES ($1, $2, $3)
       ON CONFLICT (sub) DO UPDATE SET role = EXCLUDED.role, scope = EXCLUDED.scope, updated_at = now()
        WHERE recipient.role IS DISTINCT FROM EXCLUDED.role OR recipient.scope IS DISTINCT FROM EXCLUDED.scope`,
      [p.sub, p.role, p.scope],
    );
  }

  /** Newest first; `before` is the seq of the last item of the previous page. */
  async list(
    m: EntityManager,
    p: Principal,
    q: { unreadOnly: boolean; limit: number; before: string | null },
  ): Promise<(InboxItemView & { seq: string })[]> {
    const s = schemaOf(m);
    const rows: ItemRow[] = await m.query(
      `SELECT i.id, i.seq, i.kind, i.region_code, i.title, i.body, i.data, i.occurred_at, i.created_at,
              (i.seq <= COALESCE(r.read_through_seq, 0) OR x.item_id IS NOT NULL) AS read
         FROM ${s}.inbox_item i
         LEFT JOIN ${s}.recipient r ON r.sub = $1
         LEFT JOIN ${s}.inbox_read x ON x.recipient = $1 AND x.item_id = i.id
        WHERE ${VISIBLE('$1', '$2', '$3')} AND i.seq IS NOT NULL
          AND ($4::bigint IS NULL OR i.seq < $4)
          AND (NOT $5 OR (i.seq > COALESCE(r.read_through_seq, 0) AND x.item_id IS NULL))
        ORDER BY i.seq DESC LIMIT $6`,
      [p.sub, p.role, p.scope, q.before, q.unreadOnly, q.limit],
    );
    return rows.map((r) => ({ ...toView(r), seq: r.seq }));
  }

  async countUnread(m: EntityManager, p: Principal): Promise<number> {
    const s = schemaOf(m);
    const [{ n }] = await m.query(
      `SELECT count(*)::int AS n FROM ${s}.inbox_item i
         LEFT JOIN ${s}.recipient r ON r.sub = $1
        WHERE ${VISIBLE('$1', '$2', '$3')} AND i.seq > COALESCE(r.read_through_seq, 0)
          AND NOT EXISTS (SELECT 1 FROM ${s}.inbox_read x WHERE x.recipient = $1 AND x.item_id = i.id)`,
      [p.sub, p.role, p.scope],
    );
    return n;
  }

  /** Marks one visible item read; false when the caller cannot see it. */
  async markRead(m: EntityManager, p: Principal, id: string): Promise<boolean> {
    const s = schemaOf(m);
    const visible = await m.query(
      `SELECT 1 FROM ${s}.inbox_item i WHERE i.id = $4 AND ${VISIBLE('$1', '$2', '$3')}`,
      [p.sub, p.role, p.scope, id],
    );
    if (!visible.length) return false;
    await m.query(`INSERT INTO ${s}.inbox_read (recipient, item_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      p.sub,
      id,
    ]);
    return true;
  }

  /**
   * Everything up to the newest item now counts as read (one row, however many items). Run after
   * `sequence` in the same transaction: the newest seq then covers exactly what the caller could see.
   */
  async markAllRead(m: EntityManager, p: Principal): Promise<void> {
    const s = schemaOf(m);
    await this.touchRecipient(m, p);
    await m.query(
      `UPDATE ${s}.recipient SET read_through_seq = GREATEST(read_through_seq, (SELECT COALESCE(max(seq), 0) FROM ${s}.inbox_item)),
              updated_at = now()
        WHERE sub = $1`,
      [p.sub],
    );
    await m.query(`DELETE FROM ${s}.inbox_read WHERE recipient = $1`, [p.sub]);
  }

  async setPreferences(m: EntityManager, p: Principal, email: string | null, digest: boolean): Promise<void> {
    const s = schemaOf(m);
    await this.touchRecipient(m, p);
    // Opting in starts the digest from now: the history is in the inbox, not mailed (call
    // `sequence` first in the same transaction, so "now" includes every committed item).
    await m.query(
      `UPDATE ${s}.recipient
          SET email = $2,
              digest_from_seq = CASE WHEN $3 AND NOT digest THEN (SELECT COALESCE(max(seq), 0) FROM ${s}.inbox_item)
                                     ELSE digest_from_seq END,
              digest = $3, updated_at = now()
        WHERE sub = $1`,
      [p.sub, email, digest],
    );
  }

  async preferences(m: EntityManager, sub: string): Promise<{ email: string | null; digest: boolean }> {
    const rows = await m.query(`SELECT email, digest FROM ${schemaOf(m)}.recipient WHERE sub = $1`, [sub]);
    return rows[0] ?? { email: null, digest: false };
  }

  async digestRecipients(m: EntityManager): Promise<DigestRecipient[]> {
    return m.query(
      `SELECT sub, role, scope, email, digest_from_seq FROM ${schemaOf(m)}.recipient
        WHERE digest AND email IS NOT NULL ORDER BY sub`,
    );
  }

  /** Items a recipient has not had by e-mail yet (since opting in), oldest first (sequenced ones). */
  async undigested(
    m: EntityManager,
    r: DigestRecipient,
    limit: number,
  ): Promise<(InboxItemView & { seq: string })[]> {
    const s = schemaOf(m);
    const rows: ItemRow[] = await m.query(
      `SELECT i.id, i.seq, i.kind, i.region_code, i.title, i.body, i.data, i.occurred_at, i.created_at, false AS read
         FROM ${s}.inbox_item i
        WHERE ${VISIBLE('$1', '$2', '$3')} AND i.seq > $4
          AND NOT EXISTS (SELECT 1 FROM ${s}.email_digest_item x WHERE x.recipient = $1 AND x.item_id = i.id)
        ORDER BY i.seq LIMIT $5`,
      [r.sub, r.role, r.scope, r.digest_from_seq, limit],
    );
    return rows.map((row) => ({ ...toView(row), seq: row.seq }));
  }

  async recordDigest(
    m: EntityManager,
    d: { id: string; recipient: string; email: string; itemIds: string[]; messageId: string | null },
  ): Promise<void> {
    const s = schemaOf(m);
    await m.query(
      `INSERT INTO ${s}.email_digest (id, recipient, email, item_count, message_id) VALUES ($1, $2, $3, $4, $5)`,
      [d.id, d.recipient, d.email, d.itemIds.length, d.messageId],
    );
    await m.query(
      `INSERT INTO ${s}.email_digest_item (recipient, item_id, digest_id) SELECT $1, unnest($2::uuid[]), $3`,
      [d.recipient, d.itemIds, d.id],
    );
  }
}

function toView(r: ItemRow): InboxItemView {
  return {
    id: r.id,
    kind: r.kind,
    region: dottedRegion(r.region_code),
    title: r.title,
    body: r.body,
    data: r.data,
    occurredAt: r.occurred_at.toISOString(),
    createdAt: r.created_at.toISOString(),
    read: r.read,
  };
}
