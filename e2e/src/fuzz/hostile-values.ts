import fc from 'fast-check';

/**
 * JSON text put into a body as it is: numbers JSON.stringify cannot write (1e400 parses to
 * Infinity, 2^53+1 loses its last digit), duplicate keys, `__proto__`.
 */
export class Raw {
  constructor(readonly text: string) {}
  toJSON(): string {
    return `«raw ${abbreviate(this.text, 60)}»`;
  }
}

/**
 * JSON text of a value, Raw inserted verbatim; `replace` may give the text of other special values.
 * Recursion is bounded by the values built here (deep values are Raw text).
 */
export function jsonText(v: unknown, replace?: (v: unknown) => string | undefined): string {
  const special = replace?.(v);
  if (special !== undefined) return special;
  if (v instanceof Raw) return v.text;
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => jsonText(x, replace)).join(',')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x, replace)}`)
    .join(',')}}`;
}

/** Kinds of hostile value; a finding names the kind of the value that caused it. */
export type HostileKind =
  | 'null'
  | 'missing'
  | 'wrong-type'
  | 'number'
  | 'string'
  | 'empty'
  | 'overlong'
  | 'deep'
  | 'wide'
  | 'date'
  | 'id'
  | 'cursor'
  | 'param-array'
  | 'bad-encoding'
  | 'raw-body'
  | 'content-type'
  | 'if-match'
  | 'csv'
  | 'token'
  | 'valid';

/** Shortens a text for messages: the start, the length, and no control characters. */
export function abbreviate(text: string, max = 120): string {
  const shown = text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
  return shown.replace(
    // eslint-disable-next-line no-control-regex -- control characters are shown escaped on purpose
    /[\u0000-\u001f\u007f\u202e\u200f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** JSON text of arrays nested `depth` deep (as text: JSON.stringify overflows past ~10,000). */
export const nestedArrayText = (depth: number): Raw => new Raw(`${'['.repeat(depth)}1${']'.repeat(depth)}`);

/** JSON text of objects nested `depth` deep: `{"a":{"a":…"x"}}`. */
export const nestedObjectText = (depth: number): Raw =>
  new Raw(`${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}`);

/** Numbers that break int columns, JavaScript's safe range, JSON or Postgres. */
export const HOSTILE_NUMBERS: readonly unknown[] = [
  1e19,
  1e308,
  -1,
  0,
  -0,
  2 ** 31,
  2 ** 31 + 1,
  -(2 ** 31) - 1,
  2 ** 32,
  2 ** 53 + 2,
  1e-7,
  0.5,
  13,
  new Raw('9007199254740993'),
  new Raw('1e400'),
  new Raw('-1e400'),
  new Raw('1E+19'),
  new Raw('123456789012345678901234567890'),
  new Raw('1.0000000000000000000000001'),
  'NaN',
  'Infinity',
  '-Infinity',
  '1e19',
  '0x10',
  ' 1',
  '1.0',
  '+1',
  '١٢',
  '2147483648',
  '-1',
];

/** Strings that trip encoders, collations, LIKE patterns, URL decoders and storage. */
export const HOSTILE_STRINGS: readonly string[] = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u202eRTL override',
  '\u200f\u0627\u0644\u0639\u0631\u0628\u064a\u0629',
  '👨‍👩‍👧‍👦',
  '🇮🇩',
  'e\u0301\u0301\u0301',
  '\u200b',
  '\ufeff',
  'İstanbul',
  'ß',
  'ﬀ',
  '１６',
  '%',
  '%%',
  '%00',
  '%ZZ',
  '%C0%AF',
  '%2e%2e%2f',
  '../../etc/passwd',
  '_%\\',
  "' OR '1'='1",
  '"; DROP TABLE kampung; --',
  '\\',
  '.*(',
  '<script>alert(1)</script>',
  '${7*7}',
  '\r\nX-Injected: 1',
  ' ',
  '\t',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '16.10.05.2041\n',
  ' 16 ',
  '16.',
  '16..10',
  '0',
  '-1',
];

/** ISO-8601 shapes a lenient check may pass and Postgres refuses, or the other way round. */
export const HOSTILE_DATES: readonly string[] = [
  '2023-W01',
  '2023-W01-1',
  '2023-02-30',
  '2023-02-29',
  '2024-02-30',
  '2023-04-31',
  '+275760-09-13',
  '-000001-01-01',
  '+002023-01-01',
  '0000-01-01',
  '0000-00-00',
  '2023-13-01',
  '2023-00-10',
  '2023-001',
  '2023-366',
  '20230101',
  '2023-1-1',
  '2023-01',
  '2023',
  '2023-01-01T24:00:00Z',
  '2023-01-01T25:00:00Z',
  '2016-12-31T23:59:60Z',
  '2023-01-01T00:00:00+14:00',
  '2023-01-01T00:00:00.123456789Z',
  '2023-01-01T00:00:00+99:99',
  '9999-12-31',
  '1900-01-01',
  '2999-01-01',
  '2023-13',
  '2023-00',
  '0000-00',
  '+275760-09',
];

/** Ids that are no UUID, too long, too large for an int, or an upper-case form of a real one. */
export const HOSTILE_IDS: readonly string[] = [
  'abc',
  '1',
  '-1',
  '0',
  '2147483648',
  '99999999999999999999',
  '1e3',
  '1.5',
  '0x1',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF',
  '{6f1c3b0a-2d4e-4f5a-8b6c-7d8e9f0a1b2c}',
  '6f1c3b0a2d4e4f5a8b6c7d8e9f0a1b2c',
  '6f1c3b0a-2d4e-4f5a-8b6c-7d8e9f0a1b2',
  '6f1c3b0a-2d4e-4f5a-8b6c-7d8e9f0a1b2cz',
  '6f1c3b0a-2d4e-1f5a-8b6c-7d8e9f0a1b2c',
  '01890a5d-ac96-774b-bcce-b302099a8057',
  'x'.repeat(99),
  'x'.repeat(101),
  '١',
];

export const HOSTILE_CONTENT_TYPES: readonly string[] = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json-patch+json',
  'text/csv',
  'application/octet-stream',
];

export const HOSTILE_ETAGS: readonly string[] = [
  '*',
  'W/"1"',
  '"abc"',
  '"99999999999999999999"',
  '"-1"',
  '"1.5"',
  '"2147483648"',
  '""',
  '1',
  '"1", "2"',
  '"\u00ff"',
];

/** Bodies that are no JSON object: broken JSON, other JSON types, forbidden prototype keys. */
export const HOSTILE_BODY_TEXTS: readonly string[] = [
  '',
  '{',
  '{"a":',
  '[1,]',
  '{"a":1,}',
  "{'a':1}",
  'NaN',
  'null',
  '[]',
  '"text"',
  '1e400',
  'true',
  '{"a":1}{"b":2}',
  '\ufeff{}',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  nestedArrayText(20_000).text,
  nestedObjectText(5_000).text,
];

const base64url = (text: string) => Buffer.from(text).toString('base64url');

/** A JSON value of the wrong kind for anything a cursor could hold. */
const cursorPart: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, 1e19, -1, 1e308, 0.5, '', '\u0000', '\ud800', [], {}, [1, 2], {
    a: 1,
  }),
  fc.constantFrom(...HOSTILE_DATES),
  fc.constantFrom(...HOSTILE_IDS),
  fc.string({ maxLength: 8 }),
  fc.integer(),
);

