import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/** A row of received_event as read (the CloudEvent whole in `event`). */
export interface ReceivedEventRow {
  eventId: string;
  type: string;
  /** '00' for national events. */
  provinceCode: string;
  subject: string;
  occurredAt: Date;
  receivedAt: Date;
  event: Record<string, unknown>;
}

const COLUMNS = `event_id AS "eventId", type, province_code AS "provinceCode", subject,
  occurred_at AS "occurredAt", received_at AS "receivedAt", event`;

/** The events taken in (`received_event`): recorded by the fan-out, read by `GET /events`. */
@Injectable()
export class ReceivedEventRepository {
  /**
   * The newest events within a compact region prefix ('' the whole country; national events,
   * region '', reach every prefix), of one type if given.
   */
  async latest(
    m: EntityManager,
    f: { prefix: string; type?: string; limit: number },
  ): Promise<ReceivedEventRow[]> {
    return m.query(
      `SELECT ${COLUMNS} FROM ${schemaOf(m)}.received_event
        WHERE ($1::text = '' OR region_code = '' OR region_code LIKE $1 || '%') AND ($2::text IS NULL OR type = $2)
        ORDER BY occurred_at DESC LIMIT $3`,
      [f.prefix, f.type ?? null, f.limit],
    );
  }
}
