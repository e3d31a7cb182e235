import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { mintToken } from '@kkb/auth';
import {
  eventually,
  Role,
  startServiceProcess,
  TEST_JWT_SECRET,
  TestRun,
  type ServiceProcess,
} from '@kkb/testing';
import { MISTAKEN, PROFILE, REPORT, type Answers, type Level } from './story/answers';
import type {
  ClassificationView,
  Coverage,
  Delivery,
  EvaluationSummary,
  Inbox,
  InboxItem,
  Instrument,
  KampungView,
  LevelCounts,
  Problem,
  FeedPage,
  Reply,
  Service,
  SubmissionView,
  Subscription,
} from './story/api';
import { expectedLevels, in16, JULY, JUNE, plan, PLANS, type Plan } from './story/plans';
import { insertRegions, REGIONS, villagesUnder } from './story/regions';
import { VerifyingReceiver } from './story/webhook-receiver';

/**
 * What a province lives, through the four services run as processes: its regions imported,
 * kampung registered, profiles and monthly reports submitted, some sent back and corrected,
 * levels computed, integrators' webhooks fed, an officer's inbox filled, and the aggregates of
 * every service agreeing with what was put in. Province 32 runs alongside, to show that nothing
 * of it leaks into province 16's webhooks or inbox. The kampung and what must become of them are
 * in story/plans.ts; the answers and the levels worked out by hand in story/answers.ts.
 */

const CLASSIFIED = 'kkb.classification.kampung.classified.v1';

