import type { EntityManager } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/** The only place that reads and writes the (consumer, event) inbox table. */
export class InboxRepository {
  /** Records the event as handled by `consumer`; false if it already was (a redelivery). */
  async record(m: EntityManager, consumer: string, eventId: string, type: string): Promise<boolean> {
    const inserted: unknown[] = await m.query(
      `INSERT INTO ${schemaOf(m)}.inbox (consumer, event_id, type) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING 1`,
      [consumer, eventId, type],
    );
    return inserted.length > 0;
  }

  /**
   * Records a batch of events as handled by `consumer` in one statement; returns the ids that were
   * new (an id already there, or twice in the batch, is returned at most once).
   */
  async recordMany(
    m: EntityManager,
    consumer: string,
    events: readonly { id: string; type: string }[],
  ): Promise<Set<string>> {
    const inserted: { event_id: string }[] = await m.query(
      `INSERT INTO ${schemaOf(m)}.inbox (consumer, event_id, type)
         SELECT $1, e.id, e.type FROM unnest($2::text[], $3::text[]) AS e (id, type)
         ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumer, events.map((e) => e.id), events.map((e) => e.type)],
    );
    return new Set(inserted.map((r) => r.event_id));
  }

  /** Whether `consumer` has handled the event. */
  async has(m: EntityManager, consumer: string, eventId: string): Promise<boolean> {
    const handled: unknown[] = await m.query(
      `SELECT 1 FROM ${schemaOf(m)}.inbox WHERE consumer = $1 AND event_id = $2`,
      [consumer, eventId],
    );
    return handled.length > 0;
  }
}
