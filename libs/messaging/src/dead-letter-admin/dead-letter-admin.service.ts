import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ProblemException } from '@kkb/platform';
import type { DeadLetterEntry } from './dead-letter.protocol';
import { DeadLetterReplayClient } from './dead-letter-replay.client';
import { DeadLetterStore, type DeadLetterOrder } from './dead-letter.store';
import type { AuditRecord, DeadLetterAuditLog } from './dead-letter-audit.repository';

/** Who acts, from the verified token. */
export interface DeadLetterActor {
  sub: string;
  role: string;
}

export interface DeadLetterSummary {
  seq: number;
  service: string;
  consumer: string;
  reason: string;
  eventId: string | null;
  eventType: string | null;
  subject: string;
  deliveryCount: number;
  replays: number;
  /** When the consumer dead-lettered it. */
  receivedAt: string;
}

export interface DeadLetterDetail extends DeadLetterSummary {
  problems: { field: string; reason: string }[];
  stream: string;
  streamSequence: number;
  replayOf: number | null;
  /** The event as received (text: it may not be valid JSON, that may be why it is here). */
  event: string;
  eventTruncated: boolean;
  storedAt: string;
}

export interface ReplayResult {
  seq: number;
  /** replayed: the consumer took it (see outcome); otherwise why not (the letter stays). */
  status: 'replayed' | 'not-found' | 'not-mine' | 'unavailable' | 'failed' | 'no-responder' | 'timeout';
  outcome: 'handled' | 'duplicate' | 'ignored' | 'dead-lettered' | null;
  /** The new letter when the replay was dead-lettered again. */
  newSeq: number | null;
  detail: string | null;
}

export interface DiscardResult {
  seq: number;
  discarded: boolean;
}

const FAILURE_STATUS: Record<Exclude<ReplayResult['status'], 'replayed'>, number> = {
  'not-found': HttpStatus.NOT_FOUND,
  'not-mine': HttpStatus.CONFLICT,
  unavailable: HttpStatus.CONFLICT,
  failed: HttpStatus.SERVICE_UNAVAILABLE,
  'no-responder': HttpStatus.SERVICE_UNAVAILABLE,
  timeout: HttpStatus.GATEWAY_TIMEOUT,
};

export const DEAD_LETTER_AUDIT = Symbol('DEAD_LETTER_AUDIT');

function summaryOf(e: DeadLetterEntry): DeadLetterSummary {
  const l = e.letter;
  return {
    seq: e.seq,
    service: l.service,
    consumer: l.consumer,
    reason: l.reason,
    eventId: e.eventId,
    eventType: e.eventType,
    subject: l.subject,
    deliveryCount: l.deliveryCount,
    replays: l.replays ?? 0,
    receivedAt: l.receivedAt,
  };
}

/**
 * Dead letters as a tool: list, inspect, replay and discard the letters of the DLQ stream, every
 * action on a letter audited (who, when, which letter, the outcome) before it runs and completed
 * after. Replays are carried out by the service that owns the consumer (DeadLetterReplayer), which
 * re-delivers the event to that one durable through its inbox; discards delete the message from
 * the DLQ stream.
 */
@Injectable()
export class DeadLetterAdminService {
  constructor(
    private readonly store: DeadLetterStore,
    private readonly replays: DeadLetterReplayClient,
    @Inject(DEAD_LETTER_AUDIT) private readonly audit: DeadLetterAuditLog,
  ) {}

  async list(q: {
    consumer?: string;
    order: DeadLetterOrder;
    limit: number;
    after?: number;
  }): Promise<{ items: DeadLetterSummary[]; nextCursor: string | null }> {
    const { items, more } = await this.store.page(q);
    return {
      items: items.map(summaryOf),
      nextCursor: more && items.length ? String(items[items.length - 1].seq) : null,
    };
  }

  async show(seq: number, actor: DeadLetterActor): Promise<DeadLetterDetail> {
    const e = await this.found(seq);
    const id = await this.audit.start(this.auditStart('inspect', actor, e, null));
    await this.audit.finish(id, 'shown');
    const l = e.letter;
    return {
      ...summaryOf(e),
      problems: (l.problems ?? []).map((p) => ({ field: p.field, reason: p.reason })),
      stream: l.stream,
      streamSequence: l.streamSequence,
      replayOf: l.replayOf ?? null,
      event: l.event,
      eventTruncated: l.eventTruncated === true,
      storedAt: e.storedAt,
    };
  }

