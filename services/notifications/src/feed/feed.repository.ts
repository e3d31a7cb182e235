import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { schemaOf } from '@kkb/persistence';
import { ArrivalSequence } from '../common/arrival-sequence.repository';

/** A page as read: the events (whole CloudEvents) with their positions, and the head then. */
export interface FeedRows {
  events: { seq: string; event: Record<string, unknown> }[];
  /** The highest position numbered when the page was read ('0' when none). */
  head: string;
}

/**
 * The event feed over `received_event`: events numbered in commit order (`seq`), read after a
 * position. Numbering works as for inbox items (see InboxRepository.sequence): only a
 * sequencing run numbers, under an advisory lock held until it commits, and only events already
 * committed, so whatever a reader sees numbered, everything below it is numbered and visible
 * too: a cursor never passes over an event that shows up later.
 */
@Injectable()
export class FeedRepository {
  private readonly order = new ArrivalSequence('received_event', 'event_id');

  /** Numbers the committed rows without a `seq` in arrival order (ArrivalSequence); in its own transaction. */
  sequence(m: EntityManager): Promise<number> {
    return this.order.sequence(m);
  }

  /** Whether some committed row waits for its `seq`. */
  hasUnsequenced(m: EntityManager): Promise<boolean> {
    return this.order.hasUnsequenced(m);
  }

  /**
   * Up to `limit` events after position `after`, in order, whose region lies under `prefix`
   * (national events, region '', under every prefix) and whose type matches `typeRegex` (POSIX,
   * null: any). One statement, so `head` is read in the same snapshot as the events.
   */
  async page(
    m: EntityManager,
    q: { after: string; prefix: string; typeRegex: string | null; limit: number },
  ): Promise<FeedRows> {
    const s = schemaOf(m);
    const rows: { seq: string | null; event: Record<string, unknown> | null; head: string }[] = await m.query(
      `WITH page AS (
         SELECT seq, event FROM ${s}.received_event
          WHERE seq > $1::bigint
            AND ($2::text = '' OR region_code = '' OR region_code LIKE $2 || '%')
            AND ($3::text IS NULL OR type ~ $3)
          ORDER BY seq LIMIT $4)
       SELECT p.seq, p.event, h.head
         FROM (SELECT COALESCE(max(seq), 0)::text AS head FROM ${s}.received_event) h
         LEFT JOIN page p ON true
        ORDER BY p.seq`,
      [q.after, q.prefix, q.typeRegex, q.limit],
    );
    return {
      head: rows[0]?.head ?? '0',
      events: rows.flatMap((r) =>
        r.seq !== null && r.event ? [{ seq: String(r.seq), event: r.event }] : [],
      ),
    };
  }

  /** The highest position numbered so far ('0' when none). */
  async head(m: EntityManager): Promise<string> {
    const [{ head }] = await m.query(
      `SELECT COALESCE(max(seq), 0)::text AS head FROM ${schemaOf(m)}.received_event`,
    );
    return head;
  }
}
