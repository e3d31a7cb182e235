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

  /** Whether `consumer` has handled the event. */
  async has(m: EntityManager, consumer: string, eventId: string): Promise<boolean> {
    const handled: unknown[] = await m.query(
      `SELECT 1 FROM ${schemaOf(m)}.inbox WHERE consumer = $1 AND event_id = $2`,
      [consumer, eventId],
    );
    return handled.length > 0;
  }
}
