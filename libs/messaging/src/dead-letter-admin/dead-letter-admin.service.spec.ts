import { ProblemException } from '@kkb/platform';
import { DeadLetterAdminService } from './dead-letter-admin.service';
import type { AuditRecord, AuditStart, DeadLetterAuditLog } from './dead-letter-audit.repository';
import type { DeadLetterReplayClient } from './dead-letter-replay.client';
import type { DeadLetterEntry, ReplayReply } from './dead-letter.protocol';
import type { DeadLetterStore } from './dead-letter.store';

/** The ProblemException a promise rejects with (fails if it resolves or rejects otherwise). */
async function problemOf(p: Promise<unknown>): Promise<ProblemException> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof ProblemException) return err;
  throw new Error(`expected a ProblemException, got ${String(err)}`);
}

const actor = { sub: 'officer-1', role: 'national' };

function entry(seq: number, consumer = 'classification-survey-submission', extra = {}): DeadLetterEntry {
  return {
    seq,
    storedAt: '2026-01-01T00:00:00.000Z',
    eventId: `ev-${seq}`,
    eventType: 'kkb.survey.submission.verified.v1',
    letter: {
      reason: 'invalid event',
      problems: [{ field: 'data.x', reason: 'required' }],
      service: 'classification',
      consumer,
      deliveryCount: 1,
      stream: 'KKB_SURVEY',
      streamSequence: 100 + seq,
      subject: 'kkb.survey.submission.verified.v1.16',
      receivedAt: '2026-01-01T00:00:00.000Z',
      event: JSON.stringify({ id: `ev-${seq}` }),
      ...extra,
    },
  };
}

/** The DLQ as a map, the audit as an array, the owning service as a scripted answer. */
function setup(letters: DeadLetterEntry[]) {
  const dlq = new Map(letters.map((e) => [e.seq, e]));
  const rows: AuditRecord[] = [];
  const events: string[] = [];
  const store = {
    get: async (seq: number) => dlq.get(seq) ?? null,
    page: async (q: { consumer?: string; limit: number; after?: number }) => {
      const all = [...dlq.values()].filter(
        (e) => (!q.consumer || e.letter.consumer === q.consumer) && e.seq > (q.after ?? 0),
      );
      return { items: all.slice(0, q.limit), more: all.length > q.limit };
    },
    sequencesOf: async (consumer: string) =>
      [...dlq.values()].filter((e) => e.letter.consumer === consumer).map((e) => e.seq),
    delete: async (seq: number) => {
      events.push(`delete ${seq} (audited: ${rows.some((r) => r.seq === seq && r.action === 'discard')})`);
      return dlq.delete(seq);
    },
  };
  let answer: (
    seq: number,
  ) => Promise<ReplayReply | { status: 'no-responder' | 'timeout'; detail: string }> = async (seq) => {
    dlq.delete(seq);
    return { status: 'replayed', outcome: 'handled', newSeq: null, eventId: `ev-${seq}` };
  };
  const replays = {
    replay: (service: string, req: { seq: number; actor: string }) => {
      events.push(
        `replay ${req.seq} by ${req.actor} at ${service} (audited: ${rows.some((r) => r.seq === req.seq && r.action === 'replay')})`,
      );
      return answer(req.seq);
    },
  };
  const audit: DeadLetterAuditLog = {
    start: async (a: AuditStart) => {
      const id = String(rows.length + 1);
      rows.push({ ...a, id, at: 'now', outcome: 'requested', newSeq: null, detail: null, finishedAt: null });
      return id;
    },
    finish: async (id, outcome, extra = {}) => {
      const r = rows.find((x) => x.id === id)!;
      Object.assign(r, {
        outcome,
        newSeq: extra.newSeq ?? null,
        detail: extra.detail ?? null,
        finishedAt: 'later',
      });
    },
    list: async (q) =>
      rows
        .filter(
          (r) => (!q.consumer || r.consumer === q.consumer) && (!q.before || Number(r.id) < Number(q.before)),
        )
        .reverse()
        .slice(0, q.limit),
  };
  const service = new DeadLetterAdminService(
    store as unknown as DeadLetterStore,
    replays as unknown as DeadLetterReplayClient,
    audit,
  );
  return { service, dlq, rows, events, answerWith: (f: typeof answer) => (answer = f) };
}

