// The e2e project is the one place allowed to start several services together.
/* eslint-disable @nx/enforce-module-boundaries */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Module } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { getDataSourceToken } from '@nestjs/typeorm';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import type { DataSource } from 'typeorm';
import type { ServiceDefinition } from '@kkb/bootstrap';
import {
  kampungClassifiedV1,
  kampungRegisteredV1,
  subjectFor,
  type CloudEvent,
  type KampungStateV1,
} from '@kkb/contracts';
import {
  MESSAGING_MIGRATIONS,
  NatsConnectionService,
  OutboxService,
  streamName,
  EventContext,
  EventPatternOf,
} from '@kkb/messaging';
import { BaseServiceConfig, tracingEnabled } from '@kkb/platform';
import {
  eventually,
  Role,
  startTestService,
  startServiceProcess,
  startTestTracing,
  TestRun,
  type ServiceProcess,
  type TestService,
  type TestTracing,
} from '@kkb/testing';
import { notificationsService } from '../../services/notifications/src/service';
import { RegionImportService } from '../../services/registry/src/region/region-import.service';
import type { RegionSource } from '../../services/registry/src/region/region-source';
import { registryService } from '../../services/registry/src/service';

/** Just the chain of regions above one village: enough to register a kampung there. */
const villageChain: RegionSource = {
  name: 'tracing-test',
  load: async () => [
    { code: '16', name: 'Sumatera Selatan' },
    { code: '16.10', name: 'Kabupaten Ogan Ilir' },
    { code: '16.10.05', name: 'Tanjung Batu' },
    { code: '16.10.05.2041', name: 'Seri Tanjung' },
  ],
};

const KAMPUNG = { villageCode: '16.10.05.2041', name: 'Kampung KB Seroja', launchDate: '2022-03-14' };

/** A caller that is already tracing: its trace id and the id of its span. */
const incoming = () => {
  const traceId = randomUUID().replace(/-/g, '');
  const spanId = randomUUID().replace(/-/g, '').slice(0, 16);
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
};

async function startRegistry(run: TestRun, env?: Record<string, string>): Promise<TestService> {
  const registry = await startTestService(run, registryService, { env });
  await registry.app.get(RegionImportService).import(villageChain);
  return registry;
}

function register(run: TestRun, registry: TestService, traceparent: string) {
  return registry.request({
    method: 'POST',
    url: '/api/v1/kampung',
    payload: KAMPUNG,
    headers: { traceparent },
    token: run.token(Role.province, '16'),
  });
}

/** The registered event as JetStream stored it, headers included. */
async function storedRegistered(run: TestRun, registry: TestService) {
  const nats = registry.app.get(NatsConnectionService);
  const subject = subjectFor(kampungRegisteredV1.type, '16', run.subjectRoot);
  return eventually(
    () =>
      nats.jsm.streams
        .getMessage(streamName(run.streamPrefix, 'registry'), { last_by_subj: subject })
        .catch(() => null),
    { what: 'the registered event in the stream' },
  );
}

async function outboxTraceparent(run: TestRun, registry: TestService): Promise<string | null> {
  const ds = registry.app.get<DataSource>(getDataSourceToken());
  const [row] = await ds.query(`SELECT traceparent FROM "${run.schema('registry')}".outbox WHERE type = $1`, [
    kampungRegisteredV1.type,
  ]);
  return row.traceparent;
}

/**
 * A downstream service that reacts to a registration with an event of its own, failing its
 * first attempt: the retry, the event it causes and that event's consumer must stay in the trace.
 */
@Controller()
class ClassifyOnRegistration {
  constructor(private readonly outbox: OutboxService) {}

  @EventPatternOf(kampungRegisteredV1)
  async classify(@Payload() event: CloudEvent<KampungStateV1>, @Ctx() ctx: EventContext): Promise<void> {
    const manager = ctx.getManager();
    if (ctx.getDeliveryCount() === 1) throw new Error('classification is not ready yet');
    await this.outbox.add(manager, kampungClassifiedV1, {
      subject: `kampung/${event.data.kampungId}`,
      province: '16',
      data: {
        kampungId: event.data.kampungId,
        villageCode: event.data.villageCode,
        evaluationId: randomUUID(),
        ruleSetVersion: 1,
        level: 'dasar',
        changed: true,
        indices: { input: 2, process: 2, output: 1.5 },
        evaluatedAt: new Date().toISOString(),
        trigger: 'submission',
      },
    });
  }
}

