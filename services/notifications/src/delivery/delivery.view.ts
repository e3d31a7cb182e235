import type { DeliveryStatus } from '../subscription/list-deliveries.query';

export interface DeliveryRow {
  id: string;
  seq: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  origin: 'event' | 'redelivery' | 'replay';
  origin_id: string | null;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_status: number | null;
  last_error: string | null;
  last_latency_ms: number | null;
  created_at: Date;
  finished_at: Date | null;
}

/** One entry of a subscription's delivery log. */
export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  origin: DeliveryRow['origin'];
  originId: string | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  lastLatencyMs: number | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface AttemptView {
  attempt: number;
  startedAt: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  outcome: 'delivered' | 'retry' | 'failed' | 'gone' | 'refused';
}

export function toDeliveryView(r: DeliveryRow): DeliveryView {
  return {
    id: r.id,
    eventId: r.event_id,
    eventType: r.event_type,
    origin: r.origin,
    originId: r.origin_id,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.status === 'pending' ? r.next_attempt_at.toISOString() : null,
    lastStatus: r.last_status,
    lastError: r.last_error,
    lastLatencyMs: r.last_latency_ms,
    createdAt: r.created_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}
