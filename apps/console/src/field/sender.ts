// Sends the reports waiting on the device, one at a time, whenever there is a connection: the
// same submission id every time, so a resend after a lost answer is a 200 and stores nothing
// twice. Failures that may pass (offline, 5xx, 429) wait with exponential backoff; a 409 or
// another 4xx is kept for the officer to resolve, never dropped. One tab sends at a time.
import { getToken } from '../auth/token-store';
import { currentOwner, db, type FieldReport, type ProblemField } from './db';

/** Backoff after the nth failed attempt: 2 s, 4 s, 8 s … at most 2 minutes, with jitter. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(120_000, 2_000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

export type SendOutcome =
  | { state: 'sent'; status: number }
  | { state: 'queued'; retryAfterMs?: number; error: FieldReport['lastError'] }
  | { state: 'conflict' | 'refused' | 'signin'; error: FieldReport['lastError'] };

interface ProblemBody {
  title?: string;
  detail?: string;
  errors?: ProblemField[];
}

/** What an answer of the survey service means for a waiting report. */
export async function outcomeOf(response: Response): Promise<SendOutcome> {
  if (response.status === 200 || response.status === 201) return { state: 'sent', status: response.status };
  let body: ProblemBody = {};
  try {
    body = (await response.json()) as ProblemBody;
  } catch {
    body = {};
  }
  const error = {
    status: response.status,
    title: body.title ?? response.statusText ?? 'Error',
    ...(body.detail && { detail: body.detail }),
    ...(Array.isArray(body.errors) && { errors: body.errors.slice(0, 100) }),
  };
  if (response.status === 401) return { state: 'signin', error };
  if (response.status === 409) return { state: 'conflict', error };
  if (response.status === 429 || response.status >= 500) {
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
      state: 'queued',
      error,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 && { retryAfterMs: retryAfter * 1000 }),
    };
  }
  return { state: 'refused', error };
}

/** The body of a report's submission: the same bytes on every attempt. */
export function submissionBody(r: FieldReport) {
  return {
    id: r.id,
    kampungId: r.kampungId,
    instrumentCode: r.instrumentCode,
    instrumentVersion: r.instrumentVersion,
    period: r.period,
    answers: r.answers ?? {},
  };
}

const SEND_TIMEOUT_MS = 30_000;

async function sendOne(report: FieldReport): Promise<void> {
  const token = getToken();
  if (!token) {
    await db.reports.update(report.id, { state: 'signin', updatedAt: Date.now() });
    return;
  }
  const attempts = report.attempts + 1;
  await db.reports.update(report.id, { state: 'sending', attempts, updatedAt: Date.now() });
  let outcome: SendOutcome;
  try {
    const response = await fetch('/api/v1/submissions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(submissionBody(report)),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    outcome = await outcomeOf(response);
  } catch (err) {
    // No answer at all: offline, refused connection, timeout. Whether it was stored is unknown:
    // the resend with the same id finds out (201, or 200 for the one stored).
    outcome = { state: 'queued', error: { status: 0, title: String((err as Error).name ?? err) } };
  }
  const now = Date.now();
  if (outcome.state === 'sent') {
    await db.reports.update(report.id, {
      state: 'sent',
      sentStatus: outcome.status,
      sentAt: now,
      updatedAt: now,
      lastError: undefined,
    });
  } else if (outcome.state === 'queued') {
    const wait = Math.max(outcome.retryAfterMs ?? 0, backoffMs(attempts));
    await db.reports.update(report.id, {
      state: 'queued',
      nextAttemptAt: now + wait,
      lastError: outcome.error,
      updatedAt: now,
    });
  } else {
    await db.reports.update(report.id, { state: outcome.state, lastError: outcome.error, updatedAt: now });
  }
}

let timer: ReturnType<typeof setTimeout> | undefined;
let running = false;
let again = false;

/** Sends every due report now (when online), then sleeps until the next one is due. */
export async function drain(): Promise<void> {
  if (running) {
    again = true;
    return;
  }
  running = true;
  try {
    do {
      again = false;
      if (typeof navigator !== 'undefined' && navigator.onLine === false) break;
      // Only the signed-in officer's reports go out, with that officer's token.
      const owner = currentOwner();
      if (!owner) break;
      const work = async () => {
        for (;;) {
          const due = await db.reports
            .where('state')
            .equals('queued')
            .filter((r) => r.owner === owner && r.nextAttemptAt <= Date.now())
            .first();
          if (!due) return;
          await sendOne(due);
          if (navigator.onLine === false) return;
        }
      };
      // Two tabs draining at once would only send the same ids twice (harmless, but wasteful).
      if (navigator.locks) await navigator.locks.request('kkb-field-sender', work);
      else await work();
    } while (again);
  } finally {
    running = false;
    await schedule();
  }
}

async function schedule(): Promise<void> {
  if (timer) clearTimeout(timer);
  timer = undefined;
  // Offline, nothing is due before the connection returns: the `online` event drains then.
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return;
  const next = await db.reports.where('state').equals('queued').sortBy('nextAttemptAt');
  if (!next.length) return;
  const wait = Math.max(0, next[0].nextAttemptAt - Date.now());
  timer = setTimeout(() => void drain(), Math.min(wait, 2 ** 31 - 1));
}

/** Sends everything waiting now, without waiting for the backoff (the officer asked). */
export async function sendNow(): Promise<void> {
  const owner = currentOwner();
  if (owner)
    await db.reports
      .where('state')
      .anyOf('queued', 'signin')
      .and((r) => r.owner === owner)
      .modify({ state: 'queued', nextAttemptAt: 0 });
  await drain();
}

let started = false;

/**
 * Starts the sender once per page: a report left `sending` by a closed or reloaded page is
 * queued again (its outcome is unknown; the same id makes the resend safe), and the queue drains
 * at start, when the connection returns and when a report is queued.
 */
export function startSender(): void {
  if (started || typeof window === 'undefined') return;
  started = true;
  void (async () => {
    await db.reports.where('state').equals('sending').modify({ state: 'queued', nextAttemptAt: 0 });
    await drain();
  })();
  window.addEventListener('online', () => void sendNow());
}
