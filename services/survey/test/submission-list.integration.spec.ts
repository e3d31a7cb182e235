import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Role, startTestService, TestRun, type TestService } from '@kkb/testing';
import { SubmissionController } from '../src/submission/submission.controller';
import type { SubmissionListItemView } from '../src/submission/submission.view';
import { surveyService } from '../src/service';
import { profileSubmission, reportSubmission } from './factories';
import { seedKampung, type SeededKampung } from './survey.fixtures';

/** The list a verifier works from: kampung names, and filters by region, instrument and status. */
describe(`${SubmissionController.name} list`, () => {
  const run = new TestRun();
  const schema = run.schema('survey');
  let survey: TestService;
  let ds: DataSource;
  let ogan: SeededKampung;
  let banyuasin: SeededKampung;
  let lampung: SeededKampung;
  const ids: Record<string, string> = {};
  const march = { year: 2025, month: 3 };

  const list = async (query: string, token = run.token()) => {
    const res = await survey.request({ method: 'GET', url: `/api/v1/submissions${query}`, token });
    return { status: res.statusCode, body: res.json() as SubmissionListItemView[] };
  };
  const idsOf = (items: SubmissionListItemView[]) => items.map((s) => s.id).sort();

  beforeAll(async () => {
    survey = await startTestService(run, surveyService, { env: { SURVEY_OVERDUE_CHECK_MS: '0' } });
    ds = survey.app.get<DataSource>(getDataSourceToken());
    ogan = await seedKampung(ds, schema, '16.10.05.2041');
    banyuasin = await seedKampung(ds, schema, '16.07.01.2001');
    lampung = await seedKampung(ds, schema, '18.01.02.2003');
    const submit = async (key: string, body: { id: string }, scope: string) => {
      const res = await survey.request({
        method: 'POST',
        url: '/api/v1/submissions',
        payload: body,
        token: run.token(Role.field_officer, scope),
      });
      expect(res.statusCode).toBe(201);
      ids[key] = body.id;
    };
    await submit('oganReport', reportSubmission(ogan.kampungId, march), '16');
    await submit('oganProfile', profileSubmission(ogan.kampungId, march), '16');
    await submit('banyuasinReport', reportSubmission(banyuasin.kampungId, march), '16');
    await submit('lampungReport', reportSubmission(lampung.kampungId, march), '18');
    const verified = await survey.request({
      method: 'POST',
      url: `/api/v1/submissions/${ids.oganProfile}/verify`,
      token: run.token(Role.verifier, '16'),
    });
    expect(verified.statusCode).toBe(200);
  });

  afterAll(async () => {
    await survey?.close();
    await run.cleanup();
  });

  it("should carry each kampung's name and village code from the kampung projection", async () => {
    const { status, body } = await list('');
    expect(status).toBe(200);
    expect(body).toHaveLength(4);
    expect(body.find((s) => s.id === ids.oganReport)).toMatchObject({
      kampungId: ogan.kampungId,
      kampungName: 'Kampung KB 16.10.05.2041',
      villageCode: '16.10.05.2041',
      answers: expect.objectContaining({ pus: 640 }),
    });
  });

  it('should filter by region (dotted or compact), instrument, status and kampung', async () => {
    expect(idsOf((await list('?region=16.10')).body)).toEqual([ids.oganReport, ids.oganProfile].sort());
    expect(idsOf((await list('?region=1607')).body)).toEqual([ids.banyuasinReport]);
    expect(idsOf((await list('?region=16&instrument=monthly-report')).body)).toEqual(
      [ids.oganReport, ids.banyuasinReport].sort(),
    );
    expect(idsOf((await list('?instrument=kampung-profile')).body)).toEqual([ids.oganProfile]);
    expect(idsOf((await list('?status=verified')).body)).toEqual([ids.oganProfile]);
    expect(idsOf((await list('?status=submitted&region=16')).body)).toEqual(
      [ids.oganReport, ids.banyuasinReport].sort(),
    );
    expect(idsOf((await list(`?kampungId=${lampung.kampungId}`)).body)).toEqual([ids.lampungReport]);
  });

  it('should keep to the caller scope: a wider region is narrowed, another one is a 403', async () => {
    const regency = run.token(Role.verifier, '1610');
    expect(idsOf((await list('', regency)).body)).toEqual([ids.oganReport, ids.oganProfile].sort());
    expect(idsOf((await list('?region=16', regency)).body)).toEqual([ids.oganReport, ids.oganProfile].sort());
    expect((await list('?region=16.07', regency)).status).toBe(403);
    expect((await list('?region=18', run.token(Role.province, '16'))).status).toBe(403);
  });

  it('should refuse a malformed region or instrument', async () => {
    expect((await list('?region=16.1')).status).toBe(400);
    expect((await list('?instrument=Monthly%20Report')).status).toBe(400);
  });
});
