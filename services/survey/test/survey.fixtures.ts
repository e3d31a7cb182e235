import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

export interface SeededKampung {
  kampungId: string;
  villageCode: string;
}

/** Puts a kampung into the survey's projection as the registry's events would. */
export async function seedKampung(
  ds: DataSource,
  schema: string,
  villageCode: string,
  opts: { launchDate?: string; active?: boolean; kampungId?: string } = {},
): Promise<SeededKampung> {
  const kampungId = opts.kampungId ?? randomUUID();
  await ds.query(
    `INSERT INTO "${schema}".kampung_projection
       (kampung_id, village_code, province_code, name, launch_date, active, merged_into, version, last_event_id, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, NULL, 1, $7, now())`,
    [
      kampungId,
      villageCode,
      villageCode.slice(0, 2),
      `Kampung KB ${villageCode}`,
      opts.launchDate ?? '2020-01-15',
      opts.active ?? true,
      randomUUID(),
    ],
  );
  return { kampungId, villageCode };
}

/** Outbox events of one type, oldest first. */
export async function outboxEvents(
  ds: DataSource,
  schema: string,
  type: string,
  where = 'true',
  params: unknown[] = [],
): Promise<{ id: string; subject: string; payload: { data: Record<string, unknown>; province: string } }[]> {
  return ds.query(
    `SELECT id, subject, payload FROM "${schema}".outbox WHERE type = $1 AND (${where}) ORDER BY seq`,
    [type, ...params],
  );
}