describe('the story of a province, across the four services as processes', () => {
  const run = new TestRun();
  const procs = {} as Record<Service, ServiceProcess>;
  /** The provincial dashboard: classifications of all of 16. */
  const receiver = new VerifyingReceiver();
  /** Kota Palembang's dashboard: every kampung event of 16.71, by a type pattern. */
  const palembang = new VerifyingReceiver();
  const national = run.token();
  const province16 = run.token(Role.province, '16');
  const integrator = run.token(Role.integrator, '16');
  const palembangIntegrator = mintToken({
    role: Role.integrator,
    scope: '16.71',
    sub: 'dashboard-palembang',
    secret: TEST_JWT_SECRET,
  });
  // Inbox read state is per officer (token subject): two officers of 16 and one of 32.
  const officer = (scope: string, sub: string) =>
    mintToken({ role: Role.province, scope, sub, secret: TEST_JWT_SECRET });
  const officer16 = officer('16', 'officer-sumsel-ana');
  const otherOfficer16 = officer('16', 'officer-sumsel-budi');
  const officer32 = officer('32', 'officer-jabar-citra');

  /** Kampung ids by plan key, once registered. */
  const ids: Record<string, string> = {};
  /** Submission ids by plan key and role in the story. */
  const subs: Record<string, Record<string, string>> = {};
  let subscription: Subscription;
  let palembangSubscription: Subscription;

  const call = async <T>(
    service: Service,
    method: string,
    path: string,
    token: string,
    body?: unknown,
  ): Promise<Reply<T>> => {
    const res = await fetch(`${procs[service].url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  beforeAll(async () => {
    await receiver.start();
    await palembang.start();
    const env: Record<Service, Record<string, string>> = {
      registry: { REGIONS_AUTO_IMPORT: 'false' },
      // Overdue reports depend on today's date; this story is about fixed 2025 periods.
      survey: { SURVEY_OVERDUE_CHECK_MS: '0' },
      classification: {},
      notifications: {
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        WEBHOOK_RETRY_SCHEDULE_MS: '300,1000,3000',
        WEBHOOK_RETRY_JITTER: '0',
        WEBHOOK_POLL_MS: '100',
        WEBHOOK_TIMEOUT_MS: '5000',
      },
    };
    // Every process that started is recorded even when another fails, so afterAll stops it.
    const started = await Promise.allSettled(
      (Object.keys(env) as Service[]).map(async (name) => {
        procs[name] = await startServiceProcess(run, name, { env: env[name] });
      }),
    );
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  }, 180000);

  afterAll(async () => {
    for (const p of Object.values(procs)) await p.kill('SIGTERM');
    await receiver.close();
    await palembang.close();
    await run.cleanup();
  });

  it('should count the villages of the imported regions, with no kampung yet', async () => {
    await insertRegions(run.databaseUrl, run.schema('registry'));
    const res = await call<Coverage>(
      'registry',
      'GET',
      '/api/v1/coverage?region=16&breakdown=true',
      province16,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: '16', villages: villagesUnder('16').length, kampung: 0 });
    expect(res.body.children?.map((c) => [c.code, c.villages, c.kampung])).toEqual([
      ['16.10', villagesUnder('16.10').length, 0],
      ['16.71', villagesUnder('16.71').length, 0],
    ]);
  });

  it('should let an integrator subscribe to province 16 classifications with a verifiable signature', async () => {
    const outside = await call<Problem>('notifications', 'POST', '/api/v1/subscriptions', integrator, {
      url: receiver.url,
      eventTypes: [CLASSIFIED],
      region: '32',
    });
    expect(outside.status).toBe(403);

    const created = await call<Subscription>('notifications', 'POST', '/api/v1/subscriptions', integrator, {
      url: receiver.url,
      eventTypes: [CLASSIFIED],
      region: '16',
      description: 'Dasbor Kampung KB Sumatera Selatan',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ region: '16', status: 'active' });
    expect(created.body.secret).toMatch(/^whsec_/);
    subscription = created.body;
    receiver.useSecret(created.body.secret as string);

    const ping = await call<{ delivered: boolean; statusCode: number }>(
      'notifications',
      'POST',
      `/api/v1/subscriptions/${subscription.id}/ping`,
      integrator,
    );
    expect(ping.body).toMatchObject({ delivered: true, statusCode: 200 });
    expect(receiver.events('kkb.notifications.webhook.ping.v1')).toHaveLength(1);

    // Anyone can post to the endpoint: what is unsigned, signed with another secret or altered
    // after signing is refused and never counted.
    const forged = JSON.stringify({
      id: randomUUID(),
      type: CLASSIFIED,
      province: '16',
      subject: 'kampung/x',
      data: { level: 'berkelanjutan' },
    });
    const post = (headers: Record<string, string>, body = forged) =>
      fetch(receiver.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const msgId = `msg_${randomUUID()}`;
    const now = new Date();
    const signedBy = (secret: string, body = forged) => ({
      'webhook-id': msgId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(msgId, now, body),
    });
    const stranger = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const statuses = [
      (await post({})).status,
      (await post(signedBy(stranger))).status,
      (await post(signedBy(subscription.secret as string), forged.replace('berkelanjutan', 'dasar'))).status,
    ];
    expect(statuses).toEqual([401, 401, 401]);
    expect(receiver.refused).toHaveLength(3);
    expect(receiver.events(CLASSIFIED)).toHaveLength(0);
    // The first classification delivered is answered 503 once: the sender must retry it.
    receiver.failOnceFor((e) => e.type === CLASSIFIED);

    const city = await call<Subscription>(
      'notifications',
      'POST',
      '/api/v1/subscriptions',
      palembangIntegrator,
      {
        url: palembang.url,
        eventTypes: ['kkb.*.kampung.*.v1'],
      },
    );
    expect(city.status).toBe(201);
    // No region given: the caller's scope.
    expect(city.body.region).toBe('16.71');
    palembangSubscription = city.body;
    palembang.useSecret(city.body.secret as string);
  });

  it('should register kampung in both provinces, each officer within their own', async () => {
    const refused = await call<Problem>('registry', 'POST', '/api/v1/kampung', province16, {
      villageCode: plan('G').village,
      name: 'Kampung KB di luar wilayah',
      launchDate: '2020-01-01',
    });
    expect(refused.status).toBe(403);

    for (const p of PLANS) {
      const res = await call<KampungView>('registry', 'POST', '/api/v1/kampung', run.token(...p.registrar), {
        villageCode: p.village,
        name: p.name,
        launchDate: p.launchDate,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ villageCode: p.village, name: p.name, active: true });
      ids[p.key] = res.body.id;
      subs[p.key] = {};
    }
    // Submissions need the kampung in the survey's projection, evaluations in the classification's.
    await Promise.all(
      PLANS.flatMap((p) =>
        (['survey', 'classification'] as const).map((service) =>
          eventually(() => call(service, 'GET', `/api/v1/projections/kampung/${ids[p.key]}`, national), {
            until: (r) => r.status === 200,
            timeoutMs: 30000,
            what: `${p.name} in the ${service} projection`,
          }),
        ),
      ),
    );
  }, 60000);

  // --- the submissions, through the survey's workflow -------------------------------------------

  const submit = async (p: Plan, instrument: Instrument, answers: Answers, period = JUNE) => {
    const body = {
      id: randomUUID(),
      kampungId: ids[p.key],
      instrumentCode: instrument,
      instrumentVersion: 1,
      period,
      answers,
    };
    const res = await call<SubmissionView>(
      'survey',
      'POST',
      '/api/v1/submissions',
      run.token(Role.field_officer, p.fieldOfficer),
      body,
    );
    if (res.status !== 201)
      throw new Error(`${p.name}: submit answered ${res.status} ${JSON.stringify(res.body)}`);
    expect(res.body).toMatchObject({ status: 'submitted', kampungId: ids[p.key] });
    return { id: res.body.id, body };
  };
  const decide = async (p: Plan, id: string, verdict: 'verify' | 'reject', reason?: string) => {
    const res = await call<SubmissionView>(
      'survey',
      'POST',
      `/api/v1/submissions/${id}/${verdict}`,
      run.token(Role.verifier, p.verifier),
      verdict === 'reject' ? { reason } : undefined,
    );
    if (res.status !== 200)
      throw new Error(`${p.name}: ${verdict} answered ${res.status} ${JSON.stringify(res.body)}`);
    expect(res.body.status).toBe(verdict === 'verify' ? 'verified' : 'rejected');
    return res.body;
  };
  const classification = (p: Plan) =>
    call<ClassificationView>(
      'classification',
      'GET',
      `/api/v1/kampung/${ids[p.key]}/classification`,
      national,
    );
  /** Waits until the classification service holds this verified report (not yet assessed). */
  const reportArrived = (p: Plan, reportId: string) =>
    eventually(() => classification(p), {
      until: (r) => r.body?.report?.submissionId === reportId,
      timeoutMs: 30000,
      what: `${p.name}'s report at classification`,
    });
  const evaluatedWith = (p: Plan, profileId: string, reportId: string | null) =>
    eventually(() => classification(p), {
      until: (r) =>
        r.body?.status === 'assessed' &&
        r.body.profile?.submissionId === profileId &&
        (r.body.report?.submissionId ?? null) === reportId,
      timeoutMs: 30000,
      what: `${p.name} evaluated`,
    });

  /** Each kampung's part of the story; the order within one decides which evaluations happen. */
  const stories: Record<string, (p: Plan) => Promise<void>> = {
    // The June report is held first, so the profile causes one evaluation with both; July's report then re-evaluates.
    A: async (p) => {
      const june = await submit(p, 'monthly-report', REPORT.good, JUNE);
      await decide(p, june.id, 'verify');
      await reportArrived(p, june.id);
      const profile = await submit(p, 'kampung-profile', PROFILE.weak);
      await decide(p, profile.id, 'verify');
      await evaluatedWith(p, profile.id, june.id);
      const july = await submit(p, 'monthly-report', REPORT.good, JULY);
      await decide(p, july.id, 'verify');
      Object.assign(subs.A, { profile: profile.id, june: june.id, report: july.id });
    },
    B: async (p) => {
      const wrong = await submit(p, 'kampung-profile', MISTAKEN.profileAgencies);
      await decide(p, wrong.id, 'reject', '50 instansi untuk satu desa? Mohon periksa kembali (agencies).');
      const report = await submit(p, 'monthly-report', REPORT.poor, JUNE);
      await decide(p, report.id, 'verify');
      await reportArrived(p, report.id);
      const profile = await submit(p, 'kampung-profile', PROFILE.strong);
      await decide(p, profile.id, 'verify');
      // A retry of the corrected profile (same id, same body) changes nothing and shows its state.
      const retry = await call<SubmissionView>(
        'survey',
        'POST',
        '/api/v1/submissions',
        run.token(Role.field_officer, p.fieldOfficer),
        profile.body,
      );
      expect(retry.status).toBe(200);
      expect(retry.body).toMatchObject({ id: profile.id, status: 'verified' });
      Object.assign(subs.B, { rejected: wrong.id, profile: profile.id, report: report.id });
    },
    E: async (p) => {
      const profile = await submit(p, 'kampung-profile', PROFILE.strong);
      Object.assign(subs.E, { profile: profile.id });
    },
    C: async (p) => {
      const profile = await submit(p, 'kampung-profile', PROFILE.mixed);
      await decide(p, profile.id, 'verify');
      await evaluatedWith(p, profile.id, null);
      const report = await submit(p, 'monthly-report', REPORT.good, JUNE);
      await decide(p, report.id, 'verify');
      Object.assign(subs.C, { profile: profile.id, report: report.id });
    },
    D: async (p) => {
      const wrong = await submit(p, 'monthly-report', MISTAKEN.reportInjection, JUNE);
      await decide(p, wrong.id, 'reject', 'Peserta KB suntik tercatat dua kali; hitung ulang dari register.');
      const report = await submit(p, 'monthly-report', REPORT.good, JUNE);
      await decide(p, report.id, 'verify');
      await reportArrived(p, report.id);
      const profile = await submit(p, 'kampung-profile', PROFILE.strong);
      await decide(p, profile.id, 'verify');
      Object.assign(subs.D, { rejected: wrong.id, profile: profile.id, report: report.id });
    },
    G: async (p) => {
      const wrong = await submit(p, 'kampung-profile', MISTAKEN.profileFacilities);
      await decide(p, wrong.id, 'reject', 'Sekretariat dan Rumah DataKu ada, tetapi tidak dicentang.');
      const report = await submit(p, 'monthly-report', REPORT.good, JUNE);
      await decide(p, report.id, 'verify');
      await reportArrived(p, report.id);
      const profile = await submit(p, 'kampung-profile', PROFILE.strong);
      await decide(p, profile.id, 'verify');
      Object.assign(subs.G, { rejected: wrong.id, profile: profile.id, report: report.id });
    },
    H: async (p) => {
      const profile = await submit(p, 'kampung-profile', PROFILE.weak);
      await decide(p, profile.id, 'verify');
      Object.assign(subs.H, { profile: profile.id });
    },
  };

  it('should take profiles and reports from field officers, and verify or send back within scope only', async () => {
    // Scope: an officer of Pemulutan cannot report for Palembang, nor a Jawa Barat verifier verify for 16.
    const c = plan('C');
    const outOfScope = await call<Problem>(
      'survey',
      'POST',
      '/api/v1/submissions',
      run.token(Role.field_officer, '16.10.05'),
      {
        id: randomUUID(),
        kampungId: ids.C,
        instrumentCode: 'kampung-profile',
        instrumentVersion: 1,
        period: JUNE,
        answers: PROFILE.strong,
      },
    );
    expect(outOfScope.status).toBe(403);
    // Answers are checked against the instrument: a Pokja's members without a Pokja, a missing PUS.
    const { pus: _pus, ...noPus } = PROFILE.weak;
    const invalid = await call<Problem>(
      'survey',
      'POST',
      '/api/v1/submissions',
      run.token(Role.field_officer, c.fieldOfficer),
      {
        id: randomUUID(),
        kampungId: ids.C,
        instrumentCode: 'kampung-profile',
        instrumentVersion: 1,
        period: JUNE,
        answers: { ...noPus, pokja_members: 4 },
      },
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors?.map((e) => e.field).sort()).toEqual(['answers.pokja_members', 'answers.pus']);

    await Promise.all(PLANS.map((p) => stories[p.key](p)));

    const foreignVerifier = await call<Problem>(
      'survey',
      'POST',
      `/api/v1/submissions/${subs.E.profile}/verify`,
      run.token(Role.verifier, '32'),
    );
    expect(foreignVerifier.status).toBe(403);
    const again = await call<Problem>(
      'survey',
      'POST',
      `/api/v1/submissions/${subs.B.rejected}/verify`,
      run.token(Role.verifier, '16'),
    );
    expect(again.status).toBe(409);
  }, 90000);

  // --- what the survey keeps -------------------------------------------------------------------

  it('should keep the corrected submissions current and the rejected ones as superseded history', async () => {
    const list = async (key: string, current: boolean) => {
      const res = await call<SubmissionView[]>(
        'survey',
        'GET',
        `/api/v1/submissions?kampungId=${ids[key]}${current ? '&current=true' : ''}`,
        province16,
      );
      expect(res.status).toBe(200);
      return res.body;
    };
    for (const key of ['B', 'D']) {
      const { rejected, profile, report } = subs[key];
      const current = await list(key, true);
      expect(current.map((s) => [s.id, s.status]).sort()).toEqual(
        [
          [profile, 'verified'],
          [report, 'verified'],
        ].sort(),
      );
      const all = await list(key, false);
      expect(all).toHaveLength(3);
      const old = all.find((s) => s.id === rejected);
      const correction = all.find((s) => s.supersedes === rejected);
      expect(old).toMatchObject({ status: 'superseded', supersededBy: correction?.id });
      expect(old?.rejectionReason).toEqual(expect.any(String));
      expect(correction?.id).toBe(key === 'B' ? profile : report);
    }
    const a = await list('A', true);
    expect(a.map((s) => `${s.kind} ${s.period.year}-${s.period.month} ${s.status}`).sort()).toEqual([
      'monthly-report 2025-6 verified',
      'monthly-report 2025-7 verified',
      'profile 2025-6 verified',
    ]);
    expect((await list('E', true)).map((s) => s.status)).toEqual(['submitted']);
    // A province 16 officer sees none of 32's submissions.
    expect(await list('G', false)).toEqual([]);
    const active = await call<SubmissionView>(
      'survey',
      'GET',
      `/api/v1/kampung/${ids.B}/profile`,
      province16,
    );
    expect(active.body).toMatchObject({ id: subs.B.profile, status: 'verified' });
  });

  // --- the levels ----------------------------------------------------------------------------

  it('should compute the level worked out by hand for every kampung', async () => {
    for (const p of PLANS) {
      const last = p.evaluations.at(-1);
      if (!last) {
        const res = await classification(p);
        expect(res.body).toMatchObject({ status: 'not_assessed', level: null, profile: null });
        continue;
      }
      const res = await evaluatedWith(p, subs[p.key].profile, last.reportPeriod ? subs[p.key].report : null);
      const view = res.body;
      expect({ key: p.key, level: view.level, previousLevel: view.previousLevel ?? null }).toEqual({
        key: p.key,
        level: last.level,
        previousLevel: last.previousLevel ?? null,
      });
      expect({
        input: view.indices?.input.value,
        process: view.indices?.process.value,
        output: view.indices?.output.value,
      }).toEqual(last.indices);
      expect([view.indices?.input.passes, view.indices?.process.passes, view.indices?.output.passes]).toEqual(
        [last.indices.input >= 3, last.indices.process >= 3, last.indices.output >= 3],
      );
    }
    // One kampung indicator by indicator (B: strong profile, poor report), against the hand-worked bands.
    const b = (await classification(plan('B'))).body;
    const scores = Object.fromEntries(
      (['input', 'process', 'output'] as const).flatMap((i) =>
        (b.indices?.[i].indicators ?? []).map((x) => [x.id, [x.value, x.score]]),
      ),
    );
    expect(scores).toEqual({
      pokja: [3, 4],
      funding_sources: [3, 3],
      poktan_services: [5, 4],
      facilities: [2, 3],
      plkb_regulation: [2, 3],
      data_sources: [4, 4],
      operating_steps: [5, 4],
      agencies: [5, 3],
      poktan_participation: [3, 1],
      cpr: [33.3333, 2],
      mkjp: [5, 1],
      unmet_need: [15, 1],
    });
    // Every evaluation, in order, as planned.
    for (const p of PLANS) {
      const res = await call<{ items: EvaluationSummary[] }>(
        'classification',
        'GET',
        `/api/v1/kampung/${ids[p.key]}/classification/history`,
        national,
      );
      const oldestFirst = [...res.body.items].reverse();
      expect(
        oldestFirst.map((e) => ({
          level: e.level,
          previousLevel: e.previousLevel,
          changed: e.changed,
          indices: e.indices,
          reportPeriod: e.report?.period ?? null,
        })),
      ).toEqual(
        p.evaluations.map((e) => ({
          level: e.level,
          previousLevel: e.previousLevel ?? null,
          changed: e.level !== e.previousLevel,
          indices: e.indices,
          reportPeriod: e.reportPeriod
            ? `${e.reportPeriod.year}-${String(e.reportPeriod.month).padStart(2, '0')}`
            : null,
        })),
      );
    }
  }, 60000);

  // --- the integrator's webhook --------------------------------------------------------------

  it("should deliver every classification of province 16's kampung to the webhook once, and none of 32's", async () => {
    const evaluationsOf = async (p: Plan) =>
      (
        await call<{ items: EvaluationSummary[] }>(
          'classification',
          'GET',
          `/api/v1/kampung/${ids[p.key]}/classification/history`,
          national,
        )
      ).body.items;
    const expectedIds = new Set<string>();
    const province32Ids = new Set<string>();
    for (const p of PLANS) {
      for (const e of await evaluationsOf(p)) (in16(p) ? expectedIds : province32Ids).add(e.evaluationId);
    }
    const count = (pred: (p: Plan) => boolean) =>
      PLANS.filter(pred).reduce((n, p) => n + p.evaluations.length, 0);
    expect(expectedIds.size).toBe(count(in16));
    // 32's kampung were classified too, and notifications received those events: they were filtered, not late.
    expect(province32Ids.size).toBe(count((p) => !in16(p)));
    // The event feed, every page of it (oldest first, `next` passed as `after`).
    const classifiedAtNotifications = async (): Promise<Set<string> | null> => {
      const ids = new Set<string>();
      let after = '';
      for (;;) {
        const r = await call<FeedPage>(
          'notifications',
          'GET',
          `/api/v1/events?type=${CLASSIFIED}&limit=500${after ? `&after=${after}` : ''}`,
          national,
        );
        if (r.status !== 200) return null;
        if (r.body.items.length === 0) return ids;
        for (const e of r.body.items) ids.add(e.id);
        after = r.body.next;
      }
    };
    await eventually(classifiedAtNotifications, {
      until: (ids) => ids !== null && [...expectedIds, ...province32Ids].every((id) => ids.has(id)),
      timeoutMs: 30000,
      what: 'every classified event at notifications',
    });
    const deliveries = await eventually(
      () =>
        call<{ items: Delivery[] }>(
          'notifications',
          'GET',
          `/api/v1/subscriptions/${subscription.id}/deliveries?limit=500`,
          integrator,
        ),
      {
        until: (r) =>
          r.body.items.length >= expectedIds.size && r.body.items.every((d) => d.status === 'delivered'),
        timeoutMs: 30000,
        what: 'every delivery delivered',
      },
    );
    expect(new Set(deliveries.body.items.map((d) => d.eventId))).toEqual(expectedIds);
    expect(deliveries.body.items).toHaveLength(expectedIds.size);

    const got = receiver.events(CLASSIFIED);
    expect(new Set(got.map((a) => a.webhookId))).toEqual(expectedIds);
    expect(got).toHaveLength(expectedIds.size);
    expect(receiver.duplicates).toEqual([]);
    for (const { webhookId, event } of got) {
      expect(event.id).toBe(webhookId);
      expect(event.province).toBe('16');
      expect(String(event.data.villageCode)).toMatch(/^16\./);
    }
    // Each kampung's events, in evaluation order, carry the planned levels.
    for (const p of PLANS.filter(in16)) {
      const history = [...(await evaluationsOf(p))].reverse();
      const events = history.map((h) => got.find((a) => a.webhookId === h.evaluationId)?.event.data);
      expect(events.map((d) => [d?.kampungId, d?.level, d?.previousLevel ?? null, d?.changed])).toEqual(
        p.evaluations.map((e) => [ids[p.key], e.level, e.previousLevel ?? null, e.level !== e.previousLevel]),
      );
    }
    // The one answered 503 was retried with the same webhook-id and then acknowledged.
    expect(receiver.failedOnPurpose).toHaveLength(1);
    const [retried] = receiver.failedOnPurpose;
    expect(expectedIds.has(retried)).toBe(true);
    const d = deliveries.body.items.find((x) => x.eventId === retried);
    expect(d).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 200 });
    const attempts = await call<{ attempt: number; statusCode: number; outcome: string }[]>(
      'notifications',
      'GET',
      `/api/v1/subscriptions/${subscription.id}/deliveries/${d?.id}/attempts`,
      integrator,
    );
    expect(attempts.body.map((a) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [1, 503, 'retry'],
      [2, 200, 'delivered'],
    ]);
  }, 60000);

  it("should deliver to Palembang's pattern subscription every kampung event of 16.71, and only those", async () => {
    const city = PLANS.filter((p) => p.village.startsWith('16.71.'));
    const expected: string[] = [];
    for (const p of city) {
      expected.push(`kkb.registry.kampung.registered.v1 ${ids[p.key]}`);
      for (let i = 0; i < p.evaluations.length; i++) expected.push(`${CLASSIFIED} ${ids[p.key]}`);
    }
    const deliveries = await eventually(
      () =>
        call<{ items: Delivery[] }>(
          'notifications',
          'GET',
          `/api/v1/subscriptions/${palembangSubscription.id}/deliveries?limit=500`,
          palembangIntegrator,
        ),
      {
        until: (r) =>
          r.body.items.length >= expected.length && r.body.items.every((d) => d.status === 'delivered'),
        timeoutMs: 30000,
        what: "Palembang's deliveries delivered",
      },
    );
    expect(deliveries.body.items).toHaveLength(expected.length);
    const got = [...palembang.acknowledged.values()].filter(
      (a) => a.event.type !== 'kkb.notifications.webhook.ping.v1',
    );
    expect(got.map((a) => `${a.event.type} ${String(a.event.data.kampungId)}`).sort()).toEqual(
      expected.sort(),
    );
    expect(new Set(got.map((a) => a.webhookId))).toEqual(
      new Set(deliveries.body.items.map((d) => d.eventId)),
    );
    expect(palembang.duplicates).toEqual([]);
    expect(palembang.refused).toEqual([]);
    // The provincial dashboard saw the same classifications of 16.71 under the same ids.
    const cityClassified = got.filter((a) => a.event.type === CLASSIFIED).map((a) => a.webhookId);
    expect(cityClassified.every((id) => receiver.acknowledged.has(id))).toBe(true);
  });

  // --- the officers' inbox -------------------------------------------------------------------

  it("should fill a province 16 officer's inbox with 16's news only, and keep read marks per officer", async () => {
    const inbox = (token: string, unread = false) =>
      call<Inbox>('notifications', 'GET', `/api/v1/inbox?limit=500${unread ? '&unread=true' : ''}`, token);
    /** Registered kampung, level changes (an evaluation that changes nothing is no news), rejections. */
    const expectedKinds = (plans: Plan[]) => ({
      'kampung-registered': plans.length,
      'level-changed': plans.reduce(
        (n, p) => n + p.evaluations.filter((e) => e.level !== e.previousLevel).length,
        0,
      ),
      'submission-rejected': plans.reduce((n, p) => n + p.rejections, 0),
    });
    const kinds = (items: InboxItem[]) => {
      const out: Record<string, number> = {};
      for (const i of items) out[i.kind] = (out[i.kind] ?? 0) + 1;
      return out;
    };
    const total = (k: Record<string, number>) => Object.values(k).reduce((a, b) => a + b, 0);
    const want16 = expectedKinds(PLANS.filter(in16));
    const want32 = expectedKinds(PLANS.filter((p) => !in16(p)));

    const mine = await eventually(() => inbox(officer16), {
      until: (r) => r.status === 200 && r.body.items.length >= total(want16),
      timeoutMs: 30000,
      what: "province 16's inbox items",
    });
    expect(kinds(mine.body.items)).toEqual(want16);
    expect(mine.body.unread).toBe(total(want16));
    for (const i of mine.body.items) expect(i.region).toMatch(/^16\./);
    const ours = new Set(PLANS.filter(in16).map((p) => ids[p.key]));
    expect(mine.body.items.every((i) => ours.has(String(i.data.kampungId)))).toBe(true);
    const rejectedIds = mine.body.items
      .filter((i) => i.kind === 'submission-rejected')
      .map((i) => i.data.submissionId);
    expect(rejectedIds.sort()).toEqual([subs.B.rejected, subs.D.rejected].sort());
    const changes = mine.body.items
      .filter((i) => i.kind === 'level-changed' && i.data.kampungId === ids.C)
      .map((i) => [i.data.previousLevel, i.data.level]);
    expect(changes.sort()).toEqual(
      [
        [null, 'dasar'],
        ['dasar', 'mandiri'],
      ].sort(),
    );

    const theirs = await eventually(() => inbox(officer32), {
      until: (r) => r.status === 200 && r.body.items.length >= total(want32),
      timeoutMs: 30000,
      what: "province 32's inbox items",
    });
    expect(kinds(theirs.body.items)).toEqual(want32);
    for (const i of theirs.body.items) expect(i.region).toMatch(/^32\./);

    // One item read by one officer: theirs, not their colleague's.
    const first = mine.body.items[0];
    const read = await call('notifications', 'POST', `/api/v1/inbox/${first.id}/read`, officer16);
    expect(read.status).toBe(204);
    const after = await inbox(officer16);
    expect(after.body.unread).toBe(total(want16) - 1);
    expect(after.body.items.find((i) => i.id === first.id)?.read).toBe(true);
    const unreadOnly = await inbox(officer16, true);
    expect(unreadOnly.body.items.map((i) => i.id)).not.toContain(first.id);
    expect(unreadOnly.body.items).toHaveLength(total(want16) - 1);
    expect((await inbox(otherOfficer16)).body.unread).toBe(total(want16));
    // An item of 32 is not 16's to mark.
    const foreign = await call(
      'notifications',
      'POST',
      `/api/v1/inbox/${theirs.body.items[0].id}/read`,
      officer16,
    );
    expect(foreign.status).toBe(404);

    expect((await call('notifications', 'POST', '/api/v1/inbox/read-all', officer16)).status).toBe(204);
    expect((await inbox(officer16)).body.unread).toBe(0);
    expect((await inbox(officer16, true)).body.items).toEqual([]);
    expect((await inbox(otherOfficer16)).body.unread).toBe(total(want16));
    expect((await inbox(officer32)).body.unread).toBe(total(want32));
  }, 60000);

  // --- the aggregates ------------------------------------------------------------------------

  it("should show coverage and levels that add up to the province's kampung", async () => {
    const kampungUnder = (prefix: string) => PLANS.filter((p) => p.village.startsWith(`${prefix}.`)).length;
    const coverageOf = (prefix: string) => {
      const villages = villagesUnder(prefix).length;
      const kampung = kampungUnder(prefix);
      return {
        code: prefix,
        villages,
        kampung,
        percent: Math.round((kampung / villages) * 10000) / 100,
        gap: villages - kampung,
      };
    };
    const regencies = (province: string) =>
      REGIONS.filter((r) => r.code.split('.').length === 2 && r.code.startsWith(`${province}.`)).map(
        (r) => r.code,
      );

    const cov16 = await call<Coverage>(
      'registry',
      'GET',
      '/api/v1/coverage?region=16&breakdown=true',
      province16,
    );
    expect(cov16.status).toBe(200);
    expect(cov16.body).toMatchObject(coverageOf('16'));
    expect(cov16.body.children).toEqual(regencies('16').map((r) => expect.objectContaining(coverageOf(r))));
    const cov32 = await call<Coverage>('registry', 'GET', '/api/v1/coverage?region=32', national);
    expect(cov32.body).toMatchObject(coverageOf('32'));
    expect((await call('registry', 'GET', '/api/v1/coverage?region=32', province16)).status).toBe(403);

    const levels16 = await call<LevelCounts>(
      'classification',
      'GET',
      '/api/v1/levels?region=16&breakdown=true',
      province16,
    );
    expect(levels16.status).toBe(200);
    expect(levels16.body).toMatchObject({ region: '16', ...expectedLevels(PLANS.filter(in16)) });
    expect(levels16.body.children).toEqual(
      regencies('16').map((r) =>
        expect.objectContaining({
          region: r,
          ...expectedLevels(PLANS.filter((p) => p.village.startsWith(`${r}.`))),
        }),
      ),
    );
    // The month history ends this month (Asia/Jakarta) with the same distribution: C counted once, as Mandiri.
    const history = await call<{
      months: { month: string; assessed: number; levels: Record<Level, number> }[];
    }>('classification', 'GET', '/api/v1/levels/history?region=16', province16);
    expect(history.status).toBe(200);
    const want16 = expectedLevels(PLANS.filter(in16));
    expect(history.body.months.at(-1)).toMatchObject({ assessed: want16.assessed, levels: want16.levels });
    const levels32 = await call<LevelCounts>('classification', 'GET', '/api/v1/levels?region=32', national);
    expect(levels32.body).toMatchObject({ region: '32', ...expectedLevels(PLANS.filter((p) => !in16(p))) });
  });
});
