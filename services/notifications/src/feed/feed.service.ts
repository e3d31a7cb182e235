import { ForbiddenException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { scopePrefix, type Principal } from '@kkb/auth';
import { decodeCursor, encodeCursor, ProblemException } from '@kkb/platform';
import { typePatternRegex } from '../common/event-matching';
import { FeedHead } from './feed-head';
import type { FeedQuery } from './feed.query';
import { FeedRepository } from './feed.repository';

/** One page of the feed: CloudEvents as received, and the cursor to pass as `after` next. */
export interface FeedPage {
  items: Record<string, unknown>[];
  next: string;
}

/** The position a cursor carries ('0': before the first event). */
function positionOf(after: string | undefined): string {
  let key: [string] | null;
  try {
    key = decodeCursor(after, ['seq']);
  } catch {
    throw ProblemException.validation([{ field: 'after', reason: 'after is not a cursor this API issued' }]);
  }
  return key ? key[0] : '0';
}

@Injectable()
export class FeedService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly feed: FeedRepository,
    private readonly head: FeedHead,
  ) {}

  /**
   * The events after `q.after` within the caller's scope (and `q.region`, which must lie inside
   * it), of the types `q.type` matches. With `q.wait`, an empty page is answered only once an
   * event arrived or the wait is over (then with the same cursor).
   */
  async read(user: Principal, q: FeedQuery): Promise<FeedPage> {
    const after = positionOf(q.after);
    const prefix = this.prefix(user, q.region);
    const typeRegex = q.type ? typePatternRegex(q.type.split(',')) : null;
    const deadline = Date.now() + q.wait * 1000;
    let position = after;
    for (;;) {
      // Events committed since the last read take their place in the order first.
      await this.head.sequence();
      const rows = await this.feed.page(this.ds.manager, {
        after: position,
        prefix,
        typeRegex,
        limit: q.limit,
      });
      const last = rows.events.at(-1);
      if (last) {
        return {
          items: rows.events.map((e) => e.event),
          // A short page saw everything up to the head: the next read starts there.
          next: encodeCursor([rows.events.length < q.limit ? maxOf(rows.head, last.seq) : last.seq]),
        };
      }
      // Nothing matched up to the head: skip past it (nothing below it can appear later).
      position = maxOf(position, rows.head);
      const left = deadline - Date.now();
      if (left <= 0) return { items: [], next: encodeCursor([position]) };
      await this.head.changed(rows.head, left);
    }
  }

  /** The compact prefix read: the caller's scope, or a region inside it (else 403). */
  private prefix(user: Principal, region: string | undefined): string {
    const scope = scopePrefix(user);
    if (region === undefined || region === '') return scope;
    const wanted = region.replace(/\./g, '');
    if (!wanted.startsWith(scope)) {
      throw new ForbiddenException(`region ${region} is outside your scope (${scope || 'national'})`);
    }
    return wanted;
  }
}

function maxOf(a: string, b: string): string {
  return BigInt(a) >= BigInt(b) ? a : b;
}
