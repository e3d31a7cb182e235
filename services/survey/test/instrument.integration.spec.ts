import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Role, startTestService, TestRun, type TestService } from '@kkb/testing';
import { InstrumentController } from '../src/instrument/instrument.controller';
import type { InstrumentDefinition } from '@kkb/instrument-rules';
import { monthlyReportV1 } from '../src/instrument/seed/monthly-report.v1';
import { monthlyReportV2 } from '../src/instrument/seed/monthly-report.v2';
import { surveyService } from '../src/service';
import { reportAnswers, reportSubmission } from './factories';
import { seedKampung } from './survey.fixtures';

describe(InstrumentController.name, () => {
  const run = new TestRun();
  const schema = run.schema('survey');
  let survey: TestService;
  let ds: DataSource;

  beforeAll(async () => {
    survey = await startTestService(run, surveyService, { env: { SURVEY_OVERDUE_CHECK_MS: '0' } });
    ds = survey.app.get<DataSource>(getDataSourceToken());
  });

  afterAll(async () => {
    await survey?.close();
    await run.cleanup();
  });

  /** Version 3 of the monthly report, published by a test: version 2 (seeded) plus a question. */
  const v3: InstrumentDefinition = {
    ...monthlyReportV2,
    questions: [
      ...monthlyReportV2.questions,
      {
        id: 'kie_sessions',
        type: 'integer',
        label: 'Counselling (KIE) sessions held',
        labels: {
          id: 'Sesi KIE (komunikasi, informasi dan edukasi) yang diadakan',
          en: 'Counselling (KIE) sessions held',
        },
        section: 'family_planning',
        required: false,
        min: 0,
      },
    ],
  };

  it('should seed and publish versions 1 and 2 of both instruments', async () => {
    const res = await survey.request({
      method: 'GET',
      url: '/api/v1/instruments',
      token: run.token(Role.integrator, ''),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      expect.objectContaining({ code: 'kampung-profile', version: 1, kind: 'profile' }),
      expect.objectContaining({ code: 'kampung-profile', version: 2, kind: 'profile' }),
      expect.objectContaining({ code: 'monthly-report', version: 1, kind: 'monthly-report' }),
      expect.objectContaining({ code: 'monthly-report', version: 2, kind: 'monthly-report' }),
    ]);
    const report = await survey.request({ method: 'GET', url: '/api/v1/instruments/monthly-report' });
    const latest = report.json() as { version: number; definition: InstrumentDefinition };
    expect(latest.version).toBe(2);
    const ids = latest.definition.questions.map((q) => q.id);
    expect(ids).toEqual(
      expect.arrayContaining(['pus', 'users_iud', 'nonusers_tial', 'bpjs_users', 'pik_r_target_families']),
    );
    // Version 2 is served with its words, exactly as seeded; version 1 has none.
    expect(latest.definition).toEqual(JSON.parse(JSON.stringify(monthlyReportV2)));
    expect(latest.definition.rules.find((r) => r.id === 'users_lte_pus')?.descriptions?.id).toBe(
      'Peserta KB per metode tidak boleh melebihi PUS',
    );
    const v1 = await survey.request({ method: 'GET', url: '/api/v1/instruments/monthly-report/versions/1' });
    const old = (v1.json() as { definition: InstrumentDefinition }).definition;
    expect(old.sections).toBeUndefined();
    expect(old.questions.every((q) => q.labels === undefined)).toBe(true);
    const profile = await survey.request({ method: 'GET', url: '/api/v1/instruments/kampung-profile' });
    expect(profile.json()).toMatchObject({ version: 2, definition: { sections: expect.any(Array) } });
  });

  it('should check answers against version 2 as against version 1, and name the version answered', async () => {
    const k = await seedKampung(ds, schema, '16.10.05.2042');
    const officer = run.token(Role.field_officer, '16');
    const bad = reportAnswers({ pus: 100 });
    const [onV1, onV2] = await Promise.all(
      [1, 2].map((instrumentVersion) =>
        survey.request({
          method: 'POST',
          url: '/api/v1/submissions',
          payload: reportSubmission(
            k.kampungId,
            { year: 2025, month: 2 },
            { instrumentVersion, answers: bad },
          ),
          token: officer,
        }),
      ),
    );
    expect(onV2.statusCode).toBe(400);
    expect((onV2.json() as { errors: unknown }).errors).toEqual((onV1.json() as { errors: unknown }).errors);
    const ok = await survey.request({
      method: 'POST',
      url: '/api/v1/submissions',
      payload: reportSubmission(k.kampungId, { year: 2025, month: 2 }, { instrumentVersion: 2 }),
      token: officer,
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ instrumentCode: 'monthly-report', instrumentVersion: 2 });
  });

  it('should let only the national role publish, as a new version beside the old', async () => {
    const payload = { title: 'Monthly programme report, with KIE', definition: v3 };
    const province = await survey.request({
      method: 'POST',
      url: '/api/v1/instruments/monthly-report/versions',
      payload,
      token: run.token(Role.province, '16'),
    });
    expect(province.statusCode).toBe(403);
    const res = await survey.request({
      method: 'POST',
      url: '/api/v1/instruments/monthly-report/versions',
      payload,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      code: 'monthly-report',
      version: 3,
      kind: 'monthly-report',
      publishedBy: 'test-national',
    });
    const latest = await survey.request({ method: 'GET', url: '/api/v1/instruments/monthly-report' });
    expect((latest.json() as { version: number }).version).toBe(3);
    const v1 = await survey.request({ method: 'GET', url: '/api/v1/instruments/monthly-report/versions/1' });
    expect((v1.json() as { definition: InstrumentDefinition }).definition.questions).toHaveLength(
      monthlyReportV1.questions.length,
    );
  });

  it('should record the version a submission answered, and check answers against that version', async () => {
    const k = await seedKampung(ds, schema, '16.10.05.2041');
    const officer = run.token(Role.field_officer, '16');
    const onV1 = await survey.request({
      method: 'POST',
      url: '/api/v1/submissions',
      payload: reportSubmission(
        k.kampungId,
        { year: 2025, month: 1 },
        { answers: reportAnswers({ kie_sessions: 3 }) },
      ),
      token: officer,
    });
    expect(onV1.statusCode).toBe(400);
    expect((onV1.json() as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      'answers.kie_sessions',
    ]);
    const onV3 = await survey.request({
      method: 'POST',
      url: '/api/v1/submissions',
      payload: reportSubmission(
        k.kampungId,
        { year: 2025, month: 1 },
        { instrumentVersion: 3, answers: reportAnswers({ kie_sessions: 3 }) },
      ),
      token: officer,
    });
    expect(onV3.statusCode).toBe(201);
    expect(onV3.json()).toMatchObject({ instrumentVersion: 3, answers: { kie_sessions: 3 } });
  });

  it('should refuse a definition it could not interpret, naming every problem', async () => {
    const broken = { ...v3, rules: [{ id: 'x', rule: 'sum_lte', fields: ['nothing'], limit: 'pus' }] };
    const res = await survey.request({
      method: 'POST',
      url: '/api/v1/instruments/monthly-report/versions',
      payload: { title: 'broken', kind: 'profile', definition: broken },
    });
    expect(res.statusCode).toBe(400);
    expect((res.json() as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      'definition.rules[0].fields',
      'kind',
    ]);
    const fresh = await survey.request({
      method: 'POST',
      url: '/api/v1/instruments/activity-log/versions',
      payload: { title: 'no kind', definition: v3 },
    });
    // A new code needs its kind, or was mistyped: both are named.
    expect((fresh.json() as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      'code',
      'kind',
    ]);
  });

  it('should keep a published version immutable even to direct SQL', async () => {
    await expect(
      ds.query(
        `UPDATE "${schema}".instrument SET title = 'changed' WHERE code = 'monthly-report' AND version = 1`,
      ),
    ).rejects.toThrow(/published and cannot change/);
    await expect(
      ds.query(`DELETE FROM "${schema}".instrument WHERE code = 'kampung-profile'`),
    ).rejects.toThrow(/published and cannot change/);
  });
});
