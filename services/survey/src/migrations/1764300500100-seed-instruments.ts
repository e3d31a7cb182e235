import type { MigrationInterface, QueryRunner } from 'typeorm';
import { KAMPUNG_PROFILE_CODE, kampungProfileV1 } from '../instrument/seed/kampung-profile.v1';
import { MONTHLY_REPORT_CODE, monthlyReportV1 } from '../instrument/seed/monthly-report.v1';
import { schemaOf } from '@kkb/persistence';

/** Publishes version 1 of the kampung profile and the monthly programme report. */
export class SeedInstruments1764300500100 implements MigrationInterface {
  name = 'SeedInstruments1764300500100';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(
      `INSERT INTO ${s}.instrument (code, version, kind, title, definition, published_by)
       VALUES ($1, 1, 'profile', $2, $3::jsonb, 'migration'), ($4, 1, 'monthly-report', $5, $6::jsonb, 'migration')`,
      [
        KAMPUNG_PROFILE_CODE,
        'Kampung KB profile',
        JSON.stringify(kampungProfileV1),
        MONTHLY_REPORT_CODE,
        'Monthly programme report (KKBPK)',
        JSON.stringify(monthlyReportV1),
      ],
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    // Published rows are guarded by a trigger; only reverting the seed itself may remove them.
    await qr.query(`ALTER TABLE ${s}.instrument DISABLE TRIGGER instrument_immutable_trg`);
    await qr.query(`DELETE FROM ${s}.instrument WHERE version = 1 AND code IN ($1, $2)`, [
      KAMPUNG_PROFILE_CODE,
      MONTHLY_REPORT_CODE,
    ]);
    await qr.query(`ALTER TABLE ${s}.instrument ENABLE TRIGGER instrument_immutable_trg`);
  }
}
