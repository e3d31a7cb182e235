// The device's copies of what field entry needs offline (instruments, the officer's kampung) and
// the changes of a report's life on the device: a new draft, a correction, queueing, deleting.
import { compile, type CompiledInstrument, type InstrumentDefinition } from '@kkb/instrument-rules';
import { useSession } from '../auth/session';
import { api, data } from '../api/client';
import {
  currentOwner,
  db,
  ownerOf,
  type CachedInstrument,
  type FieldReport,
  type SubmissionKind,
} from './db';
import { drain } from './sender';

interface InstrumentSummary {
  code: string;
  version: number;
  kind: SubmissionKind;
  title: string;
}
interface InstrumentView extends InstrumentSummary {
  definition: InstrumentDefinition;
}

/** The latest version of every instrument, kept on the device (the service worker keeps the responses too). */
export async function refreshInstruments(): Promise<void> {
  const list = data<InstrumentSummary[]>(await api.survey.GET('/api/v1/instruments'));
  const codes = [...new Set(list.map((i) => i.code))];
  const latest = await Promise.all(
    codes.map(async (code) =>
      data<InstrumentView>(
        await api.survey.GET('/api/v1/instruments/{code}', { params: { path: { code } } }),
      ),
    ),
  );
  const now = Date.now();
  const rows: CachedInstrument[] = latest.flatMap((i) => {
    const row = { code: i.code, version: i.version, kind: i.kind, title: i.title, definition: i.definition };
    return [
      { ...row, key: `${i.code}@${i.version}`, fetchedAt: now },
      { ...row, key: `${i.code}@latest`, fetchedAt: now },
    ];
  });
  await db.instruments.bulkPut(rows);
}

/** One version of an instrument: from the device, else from the survey service (then kept). */
export async function instrumentVersion(code: string, version: number): Promise<CachedInstrument> {
  const key = `${code}@${version}`;
  const cached = await db.instruments.get(key);
  if (cached) return cached;
  const i = data<InstrumentView>(
    await api.survey.GET('/api/v1/instruments/{code}/versions/{version}', {
      params: { path: { code, version } },
    }),
  );
  const row: CachedInstrument = { ...i, key, fetchedAt: Date.now() };
  await db.instruments.put(row);
  return row;
}

const compiled = new Map<string, CompiledInstrument>();
/** The compiled form of a cached instrument, made once per version. */
export function compiledOf(i: CachedInstrument): CompiledInstrument {
  const key = `${i.code}@${i.version}`;
  let c = compiled.get(key);
  if (!c) compiled.set(key, (c = compile(i.definition)));
  return c;
}

interface KampungPage {
  items: { id: string; name: string; villageCode: string; launchDate: string; active: boolean }[];
  nextCursor: string | null;
}

/** The kampung in the officer's scope (active ones), kept on the device; at most 5,000. */
export async function refreshKampung(): Promise<void> {
  const rows: KampungPage['items'] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const body = data<KampungPage>(
      await api.registry.GET('/api/v1/kampung', {
        params: { query: { limit: 500, active: true, ...(cursor && { cursor }) } },
      }),
    );
    rows.push(...body.items);
    if (!body.nextCursor) break;
    cursor = body.nextCursor;
  }
  await db.transaction('rw', db.kampung, async () => {
    await db.kampung.clear();
    await db.kampung.bulkPut(
      rows.map((k) => ({
        id: k.id,
        name: k.name,
        villageCode: k.villageCode,
        launchDate: k.launchDate,
        active: k.active,
      })),
    );
  });
}

/** A new, empty draft with its submission id made here, on the device. */
export async function newDraft(input: {
  kampungId: string;
  kampungName: string;
  instrument: CachedInstrument;
  period: { year: number; month: number };
  values?: Record<string, unknown>;
  corrects?: FieldReport['corrects'];
}): Promise<FieldReport> {
  const owner = currentOwner();
  if (!owner) throw new Error('sign in to begin a report');
  const now = Date.now();
  const report: FieldReport = {
    id: crypto.randomUUID(),
    owner,
    state: 'draft',
    kampungId: input.kampungId,
    kampungName: input.kampungName,
    instrumentCode: input.instrument.code,
    instrumentVersion: input.instrument.version,
    kind: input.instrument.kind,
    period: input.period,
    values: input.values ?? {},
    ...(input.corrects && { corrects: input.corrects }),
    attempts: 0,
    nextAttemptAt: 0,
    createdAt: now,
    updatedAt: now,
  };
  await db.reports.add(report);
  return report;
}

/** Saves what the officer typed (drafts only). */
export async function saveValues(id: string, values: Record<string, unknown>): Promise<void> {
  await db.reports
    .where('id')
    .equals(id)
    .and((r) => r.state === 'draft')
    .modify({ values, updatedAt: Date.now() });
}

/** The draft leaves for the queue with its answers frozen, and the sender is woken. */
export async function queueReport(id: string, answers: Record<string, unknown>): Promise<void> {
  await db.reports
    .where('id')
    .equals(id)
    .and((r) => r.state === 'draft')
    .modify({ state: 'queued', answers, attempts: 0, nextAttemptAt: 0, updatedAt: Date.now() });
  void drain();
}

/**
 * A report the service refused (409, 4xx) back into a draft to correct. It gets a new id: an id
 * once sent is never sent again with other content (a 409 already holds this one).
 */
export async function reopen(report: FieldReport): Promise<string> {
  const id = crypto.randomUUID();
  await db.transaction('rw', db.reports, async () => {
    await db.reports.delete(report.id);
    await db.reports.add({
      ...report,
      id,
      state: 'draft',
      answers: undefined,
      attempts: 0,
      nextAttemptAt: 0,
      updatedAt: Date.now(),
    });
  });
  return id;
}

export async function deleteReport(id: string): Promise<void> {
  await db.reports.delete(id);
}

/** Signed in again: the officer's reports that waited for a session are due now. */
export async function afterSignIn(owner: string): Promise<void> {
  await db.reports
    .where('state')
    .equals('signin')
    .and((r) => r.owner === owner)
    .modify({ state: 'queued', nextAttemptAt: 0 });
  void drain();
}

/** The signed-in officer's reports (a shared device keeps other officers' apart). */
export function useOwner(): string | null {
  const session = useSession();
  return ownerOf(session.token);
}
