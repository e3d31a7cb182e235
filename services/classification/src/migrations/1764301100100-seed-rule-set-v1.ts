import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RULE_SET_V1, RULE_SET_V1_NAME } from '../rule-set/rule-set-v1';
import { schemaOf } from '@kkb/persistence';

/** Publishes rule set version 1 (the national code with its band gaps closed). */
export class SeedRuleSetV11764301100100 implements MigrationInterface {
  name = 'SeedRuleSetV11764301100100';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(
      `INSERT INTO ${schemaOf(qr)}.rule_set (version, name, status, definition, created_by, published_at, published_by)
       VALUES (1, $1, 'published', $2::jsonb, 'migration', now(), 'migration')`,
      [RULE_SET_V1_NAME, JSON.stringify(RULE_SET_V1)],
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    // The trigger protects published versions from the application; the down migration lifts it.
    await qr.query(`ALTER TABLE ${s}.rule_set DISABLE TRIGGER rule_set_immutable_trg`);
    await qr.query(`DELETE FROM ${s}.rule_set WHERE version = 1`);
    await qr.query(`ALTER TABLE ${s}.rule_set ENABLE TRIGGER rule_set_immutable_trg`);
  }
}
