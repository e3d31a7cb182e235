import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CloudEvent } from '@kkb/contracts';
import { schemaOf } from '@kkb/persistence';

/** The events taken in (`received_event`): recorded by the fan-out, read by the feed (FeedRepository). */
@Injectable()
export class ReceivedEventRepository {
  /** Records an event once; false when it was recorded before (a redelivery). */
  async record(m: EntityManager, event: CloudEvent<object>, region: string): Promise<boolean> {
    const inserted: unknown[] = await m.query(
      `INSERT INTO ${schemaOf(m)}.received_event (event_id, type, province_code, subject, occurred_at, event, region_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING RETURNING 1`,
      [
        event.id,
        event.type,
        event.province,
        event.subject,
        new Date(event.time),
        JSON.stringify(event),
        region,
      ],
    );
    return inserted.length > 0;
  }
}
