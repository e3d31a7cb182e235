// What the console keeps on the device (IndexedDB through Dexie), so that a report typed where the
// connection comes and goes is never lost: drafts and finished reports with their device-made
// submission id, the instruments they are filled against, and the kampung the officer may report on.
import Dexie, { type EntityTable } from 'dexie';
import { decodeClaims, getToken } from '../auth/token-store';
import type { InstrumentDefinition } from '@kkb/instrument-rules';

export type SubmissionKind = 'profile' | 'monthly-report';

/**
 * Where a report stands on the device:
 * - `draft`: being filled; saved on every change.
 * - `queued`: finished and waiting to be sent (again, after a failure that may pass: offline, 5xx, 429).
 * - `sending`: a request is out; after a reload it is `queued` again and sent with the same id.
 * - `sent`: the survey service answered 201 (stored) or 200 (a retry of one already stored).
 * - `conflict`: 409, the id was used for a different body: the officer decides.
 * - `refused`: another 4xx (answers, scope, period): the officer corrects it.
 * - `signin`: 401, the session ended: kept until the officer signs in again.
 */
export type ReportState = 'draft' | 'queued' | 'sending' | 'sent' | 'conflict' | 'refused' | 'signin';

export interface ProblemField {
  field: string;
  reason: string;
}

export interface FieldReport {
  /** The submission id, made on the device: the idempotency key of every send. */
  id: string;
  /**
   * Whose report it is (`sub@scope` of the token it was begun with): a shared device shows and
   * sends each officer's reports only while that officer is signed in.
   */
  owner: string;
  state: ReportState;
  kampungId: string;
  kampungName: string;
  instrumentCode: string;
  instrumentVersion: number;
  kind: SubmissionKind;
  period: { year: number; month: number };
  /** What the officer typed, per question id (text as typed, choices as codes). */
  values: Record<string, unknown>;
  /** The answers as sent (frozen when the report leaves the draft state). */
  answers?: Record<string, unknown>;
  /** The rejected submission this report corrects (it supersedes it when stored). */
  corrects?: { id: string; reason: string };
  attempts: number;
  /** Epoch ms before which the sender leaves it alone (backoff). */
  nextAttemptAt: number;
  lastError?: { status: number; title: string; detail?: string; errors?: ProblemField[] };
  /** 201 or 200 once sent. */
  sentStatus?: number;
  createdAt: number;
  updatedAt: number;
  sentAt?: number;
}

export interface CachedInstrument {
  /** `code@version`, and `code@latest` for the newest known. */
  key: string;
  code: string;
  version: number;
  kind: SubmissionKind;
  title: string;
  definition: InstrumentDefinition;
  fetchedAt: number;
}

export interface CachedKampung {
  id: string;
  name: string;
  villageCode: string;
  launchDate: string;
  active: boolean;
}

export const db = new Dexie('kkb-field') as Dexie & {
  reports: EntityTable<FieldReport, 'id'>;
  instruments: EntityTable<CachedInstrument, 'key'>;
  kampung: EntityTable<CachedKampung, 'id'>;
};

db.version(1).stores({
  reports: 'id, state, updatedAt, nextAttemptAt',
  instruments: 'key, code',
  kampung: 'id, name',
});

/** The owner of reports a token stands for (`sub@scope`), or null without a (valid) token. */
export function ownerOf(token: string | null): string | null {
  const claims = token ? decodeClaims(token) : null;
  return claims?.sub ? `${claims.sub}@${claims.scope}` : null;
}

/** The signed-in officer as the owner of reports, or null when nobody is. */
export const currentOwner = (): string | null => ownerOf(getToken());

/** States that wait for the network (the *Menunggu dikirim* list). */
export const WAITING: readonly ReportState[] = ['queued', 'sending', 'signin'];
/** States the officer must act on. */
export const NEEDS_OFFICER: readonly ReportState[] = ['conflict', 'refused'];
