import {
  context,
  propagation,
  type ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { BaseServiceConfig, ConfigError, loadConfig } from './config';
import {
  activeTraceIds,
  extractTraceContext,
  injectTraceContext,
  startTracing,
  tracingEnabled,
  tracingSettings,
  withSpan,
  type Tracing,
} from './tracing';

const ENV = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/kkb',
  NATS_URL: 'nats://127.0.0.1:4222',
  JWT_SECRET: 'secret',
};
const DEFAULTS = { PORT: 3001, DATABASE_SCHEMA: 'registry', DATABASE_ROLE: 'kkb_registry' };
const settings = (env: Record<string, string> = {}) =>
  tracingSettings(loadConfig(BaseServiceConfig, DEFAULTS, { ...ENV, ...env }), 'registry');

const delegateName = () => (trace.getTracerProvider() as ProxyTracerProvider).getDelegate().constructor.name;

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;

describe(tracingSettings.name, () => {
  it('should be off when nothing is set', () => {
    expect(settings()).toEqual({
      enabled: false,
      url: 'http://localhost:4318/v1/traces',
      serviceName: 'registry',
      sampleRatio: 1,
    });
  });

  it('should turn on with an OTLP endpoint and send traces to its /v1/traces', () => {
    expect(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toMatchObject({
      enabled: true,
      url: 'http://collector:4318/v1/traces',
    });
  });

  it('should use a traces endpoint as it is, before the base endpoint', () => {
    expect(
      settings({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://tempo.example/otlp/traces',
      }),
    ).toMatchObject({ enabled: true, url: 'https://tempo.example/otlp/traces' });
  });

  it('should turn on with OTEL_TRACES_EXPORTER=otlp alone, to the local collector', () => {
    expect(settings({ OTEL_TRACES_EXPORTER: 'otlp' })).toMatchObject({
      enabled: true,
      url: 'http://localhost:4318/v1/traces',
    });
  });

  it('should stay off with OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true, endpoint or not', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(settings({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).enabled).toBe(false);
    expect(settings({ ...endpoint, OTEL_SDK_DISABLED: 'true' }).enabled).toBe(false);
  });

  it('should take the service name and the sampling ratio from the OTEL variables', () => {
    expect(settings({ OTEL_SERVICE_NAME: 'kkb-registry-a', OTEL_TRACES_SAMPLER_ARG: '0.25' })).toMatchObject({
      serviceName: 'kkb-registry-a',
      sampleRatio: 0.25,
    });
  });

  it('should name every bad tracing variable', () => {
    let error: unknown;
    try {
      settings({
        OTEL_TRACES_EXPORTER: 'jaeger',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_TRACES_SAMPLER_ARG: '2',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_TRACES_EXPORTER',
      'OTEL_TRACES_SAMPLER_ARG',
    ]);
  });
});

describe('tracing off', () => {
  it('should register nothing and propagate nothing', async () => {
    expect(tracingEnabled()).toBe(false);
    expect(delegateName()).toBe('NoopTracerProvider');
    const seen = await withSpan('work', { parent: { traceparent: TRACEPARENT } }, async (span) => {
      expect(span.isRecording()).toBe(false);
      return injectTraceContext();
    });
    expect(seen).toEqual({});
    expect(activeTraceIds()).toBeUndefined();
    expect(trace.getSpanContext(extractTraceContext({ traceparent: TRACEPARENT }))).toBeUndefined();
  });
});

describe(withSpan.name, () => {
  // A new exporter each time: shutting the SDK down shuts its exporter down for good.
  let exporter: InMemorySpanExporter;
  let tracing: Tracing;

  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    tracing = startTracing({ serviceName: 'test', exporter, simple: true });
  });

  afterEach(() => tracing.shutdown());

  it('should continue the trace of a carrier and pass its own span on to async work', async () => {
    const inner = await withSpan(
      'process thing',
      { kind: SpanKind.CONSUMER, parent: { traceparent: TRACEPARENT }, scope: 'survey' },
      async () => {
        await new Promise((r) => setTimeout(r, 5));
        return { carrier: injectTraceContext(), ids: activeTraceIds() };
      },
    );
    const [span] = exporter.getFinishedSpans();
    expect(span.name).toBe('process thing');
    expect(span.kind).toBe(SpanKind.CONSUMER);
    expect(span.instrumentationScope.name).toBe('survey');
    expect(span.resource.attributes['service.name']).toBe('test');
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expect(span.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(inner.carrier.traceparent).toBe(`00-${TRACE_ID}-${span.spanContext().spanId}-01`);
    expect(inner.ids).toEqual({ trace_id: TRACE_ID, span_id: span.spanContext().spanId });
  });

  it('should start a new trace when the carrier has no valid traceparent', async () => {
    await withSpan('publish x', { parent: { traceparent: 'garbage' } }, async () => undefined);
    const [span] = exporter.getFinishedSpans();
    expect(span.spanContext().traceId).not.toBe(TRACE_ID);
    expect(span.parentSpanContext).toBeUndefined();
  });

  it('should nest a span without a carrier under the active one', async () => {
    await withSpan('outer', {}, () => withSpan('inner', {}, async () => undefined));
    const [inner, outer] = exporter.getFinishedSpans();
    expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(inner.spanContext().traceId).toBe(outer.spanContext().traceId);
  });

  it('should record a failure on the span and rethrow it', async () => {
    await expect(
      withSpan('fails', {}, async () => {
        throw new TypeError('boom');
      }),
    ).rejects.toThrow('boom');
    const [span] = exporter.getFinishedSpans();
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    expect(span.attributes['error.type']).toBe('TypeError');
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('should keep a carrier sampled out by its caller unsampled, and still propagate it', async () => {
    const carrier = await withSpan(
      'unsampled',
      { parent: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-00` } },
      async (span) => {
        expect(span.isRecording()).toBe(false);
        return injectTraceContext();
      },
    );
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    expect(carrier.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
  });

  it('should share one SDK between starts and unregister it after the last shutdown', async () => {
    const second = startTracing({ serviceName: 'other', exporter: new InMemorySpanExporter() });
    await second.shutdown();
    await second.shutdown();
    expect(tracingEnabled()).toBe(true);
    await withSpan('still traced', {}, async () => undefined);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['still traced']);

    await tracing.shutdown();
    expect(tracingEnabled()).toBe(false);
    expect(delegateName()).toBe('NoopTracerProvider');
    expect(injectTraceContext(propagation.extract(context.active(), { traceparent: TRACEPARENT }))).toEqual(
      {},
    );
  });
});
