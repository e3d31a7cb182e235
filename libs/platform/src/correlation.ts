import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export interface CorrelationContext {
  /** Same for the request and every event down the chain it starts. */
  correlationId: string;
  /** The request or event that directly caused the work being done now. */
  causationId?: string;
  /** Who did it, for audit (the JWT subject, or the service handling an event). */
  actor?: string;
}

const storage = new AsyncLocalStorage<CorrelationContext>();

export function runWithCorrelation<T>(ctx: CorrelationContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentCorrelation(): CorrelationContext | undefined {
  return storage.getStore();
}

/** The current context, or a fresh one for work that starts outside any request or event. */
export function correlationOrNew(): CorrelationContext {
  return storage.getStore() ?? { correlationId: randomUUID() };
}

/** Header names accepted and echoed for the correlation id. */
export const CORRELATION_HEADER = 'x-correlation-id';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function acceptCorrelationId(value: unknown): string {
  return typeof value === 'string' && SAFE_ID.test(value) ? value : randomUUID();
}
