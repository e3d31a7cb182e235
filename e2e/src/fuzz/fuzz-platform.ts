// The e2e project is the one place allowed to start several services together.
/* eslint-disable @nx/enforce-module-boundaries */
import { randomUUID } from 'node:crypto';
import type { ArgumentsHost } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import type { ServiceDefinition } from '@kkb/bootstrap';
import { consumerFilter, subjectMatches, type ConsumerSpec } from '@kkb/messaging';
import { ProblemFilter, type BaseServiceConfig } from '@kkb/platform';
import { eventually, Role, startTestService, TestRun, type TestService } from '@kkb/testing';
import { classificationService } from '../../../services/classification/src/service';
import { FAST_ENV, Receiver } from '../../../services/notifications/test/notifications.fixtures';
import { notificationsService } from '../../../services/notifications/src/service';
import { seroja, twoProvinces } from '../../../services/registry/test/registry.fixtures';
import { registryService } from '../../../services/registry/src/service';
import { RegionImportService } from '../../../services/registry/src/region/region-import.service';
import { surveyService } from '../../../services/survey/src/service';
import { profileAnswers, reportAnswers } from '../../../services/survey/test/factories';

export const SERVICE_NAMES = ['registry', 'survey', 'classification', 'notifications'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const DEFINITIONS: Record<ServiceName, ServiceDefinition<BaseServiceConfig>> = {
  registry: registryService as unknown as ServiceDefinition<BaseServiceConfig>,
  survey: surveyService as unknown as ServiceDefinition<BaseServiceConfig>,
  classification: classificationService as unknown as ServiceDefinition<BaseServiceConfig>,
  notifications: notificationsService as unknown as ServiceDefinition<BaseServiceConfig>,
};

/**
 * Tables that a service's event consumers and background workers write by themselves (projections,
 * evaluations, received events, deliveries, the outbox and inbox). Their counts move whatever an
 * HTTP request answers, so the "no write on an error" check leaves them out; every other table of
 * the service is written only by its HTTP handlers.
 */
export const ASYNC_TABLES: Record<ServiceName, readonly string[]> = {
  registry: ['outbox', 'inbox'],
  survey: ['outbox', 'inbox', 'kampung_projection', 'report_overdue'],
  classification: [
    'outbox',
    'inbox',
    'kampung_projection',
    'verified_submission',
    'latest_submission',
    'evaluation',
    'kampung_state',
    'kampung_level_month',
  ],
  notifications: [
    'outbox',
    'inbox',
    'received_event',
    'delivery',
    'delivery_attempt',
    'inbox_item',
    'email_digest',
    'email_digest_item',
  ],
};

/** Who a request is sent as: a role and a region scope (compact or dotted code, '' = nation). */
export interface TokenSpec {
  role: Role;
  scope: string;
}

export const NATIONAL: TokenSpec = { role: Role.national, scope: '' };

/** The regional officers the fuzzer also sends requests as. */
export const REGIONAL_TOKENS: readonly TokenSpec[] = [
  { role: Role.province, scope: '16' },
  { role: Role.province, scope: '18' },
  { role: Role.regency, scope: '16.10' },
  { role: Role.field_officer, scope: '16' },
  { role: Role.field_officer, scope: '16.10.05' },
  { role: Role.verifier, scope: '16' },
  { role: Role.integrator, scope: '' },
  { role: Role.integrator, scope: '16' },
];

export interface KampungRef {
  id: string;
  villageCode: string;
}

/**
 * Valid ids and values of the running platform, for requests that should get past validation.
 * Grows as the fuzzer's own requests succeed (a 201 kampung joins `kampung`, and so on).
 */
export interface FuzzContext {
  kampung: KampungRef[];
  /** Kampung of province 16, the province of the field officers and verifiers above. */
  kampung16: KampungRef[];
  /** Villages (dotted codes) with no kampung yet, for registrations that should succeed. */
  freeVillages: string[];
  submissions: string[];
  subscriptions: string[];
  deliveries: { subscriptionId: string; id: string }[];
  inboxItems: string[];
  ruleSetVersions: number[];
  ruleSetDefinition: Record<string, unknown>;
  instruments: { code: string; version: number; kind: string; definition: Record<string, unknown> }[];
  imports: string[];
  recomputeJobs: string[];
  regionCodes: string[];
  receiverUrl: string;
}

/** What the server logged for a 5xx: the error's first line and the top of its stack. */
export interface ServerError {
  service: string;
  error: string;
}

export interface FuzzPlatform {
  run: TestRun;
  services: Record<ServiceName, TestService>;
  ds: Record<ServiceName, DataSource>;
  ctx: FuzzContext;
  receiver: Receiver;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  token(spec: TokenSpec): string;
  /** Row counts of the service's own tables, without ASYNC_TABLES. */
  counts(service: ServiceName): Promise<Record<string, number>>;
  /** Errors behind 5xx answers, by correlation id (x-correlation-id of the request). */
  serverErrors: Map<string, ServerError>;
  close(): Promise<void>;
}

/** First line of an error and its top stack frames, as a log line would show them. */
export function describeError(err: unknown, frames = 4): string {
  if (!(err instanceof Error)) return String(err);
  const stack = (err.stack ?? '')
    .split('\n')
    .slice(1, frames + 1)
    .map((l) => l.trim());
  const driver = (err as { driverError?: { code?: string } }).driverError;
  const code = driver?.code ?? (err as { code?: unknown }).code;
  return [`${err.name}: ${err.message}${code ? ` [${String(code)}]` : ''}`, ...stack].join('\n    ');
}

/**
 * Records the exception behind every 5xx answer before the problem filter turns it into
 * problem+json, so a finding can quote the server's error (the test-only hook wraps the filter
 * class; the services' code is not changed).
 */
function captureServerErrors(): { errors: Map<string, ServerError>; restore(): void } {
  const errors = new Map<string, ServerError>();
  const original = ProblemFilter.prototype.catch;
  ProblemFilter.prototype.catch = function (this: ProblemFilter, exception: unknown, host: ArgumentsHost) {
    const status = this.toProblem(exception).status;
    if (status >= 500) {
      const req = host.switchToHttp().getRequest<{ id?: unknown; url?: string }>();
      errors.set(String(req?.id), { service: 'unknown', error: describeError(exception) });
    }
    return original.call(this, exception, host);
  };
  return { errors, restore: () => (ProblemFilter.prototype.catch = original) };
}

/** Starts the four services of one test run in-process, with regions, kampung and a little history. */
export async function startFuzzPlatform(): Promise<FuzzPlatform> {
  const run = new TestRun();
  const capture = captureServerErrors();
  const receiver = new Receiver();
  await receiver.start();
  const tokens = new Map<string, { token: string; at: number }>();
  // Minted tokens live an hour; a long run re-mints them well before that.
  const token = (spec: TokenSpec): string => {
    const key = `${spec.role}:${spec.scope}`;
    const cached = tokens.get(key);
    if (cached && Date.now() - cached.at < 10 * 60_000) return cached.token;
    const fresh = run.token(spec.role, spec.scope);
    tokens.set(key, { token: fresh, at: Date.now() });
    return fresh;
  };

  const services = {} as Record<ServiceName, TestService>;
  const ds = {} as Record<ServiceName, DataSource>;
  // Errors behind 5xx answers are captured above; the services' own logs would drown the output.
  const quiet = { LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? 'fatal' };
  const env: Record<ServiceName, Record<string, string>> = {
    registry: quiet,
    survey: quiet,
    classification: quiet,
    notifications: { ...quiet, ...FAST_ENV, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' },
  };
  for (const name of SERVICE_NAMES) {
    services[name] = await startTestService(run, DEFINITIONS[name], { env: env[name] });
    ds[name] = services[name].app.get<DataSource>(getDataSourceToken());
  }
  await services.registry.app.get(RegionImportService).import(twoProvinces());

  const nc = await connect({ servers: run.natsUrl.split(',') });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);

  const tables = {} as Record<ServiceName, string[]>;
  for (const name of SERVICE_NAMES) {
    const rows: { table_name: string }[] = await ds[name].query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'
       ORDER BY table_name`,
      [run.schema(name)],
    );
    tables[name] = rows.map((r) => r.table_name).filter((t) => !ASYNC_TABLES[name].includes(t));
  }
  const counts = async (name: ServiceName): Promise<Record<string, number>> => {
    const s = run.schema(name);
    const [row] = await ds[name].query(
      `SELECT ${tables[name].map((t) => `(SELECT count(*)::int FROM "${s}"."${t}") AS "${t}"`).join(', ')}`,
    );
    return row as Record<string, number>;
  };

  const ctx = await seedContext(run, services, ds, token, receiver);
  return {
    run,
    services,
    ds,
    ctx,
    receiver,
    nc,
    js,
    jsm,
    token,
    counts,
    serverErrors: capture.errors,
    close: async () => {
      capture.restore();
      for (const name of [...SERVICE_NAMES].reverse()) await services[name].close();
      await nc.close();
      await receiver.close();
      await run.cleanup();
    },
  };
}

async function seedContext(
  run: TestRun,
  services: Record<ServiceName, TestService>,
  ds: Record<ServiceName, DataSource>,
  token: (spec: TokenSpec) => string,
  receiver: Receiver,
): Promise<FuzzContext> {
  const call = async (
    service: ServiceName,
    method: string,
    url: string,
    payload?: unknown,
    as: TokenSpec = NATIONAL,
    headers?: Record<string, string>,
  ) => {
    const res = await services[service].request({ method, url, payload, token: token(as), headers });
    if (res.statusCode >= 300)
      throw new Error(`seeding: ${method} ${url} answered ${res.statusCode} ${res.body}`);
    return res;
  };
  const json = <T>(res: { json(): unknown }) => res.json() as T;

  const villages: { code: string }[] = await ds.registry.query(
    `SELECT code FROM "${run.schema('registry')}".region WHERE level = 4 AND active ORDER BY code`,
  );
  const freeVillages = villages.map((v) => v.code).filter((c) => c !== seroja.villageCode);

  // Two kampung in 16 (the model kampung of the fixtures and a plain one) and one in 18.
  const freeIn = (prefix: string): string => {
    const v = freeVillages.find((c) => c.startsWith(prefix));
    if (!v) throw new Error(`seeding: no free village under ${prefix}`);
    return v;
  };
  const kampung: KampungRef[] = [];
  for (const body of [
    seroja,
    {
      villageCode: freeIn('16.10'),
      name: 'Kampung KB Melati',
      launchDate: '2021-05-02',
    },
    {
      villageCode: freeIn('18'),
      name: 'Kampung KB Anggrek',
      launchDate: '2019-11-20',
    },
  ]) {
    const k = json<{ id: string }>(await call('registry', 'POST', '/api/v1/kampung', body));
    kampung.push({ id: k.id, villageCode: body.villageCode });
    freeVillages.splice(freeVillages.indexOf(body.villageCode), 1);
  }
  for (const name of ['survey', 'classification'] as const) {
    for (const k of kampung) {
      await eventually(
        async () =>
          (
            await services[name].request({
              method: 'GET',
              url: `/api/v1/projections/kampung/${k.id}`,
              token: token(NATIONAL),
            })
          ).statusCode === 200,
        { what: `${name} projection of ${k.villageCode}` },
      );
    }
  }

  // A verified profile and report for Seroja (so classification has an evaluation), one report
  // waiting for a verifier and one rejected (which puts an item in the officers' inbox).
  const officer: TokenSpec = { role: Role.field_officer, scope: '16' };
  const verifier: TokenSpec = { role: Role.verifier, scope: '16' };
  const submit = async (
    kampungId: string,
    code: string,
    period: { year: number; month: number },
    answers: unknown,
  ) =>
    json<{ id: string }>(
      await call(
        'survey',
        'POST',
        '/api/v1/submissions',
        { id: randomUUID(), kampungId, instrumentCode: code, instrumentVersion: 1, period, answers },
        officer,
      ),
    ).id;
  const [seroja16, melati16] = kampung;
  const profile = await submit(seroja16.id, 'kampung-profile', { year: 2025, month: 1 }, profileAnswers());
  const report = await submit(seroja16.id, 'monthly-report', { year: 2025, month: 2 }, reportAnswers());
  const waiting = await submit(melati16.id, 'monthly-report', { year: 2025, month: 2 }, reportAnswers());
  const rejected = await submit(melati16.id, 'kampung-profile', { year: 2025, month: 1 }, profileAnswers());
  for (const id of [profile, report])
    await call('survey', 'POST', `/api/v1/submissions/${id}/verify`, undefined, verifier);
  await call(
    'survey',
    'POST',
    `/api/v1/submissions/${rejected}/reject`,
    { reason: 'Jumlah PUS tidak cocok.' },
    verifier,
  );

  const importCsv = ['kampung_id,year,month,pus', `${melati16.id},2024,12,640`].join('\n');
  const imported = await services.survey.request({
    method: 'POST',
    url: '/api/v1/imports?instrumentCode=monthly-report&instrumentVersion=1',
    payload: importCsv,
    token: token(officer),
    headers: { 'content-type': 'text/csv' },
  });
  const imports = imported.statusCode === 201 ? [json<{ id: string }>(imported).id] : [];

  // Classification: the published rule set 1 and a draft copy of it.
  const ruleSet = json<{ definition: Record<string, unknown> }>(
    await call('classification', 'GET', '/api/v1/rule-sets/1'),
  );
  const draft = json<{ version: number }>(
    await call('classification', 'POST', '/api/v1/rule-sets', {
      name: 'Fuzz draft',
      definition: ruleSet.definition,
    }),
  );
  await eventually(
    async () =>
      (
        await services.classification.request({
          method: 'GET',
          url: `/api/v1/kampung/${seroja16.id}/classification`,
          token: token(NATIONAL),
        })
      ).statusCode === 200,
    { what: 'classification of Seroja' },
  );

  const instruments = [];
  for (const code of ['kampung-profile', 'monthly-report']) {
    const i = json<{ version: number; kind: string; definition: Record<string, unknown> }>(
      await call('survey', 'GET', `/api/v1/instruments/${code}`),
    );
    instruments.push({ code, version: i.version, kind: i.kind, definition: i.definition });
  }

  // Notifications: a subscription to a local receiver, with a delivery, and an inbox item.
  receiver.on('/hook', () => 204);
  const receiverUrl = receiver.url('/hook');
  const sub = json<{ id: string }>(
    await call('notifications', 'POST', '/api/v1/subscriptions', {
      url: receiverUrl,
      eventTypes: ['kkb.>'],
      region: '',
    }),
  );
  await call('registry', 'PATCH', `/api/v1/kampung/${melati16.id}`, { description: 'Diperbarui' }, NATIONAL, {
    'if-match': '"1"',
  });
  const deliveries = await eventually(
    async () =>
      json<{ items: { id: string }[] }>(
        await call('notifications', 'GET', `/api/v1/subscriptions/${sub.id}/deliveries`),
      ).items,
    { until: (d) => d.length > 0, what: 'a delivery to the receiver' },
  );
  const inbox = await eventually(
    async () =>
      json<{ items: { id: string }[] }>(
        await call('notifications', 'GET', '/api/v1/inbox', undefined, { role: Role.province, scope: '16' }),
      ).items,
    { until: (i) => i.length > 0, what: 'an inbox item for province 16' },
  );

  return {
    kampung,
    kampung16: kampung.filter((k) => k.villageCode.startsWith('16')),
    freeVillages,
    submissions: [profile, report, waiting, rejected],
    subscriptions: [sub.id],
    deliveries: deliveries.map((d) => ({ subscriptionId: sub.id, id: d.id })),
    inboxItems: inbox.map((i) => i.id),
    ruleSetVersions: [1, draft.version],
    ruleSetDefinition: ruleSet.definition,
    instruments,
    imports,
    recomputeJobs: [],
    regionCodes: ['16', '16.10', '16.10.05', seroja.villageCode, '1610052041', '18'],
    receiverUrl,
  };
}

/** The consumers of every service whose filter takes `subject` (under the run's subject root). */
export function consumersOf(subject: string, root: string): { service: ServiceName; durable: string }[] {
  const out: { service: ServiceName; durable: string }[] = [];
  for (const name of SERVICE_NAMES) {
    for (const c of DEFINITIONS[name].consumers as ConsumerSpec[]) {
      if (subjectMatches(consumerFilter(c, root), subject)) out.push({ service: name, durable: c.durable });
    }
  }
  return out;
}
