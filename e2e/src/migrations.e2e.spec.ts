/* eslint-disable @nx/enforce-module-boundaries */
import { Client } from 'pg';
import {
  loadServiceConfig,
  migrateService,
  provisionService,
  revertService,
  type ServiceDefinition,
} from '@kkb/bootstrap';
import { TestRun } from '@kkb/testing';
import { classificationService } from '../../services/classification/src/service';
import { notificationsService } from '../../services/notifications/src/service';
import { registryService } from '../../services/registry/src/service';
import { surveyService } from '../../services/survey/src/service';

const SERVICES: ServiceDefinition[] = [
  registryService,
  surveyService,
  classificationService,
  notificationsService,
];

/** Every service's migrations go up, all the way down, and up again, inside its own schema only. */
describe('migrations', () => {
  const run = new TestRun();
  const db = new Client({ connectionString: run.databaseUrl });

  const tables = async (schema: string): Promise<string[]> =>
    (
      await db.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [
        schema,
      ])
    ).rows.map((r) => r.table_name);

  beforeAll(() => db.connect());
  afterAll(async () => {
    await db.end();
    await run.cleanup();
  });

  it.each(SERVICES.map((s) => [s.name, s] as const))(
    'should run %s migrations up, down and up again',
    async (_name, def) => {
      const config = loadServiceConfig(def, { ...process.env, ...run.env(def.name) });
      await provisionService(def, config);

      const first = await migrateService(def, config);
      expect(first).toHaveLength(def.migrations.length);
      const afterUp = await tables(config.DATABASE_SCHEMA);
      expect(afterUp).toEqual(expect.arrayContaining(['inbox', 'migrations', 'outbox']));
      expect(await migrateService(def, config)).toEqual([]);

      expect(await revertService(def, config, Infinity)).toBe(def.migrations.length);
      expect(await tables(config.DATABASE_SCHEMA)).toEqual(['migrations']);

      expect(await migrateService(def, config)).toHaveLength(def.migrations.length);
      expect(await tables(config.DATABASE_SCHEMA)).toEqual(afterUp);

      // Nothing landed outside the service's schema, and its role owns every table.
      const owners = await db.query('SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = $1', [
        config.DATABASE_SCHEMA,
      ]);
      expect(owners.rows.map((r) => r.tableowner)).toEqual([config.DATABASE_ROLE]);
    },
  );

  it('should keep one service role out of another service schema', async () => {
    const role = run.role('survey');
    await db.query('BEGIN');
    try {
      await db.query(`SET LOCAL ROLE "${role}"`);
      await expect(db.query(`SELECT 1 FROM "${run.schema('registry')}".outbox LIMIT 1`)).rejects.toThrow(
        /permission denied/,
      );
    } finally {
      await db.query('ROLLBACK');
    }
  });
});