@Module({ controllers: [ClassifyOnRegistration] })
class ClassifyModule {}

class ClassifierConfig extends BaseServiceConfig {}

const classifierService: ServiceDefinition<ClassifierConfig> = {
  name: 'classification',
  title: 'tracing test classifier',
  description: 'reacts to registrations with a classified event',
  defaultPort: 0,
  configClass: ClassifierConfig,
  migrations: [...MESSAGING_MIGRATIONS],
  consumers: [
    {
      durable: 'classification-tracing-test',
      from: 'registry',
      filter: 'kampung.>',
    },
  ],
  modules: () => [ClassifyModule],
};

const idOf = (s: ReadableSpan) => s.spanContext().spanId;

describe('tracing', () => {
  describe('off (the default)', () => {
    const run = new TestRun();
    let registry: TestService;

    beforeAll(async () => {
      registry = await startRegistry(run);
    });

    afterAll(async () => {
      await registry?.close();
      await run.cleanup();
    });

    it('should neither store nor publish a trace context, even when the caller sends one', async () => {
      expect(tracingEnabled()).toBe(false);
      const res = await register(run, registry, incoming().traceparent);
      expect(res.statusCode).toBe(201);

      const stored = await storedRegistered(run, registry);
      expect(stored!.header.get('ce-type')).toBe(kampungRegisteredV1.type);
      expect(stored!.header.has('traceparent')).toBe(false);
      expect(await outboxTraceparent(run, registry)).toBeNull();
    });
  });

  describe('on, to an in-memory exporter', () => {
    const run = new TestRun();
    const services: Record<string, TestService> = {};
    let tracing: TestTracing;

    beforeAll(async () => {
      tracing = startTestTracing();
      services.registry = await startRegistry(run);
      services.classifier = await startTestService(run, classifierService, {
        messaging: { backoffMs: [50], maxDeliver: 3 },
      });
      services.notifications = await startTestService(run, notificationsService);
    });

    afterAll(async () => {
      for (const s of Object.values(services)) await s.close();
      await tracing?.stop();
      await run.cleanup();
    });

    it('should link the request, the publishes and every downstream handler in one trace', async () => {
      const caller = incoming();
      const res = await register(run, services.registry, caller.traceparent);
      expect(res.statusCode).toBe(201);
      const { id: kampungId } = res.json() as { id: string };

      const registeredSubject = subjectFor(kampungRegisteredV1.type, '16', run.subjectRoot);
      const classifiedSubject = subjectFor(kampungClassifiedV1.type, '16', run.subjectRoot);
      const named = (spans: ReadableSpan[], name: string, scope: string) =>
        spans.filter((s) => s.name === name && s.instrumentationScope.name === scope);
      const spans = await eventually(async () => tracing.spans(caller.traceId), {
        until: (all) =>
          named(all, `process ${kampungClassifiedV1.type}`, 'notifications').length === 1 &&
          named(all, `process ${kampungRegisteredV1.type}`, 'notifications').length === 1,
        what: 'the whole chain traced',
        timeoutMs: 20000,
      });

      // registry: the request continues the caller's trace...
      const [http] = named(spans, 'POST /api/v1/kampung', 'registry');
      expect(http.kind).toBe(SpanKind.SERVER);
      expect(http.parentSpanContext?.spanId).toBe(caller.spanId);
      expect(http.attributes).toMatchObject({
        'http.request.method': 'POST',
        'http.route': '/api/v1/kampung',
        'url.path': '/api/v1/kampung',
        'http.response.status_code': 201,
      });
      // ...the outbox row keeps the request's span, the relay publishes as its child...
      expect(await outboxTraceparent(run, services.registry)).toBe(`00-${caller.traceId}-${idOf(http)}-01`);
      const [publish] = named(spans, `publish ${registeredSubject}`, 'registry');
      expect(publish.kind).toBe(SpanKind.PRODUCER);
      expect(publish.parentSpanContext?.spanId).toBe(idOf(http));
      expect(publish.attributes).toMatchObject({
        'messaging.system': 'nats',
        'messaging.destination.name': registeredSubject,
      });
      // ...and the message carries the publish span.
      const stored = await storedRegistered(run, services.registry);
      expect(stored!.header.get('traceparent')).toBe(`00-${caller.traceId}-${idOf(publish)}-01`);
      const eventId = stored!.json<{ id: string }>().id;

      // notifications handles it under the publish span.
      const [notified] = named(spans, `process ${kampungRegisteredV1.type}`, 'notifications');
      expect(notified.kind).toBe(SpanKind.CONSUMER);
      expect(notified.parentSpanContext?.spanId).toBe(idOf(publish));
      expect(notified.attributes).toMatchObject({
        'messaging.system': 'nats',
        'messaging.destination.name': registeredSubject,
        'messaging.consumer.group.name': 'notifications-registry',
        'messaging.message.id': eventId,
        'kkb.event.outcome': 'handled',
      });
      expect(notified.status.code).not.toBe(SpanStatusCode.ERROR);

      // The classifier failed once (an error span), then handled it on redelivery, both under the publish span.
      const attempts = named(spans, `process ${kampungRegisteredV1.type}`, 'classification').sort(
        (a, b) =>
          Number(a.attributes['messaging.nats.message.delivery_count']) -
          Number(b.attributes['messaging.nats.message.delivery_count']),
      );
      expect(attempts.map((s) => s.parentSpanContext?.spanId)).toEqual([idOf(publish), idOf(publish)]);
      expect(attempts.map((s) => s.attributes['kkb.event.outcome'])).toEqual(['retry', 'handled']);
      expect(attempts[0].status).toEqual({
        code: SpanStatusCode.ERROR,
        message: 'classification is not ready yet',
      });
      expect(attempts[0].events.map((e) => e.name)).toContain('exception');
      expect(attempts[1].status.code).not.toBe(SpanStatusCode.ERROR);

      // The event the handler caused continues the trace, into its own consumer.
      const [publishClassified] = named(spans, `publish ${classifiedSubject}`, 'classification');
      expect(publishClassified.parentSpanContext?.spanId).toBe(idOf(attempts[1]));
      const [notifiedClassified] = named(spans, `process ${kampungClassifiedV1.type}`, 'notifications');
      expect(notifiedClassified.parentSpanContext?.spanId).toBe(idOf(publishClassified));
      expect(JSON.parse(stored!.string()).subject).toBe(`kampung/${kampungId}`);
    });
  });

  // As its own process, from dist/: the OTLP exporter loads node:http with import(), which a
  // CommonJS Jest cannot run in-process.
  describe('on, exported over OTLP/HTTP as configured', () => {
    const run = new TestRun();
    const received: { url?: string; type?: string; body: Buffer }[] = [];
    let collector: Server;
    let registry: ServiceProcess | undefined;

    beforeAll(async () => {
      // A stand-in OTLP collector on loopback: it keeps what it is sent and answers 200.
      collector = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({ url: req.url, type: req.headers['content-type'], body: Buffer.concat(chunks) });
          res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        });
      });
      await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      await registry?.kill('SIGKILL');
      await new Promise((resolve) => collector.close(resolve));
      await run.cleanup();
    });

    it('should send the spans to OTEL_EXPORTER_OTLP_ENDPOINT, flushing them on shutdown', async () => {
      const { port } = collector.address() as AddressInfo;
      registry = await startServiceProcess(run, 'registry', {
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
          OTEL_SERVICE_NAME: 'kkb-registry-otlp-test',
          LOG_LEVEL: 'info',
        },
      });
      const caller = incoming();
      const res = await fetch(`${registry.url}/api/v1/regions`, {
        headers: { traceparent: caller.traceparent, authorization: `Bearer ${run.token()}` },
      });
      expect(res.status).toBe(200);

      // SIGTERM closes the app, which flushes the batch before the process exits.
      await registry.kill('SIGTERM');
      const traceId = Buffer.from(caller.traceId, 'hex');
      const batch = received.find((r) => r.body.includes(traceId));
      expect(batch).toBeDefined();
      expect(batch!.url).toBe('/v1/traces');
      expect(batch!.type).toBe('application/x-protobuf');
      expect(batch!.body.includes(Buffer.from('kkb-registry-otlp-test'))).toBe(true);
      expect(batch!.body.includes(Buffer.from('GET /api/v1/regions'))).toBe(true);
    });
  });
});
