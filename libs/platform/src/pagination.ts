import type { Type as ClassType } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { isTimestampText } from '@kkb/contracts';
import { UNSTORABLE } from './hostile-input';
import { ProblemException } from './problem';
import { canonicalUuid } from './validation';

/**
 * A query-string flag: `true` and `false` become booleans; anything else is left for @IsBoolean
 * to refuse. Reads the raw value, since implicit conversion would turn 'false' into true.
 */
export const QueryBoolean = (): PropertyDecorator =>
  Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) =>
    obj[key] === 'true' ? true : obj[key] === 'false' ? false : obj[key],
  );

/** One page of a list; `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The OpenAPI shape of a `Page<T>` (`{ items, nextCursor }`): extend it to name the page,
 * `export class RegionPage extends PageOf(RegionView) {}`.
 */
export function PageOf<T>(item: ClassType<T>): ClassType<Page<T>> {
  class PageOfItems implements Page<T> {
    @ApiProperty({ type: [item] })
    items!: T[];

    @ApiProperty({
      type: String,
      nullable: true,
      description: 'Pass as `cursor` for the next page; null on the last page',
    })
    nextCursor!: string | null;
  }
  return PageOfItems;
}

/** `?limit=&cursor=`: every list endpoint takes these. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

/** Cursors are opaque to clients: base64url of the sort key of the last item. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * What one value of a cursor's key must be. Cursors come back from clients, so each value is
 * checked before it reaches SQL: a forged cursor (valid base64 of JSON with the wrong types inside)
 * is a 400 naming `cursor`, never a database error.
 * - `seq`: a non-negative bigint (as text or a safe integer), returned as text;
 * - `text`: a string of at most 512 characters Postgres can store;
 * - `uuid`: a UUID, returned in lower case;
 * - `timestamp`: a date-time with offset as `toISOString` or Postgres print it, on the calendar;
 * - a function: a check of the caller's own (the value is returned as it is).
 */
export type CursorPart = 'seq' | 'text' | 'uuid' | 'timestamp' | ((value: unknown) => boolean);
type CursorValue<P> = P extends 'seq' | 'text' | 'uuid' | 'timestamp' ? string : unknown;
export type CursorKey<P extends readonly CursorPart[]> = { -readonly [K in keyof P]: CursorValue<P[K]> };

const BIGINT_MAX = 9223372036854775807n;

function cursorValue(part: CursorPart, v: unknown): { ok: true; value: unknown } | { ok: false } {
  if (typeof part === 'function') return part(v) ? { ok: true, value: v } : { ok: false };
  switch (part) {
    case 'seq': {
      const text = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v;
      return typeof text === 'string' && /^\d{1,19}$/.test(text) && BigInt(text) <= BIGINT_MAX
        ? { ok: true, value: text }
        : { ok: false };
    }
    case 'text':
      return typeof v === 'string' && v.length <= 512 && !UNSTORABLE.test(v)
        ? { ok: true, value: v }
        : { ok: false };
    case 'uuid': {
      const id = canonicalUuid(v);
      return id ? { ok: true, value: id } : { ok: false };
    }
    case 'timestamp':
      return isTimestampText(v) ? { ok: true, value: v } : { ok: false };
  }
}

/**
 * The key a cursor carries, each value checked against `parts` (see CursorPart); null without a
 * cursor. Anything else (not base64url JSON, another length, a value of the wrong kind) is a 400.
 */
export function decodeCursor<const P extends readonly CursorPart[]>(
  cursor: string | undefined,
  parts: P,
): CursorKey<P> | null {
  if (!cursor) return null;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (Array.isArray(key) && key.length === parts.length) {
    const out: unknown[] = [];
    for (const [i, part] of parts.entries()) {
      const r = cursorValue(part, key[i]);
      if (!r.ok) break;
      out.push(r.value);
    }
    if (out.length === parts.length) return out as CursorKey<P>;
  }
  throw ProblemException.validation([{ field: 'cursor', reason: 'cursor is not one this API issued' }]);
}

/** Builds a page from `limit + 1` fetched rows: the extra row only says there is more. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => unknown[]): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(keyOf(items[items.length - 1])) : null };
}
