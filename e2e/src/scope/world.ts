// The e2e project is the one place allowed to start several services together.
/* eslint-disable @nx/enforce-module-boundaries */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { mintToken, Role } from '@kkb/auth';
import { eventually, startTestService, TEST_JWT_SECRET, type TestRun, type TestService } from '@kkb/testing';
import { RecomputeRepository } from '../../../services/classification/src/recompute/recompute.repository';
import { classificationService } from '../../../services/classification/src/service';
import { InboxRepository } from '../../../services/notifications/src/inbox/inbox.repository';
import { notificationsService } from '../../../services/notifications/src/service';
import { RegionImportService } from '../../../services/registry/src/region/region-import.service';
import type { RegionSource, SourceRegion } from '../../../services/registry/src/region/region-source';
import { registryService } from '../../../services/registry/src/service';
import { surveyService } from '../../../services/survey/src/service';
import {
  profileSubmission,
  reportSubmission,
  type SubmissionBody,
} from '../../../services/survey/test/factories';
import type { ServiceName } from './scope-table';

/** Real Kemendagri codes (idn-area-data): two regencies and a kota of 16 that share prefixes, and 32. */
export const REGIONS: readonly SourceRegion[] = [
  { code: '16', name: 'Sumatera Selatan' },
  { code: '16.10', name: 'Kabupaten Ogan Ilir' },
  { code: '16.10.01', name: 'Muara Kuang' },
  { code: '16.10.01.1011', name: 'Muara Kuang' },
  { code: '16.10.01.2005', name: 'Munggu' },
  { code: '16.10.01.2006', name: 'Seri Menanti' },
  { code: '16.10.01.2007', name: 'Rantau Sialang' },
  { code: '16.10.02', name: 'Tanjung Batu' },
  { code: '16.10.02.2010', name: 'Seri Bandung' },
  { code: '16.11', name: 'Kabupaten Empat Lawang' },
  { code: '16.11.01', name: 'Muara Pinang' },
  { code: '16.11.01.2001', name: 'Batu Jungul' },
  { code: '16.71', name: 'Kota Palembang' },
  { code: '16.71.01', name: 'Ilir Barat Dua' },
  { code: '16.71.01.1001', name: 'Tiga-puluh-lima Ilir' },
  { code: '32', name: 'Jawa Barat' },
  { code: '32.73', name: 'Kota Bandung' },
  { code: '32.73.01', name: 'Sukasari' },
  { code: '32.73.01.1001', name: 'Sukarasa' },
];

/**
 * The villages with a Kampung KB, each with a verified profile and monthly report, a level, an
 * import, inbox items and events: every route has a row here to leak. The keys say how each lies
 * to the home village 16.10.01.2005.
 */
export const PLACE_DEFS = [
  { key: 'home', village: '16.10.01.2005', lat: -3.21, lon: 104.61 },
  { key: 'sibling-village', village: '16.10.01.2006', lat: -3.22, lon: 104.62 },
  { key: 'merge-source', village: '16.10.01.2007', lat: -3.23, lon: 104.63 },
  { key: 'sibling-district', village: '16.10.02.2010', lat: -3.1, lon: 104.7 },
  // 16.11 starts like 16.1: a regency-16.10 filter done on text prefixes would let it through.
  { key: 'prefix-regency', village: '16.11.01.2001', lat: -3.9, lon: 102.9 },
  { key: 'kota', village: '16.71.01.1001', lat: -2.98, lon: 104.75 },
  { key: 'other-province', village: '32.73.01.1001', lat: -6.87, lon: 107.59 },
] as const;

export interface Place {
  key: string;
  village: string;
  /** Compact code: what tokens and most services compare. */
  compact: string;
  kampungId: string;
  /** Unique text that a foreign caller must never see. */
  kampungName: string;
  profile: SubmissionBody;
  report: SubmissionBody;
  importId: string;
  /** The inbox item of its kampung's registration (regional: recipient null). */
  inboxItemId: string;
}

export interface Caller {
  key: string;
  role: Role;
  /** Dotted scope as written in the token ('' national). */
  scope: string;
  compact: string;
  sub: string;
  token: string;
}

const caller = (key: string, role: Role, scope: string): Caller => {
  const sub = `scope-${key}`;
  return {
    key,
    role,
    scope,
    compact: scope.replace(/\./g, ''),
    sub,
    token: mintToken({ role, scope, sub, secret: TEST_JWT_SECRET }),
  };
};

