import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CloudEvent } from '@kkb/contracts';
import { schemaOf } from '@kkb/persistence';
import type { NewInboxItem } from '../inbox/inbox-item';

/** One event to take in: where it belongs, who subscribed to it, and the officers' item if any. */
export interface FanOutEntry {
  event: CloudEvent<object>;
  /** Compact region code of the event ('' national). */
  region: string;
  /** The subscriptions whose patterns and region take it (matched in memory by the caller). */
  subscriptionIds: readonly string[];
  inbox: NewInboxItem | null;
}

/**
 * The intake's one statement: every event of a transaction (a consumer batch) recorded, its
 * deliveries made and its inbox item added together, whatever the number of events. Only events
 * recorded now (not seen before, first of their id in the batch) get deliveries and an inbox item,
 * so a redelivered event does nothing again; the unique keys on deliveries (event, subscription)
 * and on inbox items (dedupe key) hold even so. A subscription deleted or stopped since the caller
 * matched it gets nothing. No NOTIFY: the caller wakes the delivery worker after the commit.
 */
@Injectable()
export class FanOutRepository {
  /** Writes the entries; answers how many deliveries were made. */
  async writeMany(m: EntityManager, entries: readonly FanOutEntry[]): Promise<number> {
    if (!entries.length) return 0;
    const s = schemaOf(m);
    const events = entries.map((e, n) => ({
      n,
      event_id: e.event.id,
      type: e.event.type,
      province_code: e.event.province,
      subject: e.event.subject,
      occurred_at: e.event.time,
      event: e.event,
      region_code: e.region,
      subscription_ids: e.subscriptionIds,
    }));
    const items = entries.flatMap((e) =>
      e.inbox
        ? [
            {
              event_id: e.event.id,
              dedupe_key: e.inbox.dedupeKey,
              kind: e.inbox.kind,
              region_code: e.inbox.region,
              recipient: e.inbox.recipient,
              title: e.inbox.title,
              body: e.inbox.body,
              data: e.inbox.data,
              occurred_at: e.inbox.occurredAt,
            },
          ]
        : [],
    );
    const [{ deliveries }]: { deliveries: number }[] = await m.query(
      `WITH e AS (
         SELECT DISTINCT ON (event_id) *
           FROM jsonb_to_recordset($1::jsonb) AS e(n int, event_id text, type text, province_code text, subject text,
                                                  occurred_at timestamptz, event jsonb, region_code text,
                                                  subscription_ids uuid[])
          ORDER BY event_id, n
       ), rec AS (
         INSERT INTO ${s}.received_event (event_id, type, province_code, subject, occurred_at, event, region_code)
         SELECT event_id, type, province_code, subject, occurred_at, event, region_code FROM e ORDER BY n
         ON CONFLICT (event_id) DO NOTHING
         RETURNING event_id
       ), del AS (
         INSERT INTO ${s}.delivery (id, subscription_id, event_id)
         SELECT gen_random_uuid(), sub.id, e.event_id
           FROM rec JOIN e ON e.event_id = rec.event_id
           JOIN ${s}.subscription sub ON sub.id = ANY (e.subscription_ids) AND sub.status IN ('active', 'paused')
          ORDER BY e.n
         ON CONFLICT (event_id, subscription_id) WHERE origin = 'event' DO NOTHING
         RETURNING 1
       ), inb AS (
         INSERT INTO ${s}.inbox_item (id, dedupe_key, kind, region_code, recipient, title, body, data, occurred_at)
         SELECT gen_random_uuid(), i.dedupe_key, i.kind, i.region_code, i.recipient, i.title, i.body, i.data,
                i.occurred_at
           FROM jsonb_to_recordset($2::jsonb) AS i(event_id text, dedupe_key text, kind text, region_code text,
                                                  recipient text, title text, body text, data jsonb,
                                                  occurred_at timestamptz)
           JOIN rec ON rec.event_id = i.event_id
         ON CONFLICT (dedupe_key) DO NOTHING
         RETURNING 1
       )
       SELECT (SELECT count(*)::int FROM del) AS deliveries, (SELECT count(*) FROM inb) AS inbox`,
      [JSON.stringify(events), JSON.stringify(items)],
    );
    return deliveries;
  }
}
