import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { provinceOf, type KampungStateV1 } from '@kkb/contracts';
import { schemaOf } from '@kkb/persistence';

/** A whole row of `kampung_projection`: a service's own copy of one kampung of the register. */
export interface KampungProjectionRow {
  kampungId: string;
  villageCode: string;
  provinceCode: string;
  name: string;
  /** `YYYY-MM-DD` */
  launchDate: string;
  active: boolean;
  modelRegency: boolean;
  modelProvince: boolean;
  /** WGS 84; null when the register has no coordinates. */
  latitude: number | null;
  longitude: number | null;
  mergedInto: string | null;
  /** The register version (the events' aggregate version) this row is at. */
  version: number;
  lastEventId: string;
  updatedAt: Date;
}

/** What a consumer needs to know of a kampung before it takes a report for it. */
export type ProjectedKampung = Pick<
  KampungProjectionRow,
  'kampungId' | 'villageCode' | 'launchDate' | 'active' | 'mergedInto'
>;

const COLUMNS = `kampung_id AS "kampungId", village_code AS "villageCode", province_code AS "provinceCode", name,
  launch_date AS "launchDate", active, model_regency AS "modelRegency", model_province AS "modelProvince",
  latitude, longitude, merged_into AS "mergedInto", version, last_event_id AS "lastEventId", updated_at AS "updatedAt"`;

/** The service's own copy of the register (`kampung_projection`), kept from registry events. */
@Injectable()
export class KampungProjectionRepository {
  /** Applies the state an event carries, unless the stored row is as new or newer (its version). */
  async apply(m: EntityManager, eventId: string, d: KampungStateV1): Promise<void> {
    await m.query(
      `INSERT INTO ${schemaOf(m)}.kampung_projection AS p
         (kampung_id, village_code, province_code, name, launch_date, active, merged_into, version, last_event_id,
          model_regency, model_province, latitude, longitude, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now())
       ON CONFLICT (kampung_id) DO UPDATE SET
         village_code = EXCLUDED.village_code, province_code = EXCLUDED.province_code, name = EXCLUDED.name,
         launch_date = EXCLUDED.launch_date, active = EXCLUDED.active, merged_into = EXCLUDED.merged_into,
         version = EXCLUDED.version, last_event_id = EXCLUDED.last_event_id,
         model_regency = EXCLUDED.model_regency, model_province = EXCLUDED.model_province,
         latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude, updated_at = now()
       WHERE p.version < EXCLUDED.version`,
      [
        d.kampungId,
        d.villageCode,
        provinceOf(d.villageCode),
        d.name,
        d.launchDate,
        d.active,
        d.mergedInto ?? null,
        d.version,
        eventId,
        d.modelRegency,
        d.modelProvince,
        d.latitude ?? null,
        d.longitude ?? null,
      ],
    );
  }

  async find(m: EntityManager, id: string): Promise<KampungProjectionRow | null> {
    const rows: KampungProjectionRow[] = await m.query(
      `SELECT ${COLUMNS} FROM ${schemaOf(m)}.kampung_projection WHERE kampung_id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async findMany(m: EntityManager, ids: string[]): Promise<ProjectedKampung[]> {
    if (!ids.length) return [];
    return m.query(
      `SELECT kampung_id AS "kampungId", village_code AS "villageCode", launch_date AS "launchDate", active,
              merged_into AS "mergedInto"
         FROM ${schemaOf(m)}.kampung_projection WHERE kampung_id = ANY($1::uuid[])`,
      [ids],
    );
  }
}