/** Province, regency, district (no district role: field officers and verifiers) and village tokens. */
export const CALLERS: readonly Caller[] = [
  caller('national', Role.national, ''),
  caller('province-16', Role.province, '16'),
  caller('province-32', Role.province, '32'),
  caller('regency-16.10', Role.regency, '16.10'),
  caller('regency-16.71', Role.regency, '16.71'),
  caller('district-officer-16.10.01', Role.field_officer, '16.10.01'),
  caller('district-verifier-16.10.01', Role.verifier, '16.10.01'),
  caller('village-officer-16.10.01.2005', Role.field_officer, '16.10.01.2005'),
  caller('village-verifier-16.10.01.2005', Role.verifier, '16.10.01.2005'),
  caller('integrator-16.10-a', Role.integrator, '16.10'),
  caller('integrator-16.10-b', Role.integrator, '16.10'),
  caller('integrator-32', Role.integrator, '32'),
];
export const NATIONAL = CALLERS[0];
export const callerByKey = (key: string): Caller => {
  const c = CALLERS.find((x) => x.key === key);
  if (!c) throw new Error(`no caller ${key}`);
  return c;
};

export const compact = (code: string): string => code.replace(/\./g, '');
/** '' (nationwide rows) is inside every scope. */
export const insideScope = (c: Pick<Caller, 'compact'>, region: string): boolean =>
  compact(region).startsWith(c.compact);
/** The dotted codes above a dotted code, province first ('16.10.01' → ['16', '16.10']). */
export const parentsOf = (dotted: string): string[] => {
  const parts = dotted ? dotted.split('.') : [];
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('.'));
};

/** An integrator's fixture subscription: every event type, under a region. */
export interface FixtureSubscription {
  id: string;
  owner: string;
  ownerKey: string;
  region: string;
  deliveryId: string;
}

export interface AddressedItem {
  id: string;
  recipient: string;
  region: string;
}

export interface Req {
  service: ServiceName;
  method: string;
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
}

export interface Res {
  status: number;
  text: string;
  json(): unknown;
}

export interface World {
  run: TestRun;
  services: Record<ServiceName, TestService>;
  places: Place[];
  subscriptions: FixtureSubscription[];
  addressed: AddressedItem[];
  recomputeJobId: string;
  webhookUrl: string;
  /** This month in Jakarta, YYYY-MM. */
  month: string;
  db(service: ServiceName): DataSource;
  schema(service: ServiceName): string;
  /** One HTTP request through the service's app (no token when `as` is null). */
  call(req: Req, as: Caller | null): Promise<Res>;
  close(): Promise<void>;
}

class FixedRegions implements RegionSource {
  readonly name = 'e2e-scope';
  async load(): Promise<SourceRegion[]> {
    return [...REGIONS];
  }
}

