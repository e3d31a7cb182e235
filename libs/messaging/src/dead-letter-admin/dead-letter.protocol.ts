import type { StoredMsg } from '@nats-io/jetstream';
import type { DeadLetter } from '../dead-letters';
import type { Outcome } from '../consumer-metrics';

/** A letter as stored in the DLQ stream; a replayed event that failed again says how often. */
export interface StoredDeadLetter extends DeadLetter {
  /** How many replays this event has been through (absent on a first letter). */
  replays?: number;
  /** The DLQ sequence of the letter whose replay wrote this one. */
  replayOf?: number;
}

/** A letter and where it sits in the DLQ stream (its sequence is its id in the API). */
export interface DeadLetterEntry {
  seq: number;
  /** When the letter was stored in the DLQ stream. */
  storedAt: string;
  letter: StoredDeadLetter;
  /** The event's id and type, when the event text is a JSON object that has them. */
  eventId: string | null;
  eventType: string | null;
}

/**
 * The core-NATS subject on which the replicas of `service` take replay requests (one replica
 * answers: queue group). Outside `<root>.>` on purpose, so that readers of the event subjects
 * (the integrator) never see it.
 */
export function replaySubject(subjectRoot: string, service: string): string {
  return `${subjectRoot}_admin.dlq.replay.${service}`;
}

export const REPLAY_QUEUE = 'kkb-dlq-replay';

export interface ReplayRequest {
  /** DLQ stream sequence of the letter to replay. */
  seq: number;
  /** Who asked (for the owning service's log). */
  actor: string;
}

/** What the owning service answers; `status` says whether the replay was accepted. */
export type ReplayReply =
  | {
      status: 'replayed';
      /** How the consumer settled the re-delivered event. */
      outcome: Exclude<Outcome, 'retry'>;
      /** The new letter's DLQ sequence when the replay was dead-lettered again. */
      newSeq: number | null;
      eventId: string | null;
    }
  | { status: 'not-found' | 'not-mine' | 'unavailable' | 'failed'; detail: string };

/** Reads a stored DLQ message; null when it is not a dead letter. */
export function entryOf(stored: StoredMsg, dlqSubjectRoot: string): DeadLetterEntry | null {
  if (!stored.subject.startsWith(`${dlqSubjectRoot}.dlq.`)) return null;
  let letter: StoredDeadLetter;
  try {
    letter = stored.json<StoredDeadLetter>();
  } catch {
    return null;
  }
  if (!letter || typeof letter !== 'object' || typeof letter.consumer !== 'string') return null;
  const head = eventHead(letter.event);
  return {
    seq: stored.seq,
    storedAt: stored.time.toISOString(),
    letter,
    eventId: head.id,
    eventType: head.type,
  };
}

/** The id and type of an event text, when it is a JSON object that carries them. */
export function eventHead(text: unknown): { id: string | null; type: string | null } {
  if (typeof text !== 'string') return { id: null, type: null };
  try {
    const e = JSON.parse(text) as { id?: unknown; type?: unknown } | null;
    return {
      id: typeof e?.id === 'string' ? e.id : null,
      type: typeof e?.type === 'string' ? e.type : null,
    };
  } catch {
    // A truncated or malformed event: fall back to a pattern on the text.
    const id = /"id"\s*:\s*"([^"\\]{1,200})"/.exec(text)?.[1] ?? null;
    const type = /"type"\s*:\s*"([^"\\]{1,200})"/.exec(text)?.[1] ?? null;
    return { id, type };
  }
}
