import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Role, startTestService, TestRun, type TestService } from '@kkb/testing';
import { surveyService } from '../src/service';
import { reportSubmission } from './factories';
import { seedKampung } from './survey.fixtures';

/**
 * A submission reads its kampung and, on a cold cache, its instrument inside its write
 * transaction. Every read must go through that transaction's connection: with more concurrent
 * submissions than pool connections, a read asking the pool for a second connection would wait
 * for ever (each connection held by a transaction waiting for another).
 */
describe('survey submissions with more concurrent writers than pool connections', () => {
  const run = new TestRun();
  const schema = run.schema('survey');
  let survey: TestService;
  let ds: DataSource;

  beforeAll(async () => {
    survey = await startTestService(run, surveyService, {
      env: { SURVEY_OVERDUE_CHECK_MS: '0', DATABASE_POOL_SIZE: '2' },
    });
    ds = survey.app.get<DataSource>(getDataSourceToken());
  });

  afterAll(async () => {
    await survey?.close();
    await run.cleanup();
  });

  it('should take every one, the instrument not loaded yet (no waiting for a second connection)', async () => {
    const kampung = [];
    for (let i = 0; i < 8; i++) kampung.push(await seedKampung(ds, schema, `16.10.05.${3000 + i}`));
    const token = run.token(Role.field_officer, '16');
    const answers = await Promise.race([
      Promise.all(
        kampung.map((k) =>
          survey.request({
            method: 'POST',
            url: '/api/v1/submissions',
            payload: reportSubmission(k.kampungId, { year: 2025, month: 4 }),
            token,
          }),
        ),
      ),
      new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 10_000).unref()),
    ]);
    expect(answers === 'stuck' ? 'stuck' : answers.map((a) => a.statusCode)).toEqual(Array(8).fill(201));
  }, 20_000);
});
