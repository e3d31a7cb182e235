import { DataSource } from 'typeorm';
import { afterCommit, PerTransaction } from './after-commit';

const url = process.env.DATABASE_URL;

describe('afterCommit', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = new DataSource({ type: 'postgres', url, extra: { max: 2 } });
    await ds.initialize();
  });

  afterAll(() => ds.destroy());

  it('should run once after the outermost commit, once per key', async () => {
    const calls: string[] = [];
    await ds.transaction(async (m) => {
      afterCommit(m, 'a', () => calls.push('a1'));
      afterCommit(m, 'a', () => calls.push('a2'));
      afterCommit(m, 'b', () => calls.push('b'));
      await m.transaction(async (inner) => {
        afterCommit(inner, 'c', () => calls.push('c'));
      });
      expect(calls).toEqual([]); // the savepoint's release is not the commit
      await m.query('SELECT 1');
    });
    expect(calls).toEqual(['a1', 'b', 'c']);
  });

  it('should never run for a transaction that rolls back, nor for a savepoint that does', async () => {
    const calls: string[] = [];
    await expect(
      ds.transaction(async (m) => {
        afterCommit(m, 'x', () => calls.push('x'));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await ds.transaction(async (m) => {
      afterCommit(m, 'kept', () => calls.push('kept'));
      await m
        .transaction(async (inner) => {
          afterCommit(inner, 'dropped', () => calls.push('dropped'));
          throw new Error('savepoint rolls back');
        })
        .catch(() => undefined);
    });
    expect(calls).toEqual(['kept']);
    // The query runner is reused by the pool: nothing of the rolled-back transactions lingers.
    await ds.transaction(async (m) => afterCommit(m, 'next', () => calls.push('next')));
    expect(calls).toEqual(['kept', 'next']);
  });

  it('should refuse a manager outside a transaction', () => {
    expect(() => afterCommit(ds.manager, 'k', () => undefined)).toThrow(/open transaction/);
  });

  describe(PerTransaction.name, () => {
    it('should read once per transaction, again in the next, and every time outside one', async () => {
      const once = new PerTransaction<number>();
      let reads = 0;
      const read = async () => ++reads;
      await ds.transaction(async (m) => {
        expect(await once.get(m, read)).toBe(1);
        expect(await once.get(m, read)).toBe(1);
      });
      await ds.transaction(async (m) => expect(await once.get(m, read)).toBe(2));
      expect(await once.get(ds.manager, read)).toBe(3);
      expect(await once.get(ds.manager, read)).toBe(4);
    });

    it('should not keep a failed read', async () => {
      const once = new PerTransaction<string>();
      let fail = true;
      await ds.transaction(async (m) => {
        const read = async () => {
          if (fail) throw new Error('not yet');
          return 'ok';
        };
        await expect(once.get(m, read)).rejects.toThrow('not yet');
        fail = false;
        expect(await once.get(m, read)).toBe('ok');
      });
    });
  });
});
