import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/** The seed's reads of the register: South Sumatra's (province 16) villages and kampung. */
@Injectable()
export class SeedRepository {
  /** The active villages of province 16, by code. */
  villages(m: EntityManager): Promise<{ code: string; name: string; kind: string }[]> {
    return m.query(
      `SELECT code, name, kind FROM ${schemaOf(m)}.region WHERE level = 4 AND active AND code LIKE '16.%' ORDER BY code`,
    );
  }

  /** The village codes of province 16 that have an active Kampung KB. */
  async takenVillages(m: EntityManager): Promise<string[]> {
    const rows: { village_code: string }[] = await m.query(
      `SELECT village_code FROM ${schemaOf(m)}.kampung WHERE active AND village_code LIKE '16.%'`,
    );
    return rows.map((r) => r.village_code);
  }

  /** The active model kampung of province 16: the regency each is model of (if any), and whether of the province. */
  models(m: EntityManager): Promise<{ regency: string | null; province: boolean }[]> {
    return m.query(
      `SELECT CASE WHEN model_regency THEN left(village_code, 5) END AS regency, model_province AS province
         FROM ${schemaOf(m)}.kampung WHERE active AND village_code LIKE '16.%' AND (model_regency OR model_province)`,
    );
  }
}
