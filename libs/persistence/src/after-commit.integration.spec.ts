import { DataSource } from 'typeorm';
import { afterCommit, beforeCommit, PerTransaction, TransactionBatch } from './after-commit';

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

  describe('beforeCommit', () => {
    const table = `kkb_before_commit_${process.pid}`;
    beforeAll(() => ds.query(`CREATE TABLE IF NOT EXISTS ${table} (v text)`));
    afterAll(() => ds.query(`DROP TABLE IF EXISTS ${table}`));
    const rows = async () =>
      ((await ds.query(`SELECT v FROM ${table} ORDER BY v`)) as { v: string }[]).map((r) => r.v);

    it('should run inside the transaction just before its outermost commit, once per key', async () => {
      await ds.query(`TRUNCATE ${table}`);
      const order: string[] = [];
      await ds.transaction(async (m) => {
        expect(
          beforeCommit(m, 'k', async (tm) => void (await tm.query(`INSERT INTO ${table} VALUES ('a')`))),
        ).toBe(true);
        expect(beforeCommit(m, 'k', async () => void order.push('never'))).toBe(false);
        afterCommit(m, 'after', () => order.push('after'));
        await m.transaction(async (inner) => {
          beforeCommit(inner, 'inner', async (tm) => {
            order.push('inner');
            await tm.query(`INSERT INTO ${table} VALUES ('b')`);
          });
        });
        expect(order).toEqual([]); // the savepoint's release is not the commit
        expect(await rows()).toEqual([]); // nothing written or visible yet
      });
      expect(order).toEqual(['inner', 'after']);
      expect(await rows()).toEqual(['a', 'b']);
    });

    it('should roll the transaction back when the work fails, and forget work of a rolled-back one', async () => {
      await ds.query(`TRUNCATE ${table}`);
      await expect(
        ds.transaction(async (m) => {
          await m.query(`INSERT INTO ${table} VALUES ('x')`);
          beforeCommit(m, 'k', async () => {
            throw new Error('flush failed');
          });
        }),
      ).rejects.toThrow('flush failed');
      await expect(
        ds.transaction(async (m) => {
          beforeCommit(m, 'k', async (tm) => void (await tm.query(`INSERT INTO ${table} VALUES ('y')`)));
          throw new Error('handler failed');
        }),
      ).rejects.toThrow('handler failed');
      await ds.transaction(async (m) => {
        expect(
          beforeCommit(m, 'k', async (tm) => void (await tm.query(`INSERT INTO ${table} VALUES ('z')`))),
        ).toBe(true);
      });
      expect(await rows()).toEqual(['z']);
    });

    it('should write a transaction batch with one call, and each item at once outside a transaction', async () => {
      const writes: string[][] = [];
      const batch = new TransactionBatch<string>(async (_m, items) => void writes.push(items));
      await ds.transaction(async (m) => {
        await batch.add(m, 'a');
        await batch.add(m, 'b');
        expect(writes).toEqual([]);
      });
      await expect(
        ds.transaction(async (m) => {
          await batch.add(m, 'rolled back');
          throw new Error('no');
        }),
      ).rejects.toThrow('no');
      await ds.transaction(async (m) => batch.add(m, 'c'));
      await batch.add(ds.manager, 'd');
      expect(writes).toEqual([['a', 'b'], ['c'], ['d']]);
    });

    it('should refuse a manager outside a transaction', () => {
      expect(() => beforeCommit(ds.manager, 'k', async () => undefined)).toThrow(/open transaction/);
    });
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
