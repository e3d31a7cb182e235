import type { MigrationInterface, QueryRunner } from 'typeorm';
import { KAMPUNG_PROFILE_CODE } from '../instrument/seed/kampung-profile.v1';
import { kampungProfileV2 } from '../instrument/seed/kampung-profile.v2';
import { MONTHLY_REPORT_CODE } from '../instrument/seed/monthly-report.v1';
import { monthlyReportV2 } from '../instrument/seed/monthly-report.v2';
import { schemaOf } from '@kkb/persistence';

/**
 * Publishes version 2 of the kampung profile and the monthly programme report: version 1's
 * questions, code lists and rules with their words in Bahasa Indonesia and English (`labels`,
 * `descriptions`, `sections`). Version 1 stays as it was (published rows never change).
 */
export class SeedInstrumentsV21764300500600 implements MigrationInterface {
  name = 'SeedInstrumentsV21764300500600';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(
      `INSERT INTO ${s}.instrument (code, version, kind, title, definition, published_by)
       VALUES ($1, 2, 'profile', $2, $3::jsonb, 'migration'), ($4, 2, 'monthly-report', $5, $6::jsonb, 'migration')`,
      [
        KAMPUNG_PROFILE_CODE,
        'Kampung KB profile',
        JSON.stringify(kampungProfileV2),
        MONTHLY_REPORT_CODE,
        'Monthly programme report (KKBPK)',
        JSON.stringify(monthlyReportV2),
      ],
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    // Published rows are guarded by a trigger; only reverting this seed may remove them (and the
    // submissions' foreign key still refuses it once a submission answered version 2).
    await qr.query(`ALTER TABLE ${s}.instrument DISABLE TRIGGER instrument_immutable_trg`);
    await qr.query(`DELETE FROM ${s}.instrument WHERE version = 2 AND code IN ($1, $2)`, [
      KAMPUNG_PROFILE_CODE,
      MONTHLY_REPORT_CODE,
    ]);
    await qr.query(`ALTER TABLE ${s}.instrument ENABLE TRIGGER instrument_immutable_trg`);
  }
}