async function startReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/kkb`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const expectStatus = (res: Res, status: number[], what: string): void => {
  if (!status.includes(res.status))
    throw new Error(`set-up: ${what} answered ${res.status}: ${res.text.slice(0, 500)}`);
};

const csvOf = (body: SubmissionBody): string => {
  const questions = Object.keys(body.answers);
  return [
    ['submission_id', 'kampung_id', 'year', 'month', ...questions].join(','),
    [
      body.id,
      body.kampungId,
      body.period.year,
      body.period.month,
      ...questions.map((q) => String(body.answers[q])),
    ].join(','),
  ].join('\r\n');
};

/**
 * Starts the four services in-process on this run's schemas and streams, and fills them through
 * their own APIs and events, as officers would: regions, a kampung in each place, profiles and
 * monthly reports submitted by each village's field officer and verified by its regency's
 * verifier, levels, imports, inbox items and webhook subscriptions with deliveries.
 */
export async function createWorld(run: TestRun): Promise<World> {
  const receiver = await startReceiver();
  const services = {} as Record<ServiceName, TestService>;
  const jakarta = new Date(Date.now() + 7 * 3600 * 1000);
  const world: World = {
    run,
    services,
    places: [],
    subscriptions: [],
    addressed: [],
    recomputeJobId: '',
    webhookUrl: receiver.url,
    month: jakarta.toISOString().slice(0, 7),
    db: (s) => services[s].app.get<DataSource>(getDataSourceToken()),
    schema: (s) => run.schema(s),
    call: async (req, as) => {
      const json = req.payload !== undefined && typeof req.payload !== 'string';
      const res = await services[req.service].app.inject({
        method: req.method as never,
        url: req.url,
        payload: (json ? JSON.stringify(req.payload) : req.payload) as never,
        headers: {
          ...(as ? { authorization: `Bearer ${as.token}` } : {}),
          ...(json ? { 'content-type': 'application/json' } : {}),
          ...req.headers,
        },
      });
      return {
        status: res.statusCode,
        text: res.body,
        json: () => JSON.parse(res.body) as unknown,
      };
    },
    close: async () => {
      for (const s of Object.values(services)) await s.close();
      await receiver.close();
    },
  };
  try {
    await fill(world, services);
  } catch (err) {
    await world.close();
    throw err;
  }
  return world;
}

async function fill(world: World, services: Record<ServiceName, TestService>): Promise<void> {
  const { run, call } = world;
  const national = NATIONAL;
  services.registry = await startTestService(run, registryService);
  await services.registry.app.get(RegionImportService).import(new FixedRegions());
  services.survey = await startTestService(run, surveyService, { env: { SURVEY_OVERDUE_CHECK_MS: '0' } });
  services.classification = await startTestService(run, classificationService);
  services.notifications = await startTestService(run, notificationsService, {
    env: {
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_POLL_MS: '100',
      WEBHOOK_TIMEOUT_MS: '2000',
      WEBHOOK_RETRY_SCHEDULE_MS: '200,400',
    },
  });

  // Subscriptions first, so the events of the kampung below become their deliveries.
  const subscriptionDefs = [
    { ownerKey: 'integrator-16.10-a', region: '16.10' },
    { ownerKey: 'integrator-16.10-b', region: '16.10.01' },
    { ownerKey: 'integrator-32', region: '32' },
    { ownerKey: 'national', region: '16.71' },
  ];
  const subs: Omit<FixtureSubscription, 'deliveryId'>[] = [];
  for (const d of subscriptionDefs) {
    const owner = callerByKey(d.ownerKey);
    const res = await call(
      {
        service: 'notifications',
        method: 'POST',
        url: '/api/v1/subscriptions',
        payload: {
          url: world.webhookUrl,
          eventTypes: ['kkb.>'],
          region: d.region,
          description: `scope fixture of ${d.ownerKey}`,
        },
      },
      owner,
    );
    expectStatus(res, [201], `subscription of ${d.ownerKey}`);
    subs.push({
      id: (res.json() as { id: string }).id,
      owner: owner.sub,
      ownerKey: d.ownerKey,
      region: d.region,
    });
  }

  const names = new Map(REGIONS.map((r) => [r.code, r.name]));
  const registered: { def: (typeof PLACE_DEFS)[number]; id: string; name: string }[] = [];
  for (const def of PLACE_DEFS) {
    const name = `Kampung KB ${names.get(def.village)} ${def.key}`;
    const res = await call(
      {
        service: 'registry',
        method: 'POST',
        url: '/api/v1/kampung',
        payload: {
          villageCode: def.village,
          name,
          launchDate: '2022-03-14',
          latitude: def.lat,
          longitude: def.lon,
        },
      },
      national,
    );
    expectStatus(res, [201], `kampung in ${def.village}`);
    registered.push({ def, id: (res.json() as { id: string }).id, name });
  }

  const projected = (service: ServiceName) =>
    eventually(
      async () => {
        for (const r of registered) {
          const res = await call(
            { service, method: 'GET', url: `/api/v1/projections/kampung/${r.id}` },
            national,
          );
          if (res.status !== 200) return false;
        }
        return true;
      },
      { what: `${service} projects every kampung`, timeoutMs: 30000 },
    );
  await Promise.all([projected('survey'), projected('classification')]);

  for (const r of registered) {
    const village = r.def.village;
    const officer = caller(`setup-officer-${village}`, Role.field_officer, village);
    const verifier = caller(`setup-verifier-${village}`, Role.verifier, village.slice(0, 5));
    const profile = profileSubmission(r.id, { year: 2025, month: 1 });
    const report = reportSubmission(r.id, { year: 2025, month: 2 });
    for (const body of [profile, report]) {
      const sent = await call(
        { service: 'survey', method: 'POST', url: '/api/v1/submissions', payload: body },
        officer,
      );
      expectStatus(sent, [201], `${body.instrumentCode} of ${village}`);
      const verified = await call(
        { service: 'survey', method: 'POST', url: `/api/v1/submissions/${body.id}/verify` },
        verifier,
      );
      expectStatus(verified, [200], `verification of ${body.instrumentCode} of ${village}`);
    }
    // The same report again through the CSV import: an import of this village, changing nothing.
    const imported = await call(
      {
        service: 'survey',
        method: 'POST',
        url: '/api/v1/imports?instrumentCode=monthly-report&instrumentVersion=1',
        payload: csvOf(report),
        headers: { 'content-type': 'text/csv' },
      },
      officer,
    );
    expectStatus(imported, [201], `import of ${village}`);
    const job = imported.json() as { id: string; unchanged: number };
    if (job.unchanged !== 1) throw new Error(`set-up: import of ${village}: ${imported.text}`);
    world.places.push({
      key: r.def.key,
      village,
      compact: compact(village),
      kampungId: r.id,
      kampungName: r.name,
      profile,
      report,
      importId: job.id,
      inboxItemId: '',
    });
  }

  // Levels: each kampung assessed from its profile and report.
  await eventually(
    async () => {
      for (const p of world.places) {
        const res = await call(
          { service: 'classification', method: 'GET', url: `/api/v1/kampung/${p.kampungId}/classification` },
          national,
        );
        const body = res.status === 200 ? (res.json() as { status: string; report: unknown }) : null;
        if (body?.status !== 'assessed' || !body.report) return false;
      }
      return true;
    },
    { what: 'every kampung assessed from its profile and report', timeoutMs: 30000 },
  );

  // A national re-evaluation job, as publishing a rule set would start (not run here).
  const cds = world.db('classification');
  world.recomputeJobId = (
    await services.classification.app.get(RecomputeRepository).create(cds.manager, randomUUID(), 1)
  ).id;

  // Notifications: every kampung's events received, its registration in the inbox, and a delivery
  // for each subscription.
  const nds = world.db('notifications');
  const ns = `"${world.schema('notifications')}"`;
  // Quiet: every event the other three services wrote has reached notifications (with its inbox
  // item and deliveries, in the same transaction), so nothing moves under the probes.
  const produced = async () => {
    let n = 0;
    for (const s of ['registry', 'survey', 'classification'] as const) {
      const [r] = await world.db(s).query(`SELECT count(*)::int AS n FROM "${world.schema(s)}".outbox`);
      n += r.n;
    }
    return n;
  };
  await eventually(
    async () => {
      const [r] = await nds.query(`SELECT count(*)::int AS n FROM ${ns}.received_event`);
      return r.n === (await produced());
    },
    { what: 'notifications received every event of the other services', timeoutMs: 30000 },
  );
  const items: { id: string; region_code: string }[] = await nds.query(
    `SELECT id, region_code FROM ${ns}.inbox_item WHERE kind = 'kampung-registered' AND recipient IS NULL`,
  );
  for (const p of world.places) {
    const item = items.find((i) => i.region_code === p.compact);
    if (!item) throw new Error(`set-up: no inbox item for the kampung of ${p.village}`);
    p.inboxItemId = item.id;
  }
  const deliveries = await eventually(
    async () => {
      const rows: { subscription_id: string; id: string }[] = await nds.query(
        `SELECT DISTINCT ON (subscription_id) subscription_id, id FROM ${ns}.delivery ORDER BY subscription_id, seq`,
      );
      return rows;
    },
    {
      until: (rows) => subs.every((s) => rows.some((r) => r.subscription_id === s.id)),
      what: 'a delivery for each subscription',
      timeoutMs: 30000,
    },
  );
  world.subscriptions = subs.map((s) => ({
    ...s,
    deliveryId: deliveries.find((d) => d.subscription_id === s.id)?.id ?? '',
  }));

  // Items addressed to one subject (as a paused subscription's notice is): in a region the
  // addressee's neighbours can see, so only the recipient rule keeps them out.
  const inbox = services.notifications.app.get(InboxRepository);
  for (const [recipientKey, region] of [
    ['regency-16.10', '1610012005'],
    ['integrator-16.10-a', '1610'],
  ] as const) {
    const recipient = callerByKey(recipientKey).sub;
    const id = randomUUID();
    await nds.transaction((m) =>
      inbox.add(m, {
        dedupeKey: `scope-${id}`,
        kind: 'subscription-paused',
        region,
        recipient,
        title: `For ${recipientKey} only`,
        body: `An item addressed to ${recipientKey} alone.`,
        data: { scopeProbe: true },
        occurredAt: new Date(),
      }),
    );
    const [row] = await nds.query(`SELECT id FROM ${ns}.inbox_item WHERE dedupe_key = $1`, [`scope-${id}`]);
    world.addressed.push({ id: row.id, recipient, region });
  }
}
