import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/**
 * A kampung's submissions, newest first (GET /submissions?kampungId=, the active profile): the
 * only index with kampung_id was the partial unique one on current submissions, which these
 * queries cannot use, so they scanned the whole table (274 ms at a year of national reports).
 */
export class IndexSubmissionKampung1764300500500 implements MigrationInterface {
  name = 'IndexSubmissionKampung1764300500500';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`CREATE INDEX submission_kampung_idx ON ${s}.submission (kampung_id, submitted_at DESC)`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP INDEX ${schemaOf(qr)}.submission_kampung_idx`);
  }
}