describe(DeadLetterAdminService.name, () => {
  it('lists letters as summaries with a cursor while more follow', async () => {
    const { service } = setup([entry(1), entry(2, 'notifications-survey'), entry(3), entry(4)]);
    const page = await service.list({
      consumer: 'classification-survey-submission',
      order: 'oldest',
      limit: 2,
    });
    expect(page.items.map((i) => [i.seq, i.consumer, i.eventId, i.replays])).toEqual([
      [1, 'classification-survey-submission', 'ev-1', 0],
      [3, 'classification-survey-submission', 'ev-3', 0],
    ]);
    expect(page.nextCursor).toBe('3');
    const last = await service.list({
      consumer: 'classification-survey-submission',
      order: 'oldest',
      limit: 2,
      after: 3,
    });
    expect(last).toMatchObject({ items: [{ seq: 4 }], nextCursor: null });
  });

  it('shows a whole letter and audits who looked; an unknown one is a 404 with no audit', async () => {
    const { service, rows } = setup([entry(7, 'c', { replays: 2, replayOf: 5 })]);
    const d = await service.show(7, actor);
    expect(d).toMatchObject({
      seq: 7,
      replays: 2,
      replayOf: 5,
      problems: [{ field: 'data.x' }],
      event: '{"id":"ev-7"}',
    });
    expect(rows).toMatchObject([{ action: 'inspect', seq: 7, actor: 'officer-1', outcome: 'shown' }]);
    expect((await problemOf(service.show(8, actor))).getStatus()).toBe(404);
    expect(rows).toHaveLength(1);
  });

  it('audits a replay before asking the owning service, then records its outcome', async () => {
    const { service, rows, events, answerWith } = setup([entry(1)]);
    answerWith(async () => ({ status: 'replayed', outcome: 'dead-lettered', newSeq: 9, eventId: 'ev-1' }));
    const r = await service.replay(1, actor);
    expect(r).toEqual({ seq: 1, status: 'replayed', outcome: 'dead-lettered', newSeq: 9, detail: null });
    expect(events).toEqual(['replay 1 by officer-1 at classification (audited: true)']);
    expect(rows).toMatchObject([
      { action: 'replay', seq: 1, outcome: 'dead-lettered', newSeq: 9, eventId: 'ev-1' },
    ]);
  });

  it.each([
    ['not-found', 404],
    ['not-mine', 409],
    ['unavailable', 409],
    ['failed', 503],
    ['no-responder', 503],
    ['timeout', 504],
  ] as const)('answers a replay that did not happen (%s) with %i and audits why', async (status, http) => {
    const { service, rows, answerWith } = setup([entry(1)]);
    answerWith(async () => ({ status, detail: `because ${status}` }));
    const p = await problemOf(service.replay(1, actor));
    expect(p.getStatus()).toBe(http);
    expect(p.problemType).toBe(`dead-letter-replay-${status}`);
    expect(rows).toMatchObject([{ action: 'replay', outcome: status, detail: `because ${status}` }]);
  });

  it('audits a replay whose request failed outright as failed', async () => {
    const { service, rows, answerWith } = setup([entry(1)]);
    answerWith(async () => {
      throw new Error('connection closed');
    });
    expect((await problemOf(service.replay(1, actor))).getStatus()).toBe(503);
    expect(rows).toMatchObject([{ outcome: 'failed', detail: 'connection closed' }]);
  });

  it('replays all letters of one consumer, oldest first, under one bulk id', async () => {
    const { service, rows, dlq, answerWith } = setup([entry(1), entry(2, 'other'), entry(3), entry(4)]);
    answerWith(async (seq) => {
      if (seq === 1) dlq.delete(4); // discarded by someone else meanwhile
      dlq.delete(seq);
      return {
        status: 'replayed',
        outcome: seq === 3 ? 'duplicate' : 'handled',
        newSeq: null,
        eventId: null,
      };
    });
    const out = await service.replayAll('classification-survey-submission', actor);
    expect(out.map((r) => [r.seq, r.outcome])).toEqual([
      [1, 'handled'],
      [3, 'duplicate'],
    ]);
    expect(rows.map((r) => [r.seq, r.outcome])).toEqual([
      [1, 'handled'],
      [3, 'duplicate'],
    ]);
    expect(rows[0].bulk).toMatch(/^[0-9a-f-]{36}$/);
    expect(rows[1].bulk).toBe(rows[0].bulk);
    expect([...dlq.keys()]).toEqual([2]);
  });

  it('discards after auditing; a failed delete is audited and thrown', async () => {
    const { service, rows, events, dlq } = setup([entry(1), entry(2)]);
    expect(await service.discard(1, actor)).toEqual({ seq: 1, discarded: true });
    expect(events).toEqual(['delete 1 (audited: true)']);
    expect(rows).toMatchObject([{ action: 'discard', seq: 1, outcome: 'discarded', bulk: null }]);
    expect([...dlq.keys()]).toEqual([2]);
    expect((await problemOf(service.discard(1, actor))).getStatus()).toBe(404);

    const broken = setup([entry(3)]);
    (broken.service as unknown as { store: { delete: () => Promise<boolean> } }).store.delete = async () => {
      throw new Error('jetstream down');
    };
    await expect(broken.service.discard(3, actor)).rejects.toThrow('jetstream down');
    expect(broken.rows).toMatchObject([
      { action: 'discard', seq: 3, outcome: 'failed', detail: 'jetstream down' },
    ]);
  });

  it('discards every letter of one consumer and leaves the others', async () => {
    const { service, dlq, rows } = setup([entry(1), entry(2, 'other'), entry(3)]);
    expect(await service.discardAll('classification-survey-submission', actor)).toEqual([
      { seq: 1, discarded: true },
      { seq: 3, discarded: true },
    ]);
    expect([...dlq.keys()]).toEqual([2]);
    expect(new Set(rows.map((r) => r.bulk)).size).toBe(1);
  });

  it('pages the audit newest first', async () => {
    const { service } = setup([entry(1), entry(2), entry(3)]);
    for (const seq of [1, 2, 3]) await service.show(seq, actor);
    const first = await service.auditLog({ limit: 2 });
    expect(first.items.map((r) => r.seq)).toEqual([3, 2]);
    expect(first.nextCursor).toBe(first.items[1].id);
    const second = await service.auditLog({ limit: 2, cursor: first.nextCursor! });
    expect(second).toMatchObject({ items: [{ seq: 1 }], nextCursor: null });
  });
});
