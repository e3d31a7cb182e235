import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CloudEvent } from '@kkb/contracts';
import { schemaOf } from '@kkb/persistence';
import { ReceivedEvent } from './received-event.entity';

/** The events taken in (`received_event`): recorded by the fan-out, read by `GET /events`. */
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

  /**
   * The newest events within a compact region prefix ('' the whole country; national events,
   * region '', reach every prefix), of one type if given.
   */
  async latest(
    m: EntityManager,
    f: { prefix: string; type?: string; limit: number },
  ): Promise<ReceivedEvent[]> {
    const qb = m
      .getRepository(ReceivedEvent)
      .createQueryBuilder('e')
      .orderBy('e.occurred_at', 'DESC')
      .limit(f.limit);
    if (f.prefix)
      qb.andWhere(`(e.region_code = '' OR e.region_code LIKE :prefix || '%')`, { prefix: f.prefix });
    if (f.type) qb.andWhere('e.type = :type', { type: f.type });
    return qb.getMany();
  }
}
