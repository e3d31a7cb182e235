import type { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { startTracing } from '@kkb/platform';

export interface TestTracing {
  /** Spans finished so far, of one trace when given its id. */
  spans(traceId?: string): ReadableSpan[];
  /** Unregisters the SDK: later spans are not recorded. */
  stop(): Promise<void>;
}

/**
 * Turns tracing on for this test process with an in-memory exporter that gets each span as it
 * ends. Start it before the services: their request hooks are only added when tracing is on.
 */
export function startTestTracing(serviceName = 'kkb-test'): TestTracing {
  // Loaded here only, so test files that do not trace do not pay for the SDK.
  const sdk = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const exporter: InMemorySpanExporter = new sdk.InMemorySpanExporter();
  const tracing = startTracing({ serviceName, exporter, simple: true });
  return {
    spans: (traceId) =>
      exporter.getFinishedSpans().filter((s) => !traceId || s.spanContext().traceId === traceId),
    stop: () => tracing.shutdown(),
  };
}
