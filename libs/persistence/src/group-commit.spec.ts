import { GroupCommit } from './group-commit';

/** A flush whose calls stay open until the test settles them. */
function controlledFlush() {
  const calls: { items: number[]; settle: (err?: Error) => void }[] = [];
  const flush = jest.fn(
    (items: number[]) =>
      new Promise<string[]>((resolve, reject) =>
        calls.push({ items, settle: (err) => (err ? reject(err) : resolve(items.map((i) => `ok ${i}`))) }),
      ),
  );
  return { calls, flush };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('should flush a lone item at once, and what arrives during a flush in the next one', async () => {
    const { calls, flush } = controlledFlush();
    const g = new GroupCommit(flush);
    const first = g.submit(1);
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1]]);

    const later = [g.submit(2), g.submit(3), g.submit(4)];
    await tick();
    expect(flush).toHaveBeenCalledTimes(1); // one flush at a time
    calls[0].settle();
    expect(await first).toBe('ok 1');
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4]]);
    calls[1].settle();
    expect(await Promise.all(later)).toEqual(['ok 2', 'ok 3', 'ok 4']);
  });

  it('should take at most max items per flush', async () => {
    const { calls, flush } = controlledFlush();
    const g = new GroupCommit(flush, 2);
    const all = [1, 2, 3, 4, 5].map((i) => g.submit(i));
    await tick();
    calls[0].settle();
    await tick();
    calls[1].settle();
    await tick();
    calls[2].settle();
    expect(await Promise.all(all)).toEqual(['ok 1', 'ok 2', 'ok 3', 'ok 4', 'ok 5']);
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('should fail every item of a failed flush and go on with the next', async () => {
    const { calls, flush } = controlledFlush();
    const g = new GroupCommit(flush);
    const a = g.submit(1);
    await tick();
    const b = g.submit(2);
    calls[0].settle(new Error('connection lost'));
    await expect(a).rejects.toThrow('connection lost');
    await tick();
    calls[1].settle();
    expect(await b).toBe('ok 2');
  });

  it('should fail the items when the flush answers the wrong number of results', async () => {
    const g = new GroupCommit(async (items: number[]) => items.slice(1));
    await expect(Promise.all([g.submit(1)])).rejects.toThrow('answered 0 results for 1 items');
  });
});
