import { randomUUID } from 'node:crypto';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { checkEvent, submissionVerifiedV1 } from '@kkb/contracts';
import { NatsConnectionService, streamName } from '@kkb/messaging';
import { eventually, Role, startTestService, TestRun, type TestService } from '@kkb/testing';
import { SubmissionController } from '../src/submission/submission.controller';
import type { SubmissionView } from '../src/submission/submission.view';
import { surveyService } from '../src/service';
import { profileSubmission, reportAnswers, reportSubmission, type SubmissionBody } from './factories';
import { outboxEvents, seedKampung } from './survey.fixtures';

interface Problem {
  status: number;
  detail?: string;
  errors?: { field: string; reason: string }[];
}

describe(SubmissionController.name, () => {
  const run = new TestRun();
  const schema = run.schema('survey');
  let survey: TestService;
  let ds: DataSource;
  let village = 2000;
  const officer16 = run.token(Role.field_officer, '16');
  const verifier1610 = run.token(Role.verifier, '1610');
  const march = { year: 2025, month: 3 };

  /** A fresh kampung in regency 16.10 (or the given district prefix). */
  const kampung = (prefix = '16.10.05', opts: { launchDate?: string; active?: boolean } = {}) =>
    seedKampung(ds, schema, `${prefix}.${village++}`, opts);

  const submit = (body: unknown, token = officer16) =>
    survey.request({ method: 'POST', url: '/api/v1/submissions', payload: body, token });

  const rowsOf = async (kampungId: string) =>
    ds.query(
      `SELECT id, status, supersedes, superseded_by FROM "${schema}".submission WHERE kampung_id = $1 ORDER BY submitted_at, id`,
      [kampungId],
    );

  beforeAll(async () => {
    survey = await startTestService(run, surveyService, { env: { SURVEY_OVERDUE_CHECK_MS: '0' } });
    ds = survey.app.get<DataSource>(getDataSourceToken());
  });

  afterAll(async () => {
    await survey?.close();
    await run.cleanup();
  });

  describe('validation', () => {
    it('should accept a valid monthly report and commit its submitted event with it', async () => {
      const k = await kampung();
      const body = reportSubmission(k.kampungId, march);
      const res = await submit(body);
      expect(res.statusCode).toBe(201);
      const view = res.json() as SubmissionView;
      expect(view).toMatchObject({
        id: body.id,
        kampungId: k.kampungId,
        villageCode: k.villageCode,
        instrumentCode: 'monthly-report',
        instrumentVersion: 1,
        kind: 'monthly-report',
        period: march,
        status: 'submitted',
        submittedBy: 'test-field_officer',
        via: 'api',
      });
      expect(view.answers).toEqual(body.answers);
      const events = await outboxEvents(
        ds,
        schema,
        'kkb.survey.submission.submitted.v1',
        `payload->'data'->>'submissionId' = $2`,
        [body.id],
      );
      expect(events).toHaveLength(1);
      expect(events[0].subject).toBe(`${run.subjectRoot}.survey.submission.submitted.v1.16`);
      expect(events[0].payload.data).toMatchObject({ kampungId: k.kampungId, period: march, via: 'api' });
    });

    it('should list every failing field with its reason in one problem and write nothing', async () => {
      const k = await kampung();
      const answers: Record<string, unknown> = reportAnswers({ pus: 'many', users_pill: -2, colour: 'red' });
      delete answers.bkb_participants;
      const res = await submit({
        ...reportSubmission(k.kampungId, { year: 2025, month: 13 }),
        answers,
        extra: 1,
      });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = res.json() as Problem;
      expect(problem.errors!.map((e) => e.field).sort()).toEqual(
        [
          'answers.bkb_participants',
          'answers.colour',
          'answers.pus',
          'answers.users_pill',
          'extra',
          'period.month',
        ].sort(),
      );
      expect(problem.errors!.find((e) => e.field === 'answers.pus')!.reason).toBe('must be a number');
      expect(await rowsOf(k.kampungId)).toEqual([]);
    });

    it.each<[string, Record<string, unknown>, string[]]>([
      [
        'contraceptive users above the PUS',
        {
          pus: 400,
          nonusers_pregnant: 0,
          nonusers_want_child_now: 0,
          nonusers_iat: 0,
          nonusers_tial: 0,
          bpjs_users: 0,
        },
        ['iud', 'mow', 'mop', 'condom', 'implant', 'injection', 'pill'].map((m) => `answers.users_${m}`),
      ],
      [
        'non-users above the PUS minus the users',
        { pus: 500, bpjs_users: 0 },
        ['pregnant', 'want_child_now', 'iat', 'tial'].map((r) => `answers.nonusers_${r}`),
      ],
      ['BKB participants above its target families', { bkb_participants: 121 }, ['answers.bkb_participants']],
      ['BKR participants above its target families', { bkr_participants: 91 }, ['answers.bkr_participants']],
      ['BKL participants above its target families', { bkl_participants: 61 }, ['answers.bkl_participants']],
      [
        'UPPKA participants above its target families',
        { uppka_participants: 31 },
        ['answers.uppka_participants'],
      ],
      [
        'PIK-R participants above its target families',
        { pik_r_participants: 81 },
        ['answers.pik_r_participants'],
      ],
      ['BPJS users above the PUS', { bpjs_users: 641 }, ['answers.bpjs_users']],
    ])(
      'should refuse a monthly report with %s, naming the fields of the rule',
      async (_what, over, fields) => {
        const k = await kampung();
        const res = await submit(reportSubmission(k.kampungId, march, { answers: reportAnswers(over) }));
        expect(res.statusCode).toBe(400);
        const problem = res.json() as Problem;
        expect(problem.errors!.map((e) => e.field).sort()).toEqual([...fields].sort());
        expect(problem.errors![0].reason).toMatch(/must not exceed .*\[rule /);
        expect(await rowsOf(k.kampungId)).toEqual([]);
      },
    );

    it.each(['toddler', 'teen', 'elderly'])(
      'should refuse a profile with more families with a %s than families',
      async (who) => {
        const k = await kampung();
        const body = profileSubmission(k.kampungId, march);
        body.answers[`families_with_${who}`] = 901;
        const res = await submit(body);
        expect(res.statusCode).toBe(400);
        expect((res.json() as Problem).errors).toEqual([
          {
            field: `answers.families_with_${who}`,
            reason: expect.stringMatching(/must not exceed families \(900\)/),
          },
        ]);
      },
    );

    it('should refuse a kampung the projection does not know, an inactive one, and periods outside its life', async () => {
      const unknown = await submit(reportSubmission(randomUUID(), march));
      expect(unknown.statusCode).toBe(400);
      expect((unknown.json() as Problem).errors).toEqual([
        { field: 'kampungId', reason: 'no Kampung KB with this id is known to the survey service' },
      ]);
      const inactive = await kampung('16.10.05', { active: false });
      expect(
        ((await submit(reportSubmission(inactive.kampungId, march))).json() as Problem).errors![0],
      ).toEqual({
        field: 'kampungId',
        reason: 'the Kampung KB is not active (deactivated or merged)',
      });
      const young = await kampung('16.10.05', { launchDate: '2024-06-20' });
      const before = await submit(reportSubmission(young.kampungId, { year: 2024, month: 5 }));
      expect((before.json() as Problem).errors).toEqual([
        { field: 'period', reason: "the period is before the kampung's launch on 2024-06-20" },
      ]);
      expect((await submit(reportSubmission(young.kampungId, { year: 2024, month: 6 }))).statusCode).toBe(
        201,
      );
      const future = await submit(reportSubmission(young.kampungId, { year: 2099, month: 1 }));
      expect((future.json() as Problem).errors).toEqual([
        { field: 'period', reason: 'the period has not begun yet' },
      ]);
    });

    it('should refuse an instrument version that was never published', async () => {
      const k = await kampung();
      const res = await submit(reportSubmission(k.kampungId, march, { instrumentVersion: 99 }));
      expect(res.statusCode).toBe(400);
      expect((res.json() as Problem).errors).toEqual([
        { field: 'instrumentVersion', reason: 'instrument monthly-report has no published version 99' },
      ]);
      // An instrument that does not exist is the code's fault, not the version's.
      const unknown = await submit(reportSubmission(k.kampungId, march, { instrumentCode: 'activity-log' }));
      expect((unknown.json() as Problem).errors).toEqual([
        { field: 'instrumentCode', reason: 'there is no instrument activity-log' },
      ]);
    });
  });

  describe('idempotency', () => {
    it('should answer a retry with the same id and body with the stored submission, written once', async () => {
      const k = await kampung();
      const body = reportSubmission(k.kampungId, march);
      const first = await submit(body);
      expect(first.statusCode).toBe(201);
      // Key order differs: the canonical body is what counts.
      const reordered = {
        answers: Object.fromEntries(Object.entries(body.answers).reverse()),
        period: { month: 3, year: 2025 },
        instrumentVersion: body.instrumentVersion,
        instrumentCode: body.instrumentCode,
        kampungId: body.kampungId,
        id: body.id,
      };
      const retry = await submit(reordered);
      expect(retry.statusCode).toBe(200);
      expect(retry.json()).toEqual(first.json());
      expect(await rowsOf(k.kampungId)).toHaveLength(1);
      const events = await outboxEvents(
        ds,
        schema,
        'kkb.survey.submission.submitted.v1',
        `payload->'data'->>'submissionId' = $2`,
        [body.id],
      );
      expect(events).toHaveLength(1);
    });

    it('should refuse the same id with a different body with 409 and change nothing', async () => {
      const k = await kampung();
      const body = reportSubmission(k.kampungId, march);
      expect((await submit(body)).statusCode).toBe(201);
      const changed = await submit({ ...body, answers: reportAnswers({ users_pill: 61 }) });
      expect(changed.statusCode).toBe(409);
      expect(changed.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((changed.json() as Problem).errors).toEqual([
        { field: 'id', reason: 'already used for a submission with different content' },
      ]);
      const stored = await survey.request({ method: 'GET', url: `/api/v1/submissions/${body.id}` });
      expect((stored.json() as SubmissionView).answers.users_pill).toBe(60);
      expect(await rowsOf(k.kampungId)).toHaveLength(1);
    });

    it('should create exactly one submission when the same submission races with itself', async () => {
      const k = await kampung();
      const body = reportSubmission(k.kampungId, march);
      const results = await Promise.all(Array.from({ length: 8 }, () => submit(body)));
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
      expect(await rowsOf(k.kampungId)).toHaveLength(1);
    });

    it('should take a device-made id in upper case, store it in lower case, and see a retry in either case as the same', async () => {
      const k = await kampung();
      const body = reportSubmission(k.kampungId, march);
      const upper = { ...body, id: body.id.toUpperCase() };
      const first = await submit(upper);
      expect(first.statusCode).toBe(201);
      expect(first.json()).toMatchObject({ id: body.id, kampungId: k.kampungId });
      for (const retry of [upper, body, { ...upper, kampungId: k.kampungId.toUpperCase() }]) {
        const res = await submit(retry);
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual(first.json());
      }
      expect(await rowsOf(k.kampungId)).toEqual([expect.objectContaining({ id: body.id })]);
      const events = await outboxEvents(
        ds,
        schema,
        'kkb.survey.submission.submitted.v1',
        `payload->'data'->>'submissionId' = $2`,
        [body.id],
      );
      expect(events).toHaveLength(1);
      const changed = await submit({ ...upper, answers: reportAnswers({ users_pill: 61 }) });
      expect(changed.statusCode).toBe(409);
      const byUpper = await survey.request({ method: 'GET', url: `/api/v1/submissions/${upper.id}` });
      expect(byUpper.statusCode).toBe(200);
      expect((byUpper.json() as SubmissionView).id).toBe(body.id);
    });
  });

  describe('hostile input', () => {
    const json = (payload: string) =>
      survey.request({
        method: 'POST',
        url: '/api/v1/submissions',
        payload,
        token: officer16,
        headers: { 'content-type': 'application/json' },
      });

    it('should answer a 20,000-deep array in the answers with a 400 naming the field, quickly, and write nothing', async () => {
      const k = await kampung();
      const body = JSON.stringify(reportSubmission(k.kampungId, march, { answers: { pus: 1 } }));
      const deep = '['.repeat(20_000) + ']'.repeat(20_000);
      const started = Date.now();
      const res = await json(body.replace('{"pus":1}', `{"pus":${deep}}`));
      expect(Date.now() - started).toBeLessThan(2000);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const [error] = (res.json() as Problem).errors!;
      expect(error.field).toMatch(/^answers\.pus\.0\.0/);
      expect(error.reason).toMatch(/nested more than 32 levels deep/);
      expect(await rowsOf(k.kampungId)).toEqual([]);
    });

    it('should refuse a NUL character or a lone surrogate anywhere with a 400 naming the field, never a 500', async () => {
      const k = await kampung();
      const nul = await submit(
        reportSubmission(k.kampungId, march, { instrumentCode: 'monthly-report\u0000' }),
      );
      expect(nul.statusCode).toBe(400);
      expect((nul.json() as Problem).errors).toEqual([
        { field: 'instrumentCode', reason: expect.stringContaining('NUL character') },
      ]);
      const lone = await json(
        JSON.stringify(reportSubmission(k.kampungId, march)).replace(
          '"answers":{',
          '"answers":{"note":"\\ud800",',
        ),
      );
      expect(lone.statusCode).toBe(400);
      expect((lone.json() as Problem).errors).toEqual([
        { field: 'answers.note', reason: expect.stringContaining('lone UTF-16 surrogate') },
      ]);
      const query = await survey.request({ method: 'GET', url: '/api/v1/submissions?region=16%00' });
      expect(query.statusCode).toBe(400);
      expect((query.json() as Problem).errors).toEqual([
        { field: 'region', reason: expect.stringContaining('NUL character') },
      ]);
      expect(await rowsOf(k.kampungId)).toEqual([]);
    });

    it('should answer an over-long path with a 414 problem that does not echo the path', async () => {
      const res = await survey.request({ method: 'GET', url: `/api/v1/submissions/${'a'.repeat(500)}` });
      expect(res.statusCode).toBe(414);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['x-correlation-id']).toBeTruthy();
      expect(res.body).not.toContain('aaaaaaaaaa');
      expect(res.json()).toMatchObject({ status: 414, errors: [{ field: 'path' }] });
    });
  });

  describe('supersede', () => {
    it('should supersede the current submission of the period, keep both in the history and say so in events', async () => {
      const k = await kampung();
      const first = reportSubmission(k.kampungId, march);
      const second = reportSubmission(k.kampungId, march, { answers: reportAnswers({ users_pill: 61 }) });
      expect((await submit(first)).statusCode).toBe(201);
      const res = await submit(second);
      expect(res.statusCode).toBe(201);
      expect((res.json() as SubmissionView).supersedes).toBe(first.id);
      expect(await rowsOf(k.kampungId)).toEqual([
        { id: first.id, status: 'superseded', supersedes: null, superseded_by: second.id },
        { id: second.id, status: 'submitted', supersedes: first.id, superseded_by: null },
      ]);
      const superseded = await outboxEvents(
        ds,
        schema,
        'kkb.survey.submission.superseded.v1',
        `payload->'data'->>'submissionId' = $2`,
        [first.id],
      );
      expect(superseded.map((e) => e.payload.data)).toEqual([
        expect.objectContaining({ supersededBy: second.id, previousStatus: 'submitted', period: march }),
      ]);
      const submitted = await outboxEvents(
        ds,
        schema,
        'kkb.survey.submission.submitted.v1',
        `payload->'data'->>'submissionId' = $2`,
        [second.id],
      );
      expect(submitted[0].payload.data.supersedes).toBe(first.id);

      const history = await survey.request({
        method: 'GET',
        url: `/api/v1/submissions?kampungId=${k.kampungId}`,
      });
      expect((history.json() as SubmissionView[]).map((s) => s.id).sort()).toEqual(
        [first.id, second.id].sort(),
      );
      const current = await survey.request({
        method: 'GET',
        url: `/api/v1/submissions?kampungId=${k.kampungId}&current=true`,
      });
      expect((current.json() as SubmissionView[]).map((s) => s.id)).toEqual([second.id]);
    });

    it('should keep a profile and a report of the same period apart', async () => {
      const k = await kampung();
      expect((await submit(reportSubmission(k.kampungId, march))).statusCode).toBe(201);
      expect((await submit(profileSubmission(k.kampungId, march))).statusCode).toBe(201);
      expect((await rowsOf(k.kampungId)).map((r: { status: string }) => r.status)).toEqual([
        'submitted',
        'submitted',
      ]);
    });

    it('should leave one current submission when different submissions for one period race', async () => {
      const k = await kampung();
      const bodies = Array.from({ length: 6 }, (_, i) =>
        reportSubmission(k.kampungId, march, { answers: reportAnswers({ users_pill: i }) }),
      );
      const results = await Promise.all(bodies.map((b) => submit(b)));
      expect(results.map((r) => r.statusCode)).toEqual(bodies.map(() => 201));
      const rows: { status: string }[] = await rowsOf(k.kampungId);
      expect(rows.filter((r) => r.status !== 'superseded')).toHaveLength(1);
      expect(rows).toHaveLength(6);
    });
  });

  describe('workflow', () => {
    it('should verify a submission and publish the answers the classification needs', async () => {
      const k = await kampung();
      const body = reportSubmission(k.kampungId, march);
      await submit(body);
      const res = await survey.request({
        method: 'POST',
        url: `/api/v1/submissions/${body.id}/verify`,
        token: verifier1610,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'verified', verifiedBy: 'test-verifier' });
      const [event] = await outboxEvents(
        ds,
        schema,
        submissionVerifiedV1.type,
        `payload->'data'->>'submissionId' = $2`,
        [body.id],
      );
      expect(event.payload.data).toMatchObject({
        submissionId: body.id,
        kampungId: k.kampungId,
        villageCode: k.villageCode,
        instrumentCode: 'monthly-report',
        instrumentVersion: 1,
        kind: 'monthly-report',
        period: march,
        verifiedBy: 'test-verifier',
        answers: body.answers,
      });
      const check = await checkEvent(event.payload, submissionVerifiedV1);
      expect(check.ok).toBe(true);

      const again = await survey.request({
        method: 'POST',
        url: `/api/v1/submissions/${body.id}/verify`,
        token: verifier1610,
      });
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({ submissionStatus: 'verified' });
    });

    it('should publish the verified event to JetStream through the outbox relay', async () => {
      const k = await kampung();
      const body = reportSubmission(k.kampungId, march);
      await submit(body);
      await survey.request({
        method: 'POST',
        url: `/api/v1/submissions/${body.id}/verify`,
        token: verifier1610,
      });
      const nats = survey.app.get(NatsConnectionService);
      const stream = streamName(run.streamPrefix, 'survey');
      const subject = `${run.subjectRoot}.survey.submission.verified.v1.16`;
      const msg = await eventually(
        async () => {
          const m = await nats.jsm.streams.getMessage(stream, { last_by_subj: subject });
          const ev = m!.json<{ data: { submissionId: string } }>();
          return ev.data.submissionId === body.id ? ev : undefined;
        },
        { what: 'verified event on the stream' },
      );
      expect((await checkEvent(msg, submissionVerifiedV1)).ok).toBe(true);
    });

    it('should reject with a reason, and let a corrected submission supersede the rejected one', async () => {
      const k = await kampung();
      const body = reportSubmission(k.kampungId, march);
      await submit(body);
      const noReason = await survey.request({
        method: 'POST',
        url: `/api/v1/submissions/${body.id}/reject`,
        payload: {},
        token: verifier1610,
      });
      expect(noReason.statusCode).toBe(400);
      expect((noReason.json() as Problem).errors!.map((e) => e.field)).toContain('reason');
      const res = await survey.request({
        method: 'POST',
        url: `/api/v1/submissions/${body.id}/reject`,
        payload: { reason: 'Injection users look doubled' },
        token: verifier1610,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        status: 'rejected',
        rejectionReason: 'Injection users look doubled',
      });
      const [rejected] = await outboxEvents(
        ds,
        schema,
        'kkb.survey.submission.rejected.v1',
        `payload->'data'->>'submissionId' = $2`,
        [body.id],
      );
      expect(rejected.payload.data).toMatchObject({
        reason: 'Injection users look doubled',
        rejectedBy: 'test-verifier',
      });

      const verifyRejected = await survey.request({
        method: 'POST',
        url: `/api/v1/submissions/${body.id}/verify`,
        token: verifier1610,
      });
      expect(verifyRejected.statusCode).toBe(409);

      const corrected = reportSubmission(k.kampungId, march, {
        answers: reportAnswers({ users_injection: 100 }),
      });
      const again = await submit(corrected);
      expect(again.statusCode).toBe(201);
      const [superseded] = await outboxEvents(
        ds,
        schema,
        'kkb.survey.submission.superseded.v1',
        `payload->'data'->>'submissionId' = $2`,
        [body.id],
      );
      expect(superseded.payload.data).toMatchObject({
        previousStatus: 'rejected',
        supersededBy: corrected.id,
      });
      const verified = await survey.request({
        method: 'POST',
        url: `/api/v1/submissions/${corrected.id}/verify`,
        token: verifier1610,
      });
      expect(verified.statusCode).toBe(200);
    });

    it('should serve the verified profile of the latest period as the active profile', async () => {
      const k = await kampung();
      const jan = profileSubmission(k.kampungId, { year: 2025, month: 1 });
      const feb = profileSubmission(k.kampungId, { year: 2025, month: 2 });
      const none = await survey.request({ method: 'GET', url: `/api/v1/kampung/${k.kampungId}/profile` });
      expect(none.statusCode).toBe(404);
      for (const b of [jan, feb]) {
        await submit(b);
        await survey.request({
          method: 'POST',
          url: `/api/v1/submissions/${b.id}/verify`,
          token: verifier1610,
        });
      }
      const active = await survey.request({ method: 'GET', url: `/api/v1/kampung/${k.kampungId}/profile` });
      expect((active.json() as SubmissionView).id).toBe(feb.id);
    });
  });

  describe('region scope', () => {
    it('should let a field officer submit only within the scope, and only a field officer submit', async () => {
      const outside = await kampung('18.01.01');
      const before = await rowsOf(outside.kampungId);
      const res = await submit(reportSubmission(outside.kampungId, march));
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await rowsOf(outside.kampungId)).toEqual(before);
      const inside = await kampung();
      for (const role of [Role.national, Role.verifier, Role.integrator]) {
        const r = await submit(
          reportSubmission(inside.kampungId, march),
          run.token(role, role === Role.national ? '' : '16'),
        );
        expect({ role, status: r.statusCode }).toEqual({ role, status: 403 });
      }
      expect(
        (await submit(reportSubmission(inside.kampungId, march), run.token(Role.field_officer, '161005')))
          .statusCode,
      ).toBe(201);
    });

    it('should let a verifier verify or reject only within the scope', async () => {
      const other = await kampung('16.71.01');
      const body: SubmissionBody = reportSubmission(other.kampungId, march);
      expect((await submit(body)).statusCode).toBe(201);
      for (const action of ['verify', 'reject']) {
        const res = await survey.request({
          method: 'POST',
          url: `/api/v1/submissions/${body.id}/${action}`,
          payload: { reason: 'no' },
          token: verifier1610,
        });
        expect({ action, status: res.statusCode }).toEqual({ action, status: 403 });
      }
      const officer = await survey.request({
        method: 'POST',
        url: `/api/v1/submissions/${body.id}/verify`,
        token: officer16,
      });
      expect(officer.statusCode).toBe(403);
      const right = await survey.request({
        method: 'POST',
        url: `/api/v1/submissions/${body.id}/verify`,
        token: run.token(Role.verifier, '1671'),
      });
      expect(right.statusCode).toBe(200);
    });

    it('should show readers only the submissions of their region', async () => {
      const here = await kampung('16.10.07');
      const there = await kampung('18.01.02');
      const a = reportSubmission(here.kampungId, march);
      const b = reportSubmission(there.kampungId, march);
      await submit(a);
      await submit(b, run.token(Role.field_officer, '18'));
      const list = async (token: string) =>
        (
          (
            await survey.request({ method: 'GET', url: '/api/v1/submissions?limit=500', token })
          ).json() as SubmissionView[]
        ).map((s) => s.id);
      const province16 = await list(run.token(Role.province, '16'));
      expect(province16).toContain(a.id);
      expect(province16).not.toContain(b.id);
      expect(await list(run.token(Role.regency, '1801'))).toEqual([b.id]);
      expect(await list(run.token(Role.national, ''))).toEqual(expect.arrayContaining([a.id, b.id]));
      const get = await survey.request({
        method: 'GET',
        url: `/api/v1/submissions/${b.id}`,
        token: run.token(Role.province, '16'),
      });
      expect(get.statusCode).toBe(403);
    });
  });
});
