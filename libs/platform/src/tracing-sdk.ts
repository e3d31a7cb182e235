import { randomUUID } from 'node:crypto';
import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import type { TracingOptions } from './tracing';

/**
 * The OpenTelemetry SDK, loaded by tracing.ts only when tracing starts (it costs ~150 ms and
 * ~15 MB to load): a NodeTracerProvider with the AsyncLocalStorage context manager, the W3C trace
 * context propagator (no baggage) and a parent-based ratio sampler.
 */
export interface TracerProviderHandle {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function registerTracerProvider(opts: TracingOptions): TracerProviderHandle {
  const exporter =
    'otlpUrl' in opts.exporter
      ? // Headers, timeout, compression and TLS files still come from OTEL_EXPORTER_OTLP_* as usual.
        new OTLPTraceExporter({ url: opts.exporter.otlpUrl })
      : opts.exporter;
  // OTEL_RESOURCE_ATTRIBUTES (k8s.pod.name=...) is honoured; the service name given here wins.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.namespace': 'kkb', 'service.instance.id': randomUUID() }))
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ 'service.name': opts.serviceName }));
  const provider = new NodeTracerProvider({
    resource,
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(opts.sampleRatio ?? 1) }),
    spanProcessors: [opts.simple ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return {
    forceFlush: () => provider.forceFlush(),
    shutdown: async () => {
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
}
