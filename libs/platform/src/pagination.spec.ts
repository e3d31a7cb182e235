import { decodeCursor, encodeCursor } from './pagination';
import { ProblemException } from './problem';

const forged = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

function refusal(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err instanceof ProblemException ? { status: err.getStatus(), errors: err.errors } : err;
  }
  return 'accepted';
}

describe(decodeCursor.name, () => {
  const REFUSED = { status: 400, errors: [{ field: 'cursor', reason: 'cursor is not one this API issued' }] };

  it('should give back the key it encoded, typed and canonical', () => {
    expect(decodeCursor(undefined, ['seq'])).toBeNull();
    expect(decodeCursor(encodeCursor(['42']), ['seq'])).toEqual(['42']);
    expect(decodeCursor(encodeCursor([42]), ['seq'])).toEqual(['42']);
    const id = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11';
    expect(decodeCursor(encodeCursor(['2024-03-31T08:00:00.000Z', id]), ['timestamp', 'uuid'])).toEqual([
      '2024-03-31T08:00:00.000Z',
      id.toLowerCase(),
    ]);
    expect(decodeCursor(encodeCursor(['2026-12-04 22:59:45.114512+00']), ['timestamp'])).toHaveLength(1);
    expect(decodeCursor(encodeCursor(['Kampung KB Seroja', 'x']), ['text', (v) => v === 'x'])).toEqual([
      'Kampung KB Seroja',
      'x',
    ]);
  });

  it.each([
    ['not base64 JSON', '%%%', ['seq']],
    ['JSON, not an array', forged({ seq: 1 }), ['seq']],
    ['another length', forged(['1', '2']), ['seq']],
    ['a seq that is an object', forged([{ $gt: 0 }]), ['seq']],
    ['a seq beyond bigint', forged(['9223372036854775808']), ['seq']],
    ['a seq of 1e19', forged([1e19]), ['seq']],
    ['a negative seq', forged([-1]), ['seq']],
    ['a seq with a fraction', forged([1.5]), ['seq']],
    ['text with NUL', forged(['a\u0000b']), ['text']],
    ['text with a lone surrogate', forged(['a\ud800b']), ['text']],
    ['text of 513 characters', forged(['x'.repeat(513)]), ['text']],
    ['text that is a number', forged([7]), ['text']],
    ['a uuid that is not', forged(['not-a-uuid']), ['uuid']],
    ['a timestamp off the calendar', forged(['2023-02-30T00:00:00Z']), ['timestamp']],
    ['a week date', forged(['2023-W01']), ['timestamp']],
    ['a timestamp at hour 24', forged(['2023-01-01T24:00:00Z']), ['timestamp']],
    ['a timestamp without offset', forged(['2023-01-01T08:00:00']), ['timestamp']],
    ['a value the check refuses', forged(['name']), [(v: unknown) => v === 'village']],
  ] as const)('should refuse %s as a 400 naming the cursor', (_what, cursor, parts) => {
    expect(refusal(() => decodeCursor(cursor, parts))).toEqual(REFUSED);
  });
});
