import { Injectable } from '@nestjs/common';
import {
  kampungDeactivatedV1,
  kampungMergedV1,
  kampungReactivatedV1,
  kampungRegisteredV1,
  kampungUpdatedV1,
  provinceOf,
  type CloudEvent,
  type KampungStateV1,
} from '@kkb/contracts';
import type { EventHandler, HandlerContext } from '@kkb/messaging';
import { schemaOf } from '@kkb/persistence';

/**
 * Applies every kampung event to the local projection. Each event carries the whole state and
 * its aggregate version, so an event older than the stored row (out-of-order delivery across
 * replicas) changes nothing.
 */
@Injectable()
export class KampungProjectionHandler implements EventHandler<KampungStateV1> {
  readonly contracts = [
    kampungRegisteredV1,
    kampungUpdatedV1,
    kampungDeactivatedV1,
    kampungReactivatedV1,
    kampungMergedV1,
  ];

  async handle(event: CloudEvent<KampungStateV1>, { manager }: HandlerContext): Promise<void> {
    const d = event.data;
    await manager.query(
      `INSERT INTO ${schemaOf(manager)}.kampung_projection AS p
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
        event.id,
        d.modelRegency,
        d.modelProvince,
        d.latitude ?? null,
        d.longitude ?? null,
      ],
    );
  }
}