/**
 * Cursors that decode: base64url of JSON whose sort key has the wrong arity or types inside,
 * plus a few that do not decode at all.
 */
export const forgedCursor: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.array(cursorPart, { minLength: 0, maxLength: 4 }).map((a) => base64url(JSON.stringify(a))),
  },
  { weight: 1, arbitrary: cursorPart.map((v) => base64url(JSON.stringify(v))) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '!!!',
      '%%%',
      'bnVsbA',
      base64url('{"a":'),
      base64url('['.repeat(600)),
      'A'.repeat(513),
    ),
  },
);

const overlongChar = fc.constantFrom('a', 'é', '€', '😀', '\u0301');

/** Strings past any sensible limit, from a few hundred characters to ~300 KB. */
export const overlongString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(129, 201, 257, 513, 1001, 2049, 4001, 10_001, 100_001), overlongChar)
  .map(([n, c]) => c.repeat(c.length === 2 ? Math.floor(n / 2) + 1 : n));

export const deepValue: fc.Arbitrary<Raw> = fc.oneof(
  fc.constantFrom(33, 40, 200, 20_000).map(nestedArrayText),
  fc.constantFrom(33, 100, 5_000).map(nestedObjectText),
);

export const wideValue: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  Array.from({ length: 20_000 }, (_, i) => i),
  Array.from({ length: 2_000 }, () => 'kkb'),
  Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i])),
  Array.from({ length: 500 }, () => ({ name: 'Siti', position: 'Ketua' })),
);

export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(true, false, 0, 1, [], {}, [1, 'a'], { a: 1 }, 'x', [null], [[]]),
  fc.integer(),
  fc.string({ maxLength: 6 }),
);

export const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }) },
);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
);

/** Path segments that are not valid percent-encoded UTF-8, or that smuggle a separator. */
export const badEncoding: fc.Arbitrary<Raw> = fc
  .constantFrom(
    '%',
    '%Z',
    '%ZZ',
    '%C0%AF',
    '%ED%A0%80',
    '%FF',
    '%2F',
    '..',
    '%2e%2e',
    '%00',
    'a%20b',
    '%E2%80%AE',
  )
  .map((s) => new Raw(s));

export const hostileDate: fc.Arbitrary<string> = fc.constantFrom(...HOSTILE_DATES);
export const hostileId: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_IDS) },
  { weight: 1, arbitrary: fc.uuid() },
);