  /** Replays one letter; a replay that did not happen is an error (problem+json). */
  async replay(seq: number, actor: DeadLetterActor): Promise<ReplayResult> {
    const e = await this.found(seq);
    const r = await this.replayEntry(e, actor, null);
    if (r.status !== 'replayed') {
      throw new ProblemException(
        FAILURE_STATUS[r.status],
        `dead-letter-replay-${r.status}`,
        'The dead letter was not replayed',
        r.detail ?? undefined,
      );
    }
    return r;
  }

  /** Replays every letter of one consumer, oldest first; each letter's result. */
  async replayAll(consumer: string, actor: DeadLetterActor): Promise<ReplayResult[]> {
    const bulk = randomUUID();
    const out: ReplayResult[] = [];
    for (const seq of await this.store.sequencesOf(consumer)) {
      const e = await this.store.get(seq);
      if (!e) continue; // gone meanwhile (discarded, replayed by someone else)
      out.push(await this.replayEntry(e, actor, bulk));
    }
    return out;
  }

  async discard(seq: number, actor: DeadLetterActor): Promise<DiscardResult> {
    const e = await this.found(seq);
    return this.discardEntry(e, actor, null);
  }

  async discardAll(consumer: string, actor: DeadLetterActor): Promise<DiscardResult[]> {
    const bulk = randomUUID();
    const out: DiscardResult[] = [];
    for (const seq of await this.store.sequencesOf(consumer)) {
      const e = await this.store.get(seq);
      if (e) out.push(await this.discardEntry(e, actor, bulk));
    }
    return out;
  }

  async auditLog(q: {
    consumer?: string;
    limit: number;
    cursor?: string;
  }): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
    const rows = await this.audit.list({ consumer: q.consumer, limit: q.limit + 1, before: q.cursor });
    const items = rows.slice(0, q.limit);
    return { items, nextCursor: rows.length > q.limit ? items[items.length - 1].id : null };
  }

  private async found(seq: number): Promise<DeadLetterEntry> {
    const e = await this.store.get(seq);
    if (!e) throw ProblemException.notFound(`Dead letter ${seq}`);
    return e;
  }

  private auditStart(
    action: 'inspect' | 'replay' | 'discard',
    actor: DeadLetterActor,
    e: DeadLetterEntry,
    bulk: string | null,
  ) {
    return {
      actor: actor.sub,
      actorRole: actor.role,
      action,
      bulk,
      consumer: e.letter.consumer,
      seq: e.seq,
      eventId: e.eventId,
      eventType: e.eventType,
    };
  }

  private async replayEntry(
    e: DeadLetterEntry,
    actor: DeadLetterActor,
    bulk: string | null,
  ): Promise<ReplayResult> {
    const id = await this.audit.start(this.auditStart('replay', actor, e, bulk));
    let r: ReplayResult;
    try {
      const reply = await this.replays.replay(e.letter.service, { seq: e.seq, actor: actor.sub });
      r =
        reply.status === 'replayed'
          ? { seq: e.seq, status: 'replayed', outcome: reply.outcome, newSeq: reply.newSeq, detail: null }
          : { seq: e.seq, status: reply.status, outcome: null, newSeq: null, detail: reply.detail };
    } catch (err) {
      r = { seq: e.seq, status: 'failed', outcome: null, newSeq: null, detail: (err as Error).message };
    }
    await this.audit.finish(id, r.status === 'replayed' ? (r.outcome ?? 'replayed') : r.status, {
      newSeq: r.newSeq,
      detail: r.detail,
    });
    return r;
  }

  private async discardEntry(
    e: DeadLetterEntry,
    actor: DeadLetterActor,
    bulk: string | null,
  ): Promise<DiscardResult> {
    const id = await this.audit.start(this.auditStart('discard', actor, e, bulk));
    let discarded: boolean;
    try {
      discarded = await this.store.delete(e.seq);
    } catch (err) {
      await this.audit.finish(id, 'failed', { detail: (err as Error).message });
      throw err;
    }
    await this.audit.finish(id, discarded ? 'discarded' : 'already-gone');
    return { seq: e.seq, discarded };
  }
}
