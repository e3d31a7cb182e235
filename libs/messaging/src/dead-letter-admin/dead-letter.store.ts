import { Inject, Injectable } from '@nestjs/common';
import { JetStreamApiError, type DirectMsgRequest, type StoredMsg } from '@nats-io/jetstream';
import { dlqStreamName, MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { NatsConnectionService } from '../nats-connection';
import { entryOf, type DeadLetterEntry } from './dead-letter.protocol';

export type DeadLetterOrder = 'oldest' | 'newest';

export interface DeadLetterPageRequest {
  consumer?: string;
  order: DeadLetterOrder;
  limit: number;
  /** Oldest first: letters after this sequence; newest first: letters before it. */
  after?: number;
}

/** Stream or message not found (JetStream API codes). */
const NOT_FOUND = new Set([10037, 10059, 10014]);

/**
 * The DLQ stream (`<prefix>_DLQ`, subjects `<root>.dlq.<service>.<consumer>`) as a store of letters
 * addressed by their stream sequence. Reads one message at a time (STREAM.MSG.GET, with
 * `next_by_subj` to walk one consumer's letters): the DLQ holds what needs a person's attention,
 * not a backlog, so a walk over it is cheap; newest-first pages walk from the start and keep the
 * last `limit` letters.
 */
@Injectable()
export class DeadLetterStore {
  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly nats: NatsConnectionService,
  ) {}

  get stream(): string {
    return dlqStreamName(this.options.streamPrefix);
  }

  /** The subject filter of one consumer's letters (any service), or of all letters. */
  filter(consumer?: string): string {
    const root = this.options.subjectRoot;
    return consumer ? `${root}.dlq.*.${consumer}` : `${root}.dlq.>`;
  }

  async get(seq: number): Promise<DeadLetterEntry | null> {
    const stored = await this.read({ seq });
    return stored ? entryOf(stored, this.options.subjectRoot) : null;
  }

  /** The first letter at or after `seq` that `filter` takes. */
  private async next(
    seq: number,
    filter: string,
  ): Promise<{ seq: number; entry: DeadLetterEntry | null } | null> {
    const stored = await this.read({ seq, next_by_subj: filter });
    return stored ? { seq: stored.seq, entry: entryOf(stored, this.options.subjectRoot) } : null;
  }

  /** One page of letters and whether more follow. */
  async page(req: DeadLetterPageRequest): Promise<{ items: DeadLetterEntry[]; more: boolean }> {
    const filter = this.filter(req.consumer);
    const items: DeadLetterEntry[] = [];
    if (req.order === 'oldest') {
      let seq = (req.after ?? 0) + 1;
      while (items.length <= req.limit) {
        const e = await this.next(seq, filter);
        if (!e) break;
        if (e.entry) items.push(e.entry);
        seq = e.seq + 1;
      }
      return { items: items.slice(0, req.limit), more: items.length > req.limit };
    }
    // Newest first: everything before `after` (or to the end), keeping the last limit + 1.
    let seq = 1;
    for (;;) {
      const e = await this.next(seq, filter);
      if (!e || (req.after !== undefined && e.seq >= req.after)) break;
      if (e.entry) {
        items.push(e.entry);
        if (items.length > req.limit + 1) items.shift();
      }
      seq = e.seq + 1;
    }
    items.reverse();
    return { items: items.slice(0, req.limit), more: items.length > req.limit };
  }

  /** The sequences of every letter of `consumer`, oldest first. */
  async sequencesOf(consumer: string): Promise<number[]> {
    const filter = this.filter(consumer);
    const seqs: number[] = [];
    let seq = 1;
    for (;;) {
      const e = await this.next(seq, filter);
      if (!e) break;
      if (e.entry) seqs.push(e.seq);
      seq = e.seq + 1;
    }
    return seqs;
  }

  /** Removes a letter from the stream; false if it was not there (already gone). */
  async delete(seq: number): Promise<boolean> {
    try {
      return await this.nats.jsm.streams.deleteMessage(this.stream, seq, false);
    } catch (err) {
      if (err instanceof JetStreamApiError && NOT_FOUND.has(err.code)) return false;
      throw err;
    }
  }

  private async read(query: DirectMsgRequest): Promise<StoredMsg | null> {
    try {
      // next_by_subj is a STREAM.MSG.GET field (nats-server >= 2.9), not only a direct-get one.
      return await this.nats.jsm.streams.getMessage(this.stream, query as { seq: number });
    } catch (err) {
      if (err instanceof JetStreamApiError && NOT_FOUND.has(err.code)) return null;
      throw err;
    }
  }
}
