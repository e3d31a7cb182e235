import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { checkEvent, reportOverdueV1 } from '@kkb/contracts';
import { eventually, Role, startTestService, TestRun, type TestService } from '@kkb/testing';
import { CLOCK, type Clock } from '../src/common/clock';
import { OverdueService } from '../src/overdue/overdue.service';
import { surveyService } from '../src/service';
import { profileSubmission, reportSubmission } from './factories';
import { outboxEvents, seedKampung, type SeededKampung } from './survey.fixtures';

describe(OverdueService.name, () => {
  const run = new TestRun();
  const schema = run.schema('survey');
  const quiet = { env: { SURVEY_OVERDUE_CHECK_MS: '0' } };
  let survey: TestService;
  let replica: TestService;
  let ds: DataSource;
  let a: SeededKampung, b: SeededKampung, c: SeededKampung, e: SeededKampung;

  const overdue = async (): Promise<string[]> =>
    (
      (await ds.query(
        `SELECT kampung_id, period_year, period_month FROM "${schema}".report_overdue ORDER BY 1, 2, 3`,
      )) as { kampung_id: string; period_year: number; period_month: number }[]
    ).map((r) => `${r.kampung_id}:${r.period_year}-${r.period_month}`);
  const events = () => outboxEvents(ds, schema, reportOverdueV1.type);
  const may10 = new Date('2025-05-10T03:00:00Z');
  const june10 = new Date('2025-06-10T03:00:00Z');

  beforeAll(async () => {
    survey = await startTestService(run, surveyService, quiet);
    replica = await startTestService(run, surveyService, quiet);
    ds = survey.app.get<DataSource>(getDataSourceToken());
    a = await seedKampung(ds, schema, '16.10.05.2001');
    b = await seedKampung(ds, schema, '16.10.05.2002', { launchDate: '2025-03-20' });
    c = await seedKampung(ds, schema, '16.10.05.2003');
    await seedKampung(ds, schema, '16.10.05.2004', { active: false });
    e = await seedKampung(ds, schema, '18.01.01.2005');
    const officer = run.token(Role.field_officer, '16');
    const verifier = run.token(Role.verifier, '16');
    const post = async (url: string, payload: unknown, token: string) => {
      const res = await survey.request({ method: 'POST', url, payload, token });
      if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    };
    // C: April submitted, March verified, February rejected (a rejected report does not count).
    await post('/api/v1/submissions', reportSubmission(c.kampungId, { year: 2025, month: 4 }), officer);
    const march = reportSubmission(c.kampungId, { year: 2025, month: 3 });
    await post('/api/v1/submissions', march, officer);
    await post(`/api/v1/submissions/${march.id}/verify`, {}, verifier);
    const feb = reportSubmission(c.kampungId, { year: 2025, month: 2 });
    await post('/api/v1/submissions', feb, officer);
    await post(`/api/v1/submissions/${feb.id}/reject`, { reason: 'totals do not add up' }, verifier);
    // E: a profile for April is not a monthly report.
    await post(
      '/api/v1/submissions',
      profileSubmission(e.kampungId, { year: 2025, month: 4 }),
      run.token(Role.field_officer, '18'),
    );
  });

  afterAll(async () => {
    await replica?.close();
    await survey?.close();
    await run.cleanup();
  });

  it('should publish one event per overdue kampung and month when replicas scan at once', async () => {
    const runs = await Promise.all([
      survey.app.get(OverdueService).runOnce(may10),
      replica.app.get(OverdueService).runOnce(may10),
      survey.app.get(OverdueService).runOnce(may10),
      replica.app.get(OverdueService).runOnce(may10),
    ]);
    expect(runs.reduce((n, r) => n + r.published, 0)).toBe(9);
    expect(await overdue()).toEqual(
      [
        `${a.kampungId}:2025-2`,
        `${a.kampungId}:2025-3`,
        `${a.kampungId}:2025-4`,
        `${b.kampungId}:2025-3`,
        `${b.kampungId}:2025-4`,
        `${c.kampungId}:2025-2`,
        `${e.kampungId}:2025-2`,
        `${e.kampungId}:2025-3`,
        `${e.kampungId}:2025-4`,
      ].sort(),
    );
    const published = await events();
    expect(published).toHaveLength(9);
    const march = published.find(
      (ev) =>
        ev.payload.data.kampungId === a.kampungId &&
        (ev.payload.data.period as { month: number }).month === 3,
    )!;
    expect(march.payload.data).toMatchObject({
      villageCode: '16.10.05.2001',
      period: { year: 2025, month: 3 },
      dueDate: '2025-04-03',
    });
    expect(march.subject).toBe(`${run.subjectRoot}.survey.report.overdue.v1.16`);
    expect((await checkEvent(march.payload, reportOverdueV1)).ok).toBe(true);
    expect(published.filter((ev) => ev.payload.province === '18')).toHaveLength(3);
  });

  it('should still publish exactly once when the scan lock is not there to help', async () => {
    const runs = await Promise.all(
      [survey, replica, survey, replica].map((s) =>
        s.app.get(OverdueService).runOnce(june10, { useLock: false }),
      ),
    );
    // May is now overdue for A, B, C and E; April and earlier were published already.
    expect(runs.reduce((n, r) => n + r.published, 0)).toBe(4);
    expect(await events()).toHaveLength(13);
    expect(new Set((await events()).map((ev) => ev.id)).size).toBe(13);
  });

  it('should publish nothing again after a restart', async () => {
    await replica.close();
    replica = await startTestService(run, surveyService, quiet);
    expect(await replica.app.get(OverdueService).runOnce(june10)).toEqual({ published: 0, skipped: false });
    expect(await survey.app.get(OverdueService).runOnce(may10)).toEqual({ published: 0, skipped: false });
    expect(await events()).toHaveLength(13);
  });

  it('should run on its own interval with the injected clock', async () => {
    const scheduled = await startTestService(run, surveyService, { env: { SURVEY_OVERDUE_CHECK_MS: '300' } });
    try {
      scheduled.app.get<Clock>(CLOCK).now = () => new Date('2025-07-04T01:00:00Z');
      await eventually(async () => (await events()).length, {
        until: (n) => n === 17,
        what: 'June overdue events',
      });
      expect((await overdue()).filter((k) => k.endsWith(':2025-6'))).toHaveLength(4);
    } finally {
      await scheduled.close();
    }
  });
});
