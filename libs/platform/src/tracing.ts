import type { OnApplicationShutdown } from '@nestjs/common';
import {
  context,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { BaseServiceConfig } from './config';
import type * as TracingSdk from './tracing-sdk';

/**
 * Tracing (OpenTelemetry), by hand rather than auto-instrumentation: a SERVER span per HTTP
 * request, a PRODUCER span per outbox row published, a CONSUMER span per event handled, linked
 * through W3C `traceparent`/`tracestate` (HTTP headers, an outbox column, NATS headers).
 *
 * Off by default. Off means no SDK is loaded or registered: every helper here checks one flag and
 * falls through (`withSpan` runs its function with a non-recording span, `injectTraceContext`
 * returns `{}`), so the cost is a branch. One SDK per process: the first start wins and later
 * starts (a second service in one test process) share it until the last one shuts down.
 */

export { SpanKind, SpanStatusCode, type Span };

/** W3C trace context as carried in HTTP headers, NATS headers and the outbox row. */
export type TraceCarrier = Record<string, string | string[] | undefined>;

/** Span attribute names (OpenTelemetry semantic conventions), kept here to avoid loading the 20 ms semconv module. */
export const TRACE_ATTR = {
  httpRequestMethod: 'http.request.method',
  httpRoute: 'http.route',
  httpResponseStatusCode: 'http.response.status_code',
  urlPath: 'url.path',
  urlScheme: 'url.scheme',
  errorType: 'error.type',
  messagingSystem: 'messaging.system',
  messagingOperationType: 'messaging.operation.type',
  messagingOperationName: 'messaging.operation.name',
  messagingDestinationName: 'messaging.destination.name',
  messagingConsumerGroupName: 'messaging.consumer.group.name',
  messagingMessageId: 'messaging.message.id',
  // Not (yet) in the conventions: which JetStream delivery of the message this is.
  messagingDeliveryCount: 'messaging.nats.message.delivery_count',
  cloudeventsEventId: 'cloudevents.event_id',
  cloudeventsEventType: 'cloudevents.event_type',
  // Ours: handled, duplicate, ignored, retry or dead-lettered.
  outcome: 'kkb.event.outcome',
} as const;

export interface TracingOptions {
  /** `service.name` of the resource. */
  serviceName: string;
  /** Where finished spans go: an exporter (tests: InMemorySpanExporter) or an OTLP/HTTP traces URL. */
  exporter: SpanExporter | { otlpUrl: string };
  /** Export each span as it ends instead of in batches (tests). */
  simple?: boolean;
  /** Fraction of new traces sampled (0 to 1); a propagated parent's decision is always followed. */
  sampleRatio?: number;
}

export interface Tracing {
  forceFlush(): Promise<void>;
  /** Releases this start; the last one flushes, shuts the SDK down and unregisters it. */
  shutdown(): Promise<void>;
}

type TracingConfig = Pick<
  BaseServiceConfig,
  | 'OTEL_SDK_DISABLED'
  | 'OTEL_TRACES_EXPORTER'
  | 'OTEL_EXPORTER_OTLP_ENDPOINT'
  | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
  | 'OTEL_SERVICE_NAME'
  | 'OTEL_TRACES_SAMPLER_ARG'
>;

export interface TracingSettings {
  enabled: boolean;
  /** The OTLP/HTTP traces URL (`.../v1/traces`). */
  url: string;
  serviceName: string;
  sampleRatio: number;
}

const DEFAULT_OTLP_TRACES_URL = 'http://localhost:4318/v1/traces';

/**
 * What the standard OTEL_* variables ask for: on with `OTEL_TRACES_EXPORTER=otlp`, or when an
 * OTLP endpoint is set and OTEL_TRACES_EXPORTER is not `none`; `OTEL_SDK_DISABLED=true` wins.
 */
export function tracingSettings(config: TracingConfig, service: string): TracingSettings {
  const base = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  const url =
    config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  const exporter = config.OTEL_TRACES_EXPORTER ?? (url ? 'otlp' : 'none');
  return {
    enabled: !config.OTEL_SDK_DISABLED && exporter === 'otlp',
    url: url ?? DEFAULT_OTLP_TRACES_URL,
    serviceName: config.OTEL_SERVICE_NAME ?? service,
    sampleRatio: config.OTEL_TRACES_SAMPLER_ARG,
  };
}

interface SharedSdk {
  handle: TracingSdk.TracerProviderHandle;
  refs: number;
}

let shared: SharedSdk | undefined;
let enabled = false;
const tracers = new Map<string, Tracer>();
const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** True while an SDK is registered in this process. */
export function tracingEnabled(): boolean {
  return enabled;
}

/**
 * Registers the SDK for this process (or joins the one already registered) and returns a handle
 * whose `shutdown` releases it. The SDK code is loaded only here, so a process with tracing off
 * never loads it.
 */
export function startTracing(opts: TracingOptions): Tracing {
  if (!shared) {
    // Loaded on first start only; require keeps the start synchronous (the build is CommonJS).
    const sdk = require('./tracing-sdk') as typeof TracingSdk;
    shared = { handle: sdk.registerTracerProvider(opts), refs: 0 };
    enabled = true;
  }
  const current = shared;
  current.refs++;
  let released = false;
  return {
    forceFlush: () => current.handle.forceFlush(),
    shutdown: async () => {
      if (released) return;
      released = true;
      if (--current.refs > 0) return;
      if (shared === current) {
        shared = undefined;
        enabled = false;
        tracers.clear();
      }
      await current.handle.shutdown();
    },
  };
}

/** Starts tracing as the service's configuration says; undefined when it is off. */
export function startServiceTracing(config: TracingConfig, service: string): Tracing | undefined {
  const s = tracingSettings(config, service);
  if (!s.enabled) return undefined;
  return startTracing({
    serviceName: s.serviceName,
    exporter: { otlpUrl: s.url },
    sampleRatio: s.sampleRatio,
  });
}

/** Ties the service's tracing to the app's life: spans are flushed when the app closes. */
export class ServiceTracing implements OnApplicationShutdown {
  constructor(private readonly tracing?: Tracing) {}

  async onApplicationShutdown(): Promise<void> {
    await this.tracing?.shutdown();
  }
}

function tracer(scope: string): Tracer {
  let t = tracers.get(scope);
  if (!t) {
    t = trace.getTracer(scope);
    tracers.set(scope, t);
  }
  return t;
}

export interface StartSpanOptions {
  kind?: SpanKind;
  /**
   * Continue the trace in this carrier (an incoming request's or message's headers, an outbox
   * row); without a valid `traceparent` in it the span starts a new trace. Omitted: the span is a
   * child of the active one.
   */
  parent?: TraceCarrier;
  attributes?: Attributes;
  /** Instrumentation scope: the service name, so spans of services sharing a test process differ. */
  scope?: string;
}

export interface StartedSpan {
  span: Span;
  /** Runs `fn` with the span active (visible to everything `fn` awaits). */
  run<T>(fn: () => T): T;
}

/** Starts a span that the caller ends; see withSpan for the common case. */
export function startSpan(name: string, opts: StartSpanOptions = {}): StartedSpan {
  if (!enabled) return { span: NOOP_SPAN, run: (fn) => fn() };
  const parent = opts.parent ? extractTraceContext(opts.parent) : context.active();
  const span = tracer(opts.scope ?? 'kkb').startSpan(
    name,
    { kind: opts.kind ?? SpanKind.INTERNAL, attributes: opts.attributes },
    parent,
  );
  const ctx = trace.setSpan(parent, span);
  return { span, run: (fn) => context.with(ctx, fn) };
}

/** Records a failure on the span: the exception event, `error.type` and status ERROR. */
export function markSpanFailed(span: Span, err: unknown): void {
  if (!span.isRecording()) return;
  const e = err instanceof Error ? err : new Error(String(err));
  span.recordException(e);
  span.setAttribute(TRACE_ATTR.errorType, e.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
}

/** The active span; a non-recording one when off or outside a span. */
export function activeSpan(): Span {
  return (enabled && trace.getActiveSpan()) || NOOP_SPAN;
}

/** Adds an exception event to the active span (the HTTP span when the problem filter catches a 5xx). */
export function recordExceptionOnActiveSpan(err: unknown): void {
  if (!enabled) return;
  const span = trace.getActiveSpan();
  if (span?.isRecording()) span.recordException(err instanceof Error ? err : new Error(String(err)));
}

/**
 * Runs `fn` inside a new span, active for all its async work; ends it when `fn` settles, and
 * records a thrown error (then rethrows it). With tracing off `fn` gets a non-recording span.
 */
export async function withSpan<T>(
  name: string,
  opts: StartSpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  if (!enabled) return fn(NOOP_SPAN);
  const { span, run } = startSpan(name, opts);
  try {
    return await run(() => fn(span));
  } catch (err) {
    markSpanFailed(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** The active trace context as W3C headers (`traceparent`, maybe `tracestate`); `{}` when off or outside a span. */
export function injectTraceContext(ctx?: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  if (enabled) propagation.inject(ctx ?? context.active(), carrier);
  return carrier;
}

/** The context a carrier continues (ROOT_CONTEXT when off or when it has no valid `traceparent`). */
export function extractTraceContext(carrier: TraceCarrier | undefined): Context {
  return enabled && carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
}

/** Ids of the active span for log lines; undefined when off or outside a span. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  if (!enabled) return undefined;
  const sc = trace.getSpanContext(context.active());
  return sc && isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : undefined;
}
