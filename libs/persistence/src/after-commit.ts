import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';

interface Pending {
  key: string;
  /** The transaction depth it was registered at (savepoints nest). */
  depth: number;
  fn: () => void;
}

const pending = new WeakMap<QueryRunner, Pending[]>();
const installed = new WeakSet<DataSource>();

const depthOf = (qr: QueryRunner): number => (qr as unknown as { transactionDepth: number }).transactionDepth;

/** The subscriber that runs a transaction's callbacks at its outermost commit. */
const subscriber: EntitySubscriberInterface = {
  afterTransactionCommit({ queryRunner }) {
    if (queryRunner.isTransactionActive) return; // a savepoint was released; the transaction goes on
    const list = pending.get(queryRunner);
    if (!list) return;
    pending.delete(queryRunner);
    for (const p of list) {
      try {
        p.fn();
      } catch {
        // A callback is a wake-up call: its failure must not fail a transaction that committed.
      }
    }
  },
  afterTransactionRollback({ queryRunner }) {
    const list = pending.get(queryRunner);
    if (!list) return;
    if (!queryRunner.isTransactionActive) pending.delete(queryRunner);
    else
      pending.set(
        queryRunner,
        list.filter((p) => p.depth <= depthOf(queryRunner)),
      );
  },
};

/**
 * Runs `fn` once the transaction `m` belongs to has committed: never if it rolls back (callbacks
 * registered inside a savepoint that rolls back are dropped), at most once per `key` per
 * transaction. For in-process wake-ups that must not sit inside the transaction (a NOTIFY there
 * serializes every commit of the database on Postgres's notify lock). `fn` runs synchronously in
 * the commit's path: keep it to scheduling work.
 */
export function afterCommit(m: EntityManager, key: string, fn: () => void): void {
  const qr = m.queryRunner;
  if (!qr?.isTransactionActive) throw new Error('afterCommit needs the EntityManager of an open transaction');
  const ds = qr.connection as DataSource | undefined;
  if (!ds?.subscribers) return; // a test double without a data source: there is no commit to wait for
  if (!installed.has(ds)) {
    installed.add(ds);
    ds.subscribers.push(subscriber);
  }
  const list = pending.get(qr) ?? [];
  if (list.some((p) => p.key === key)) return;
  list.push({ key, depth: depthOf(qr), fn });
  pending.set(qr, list);
}

/**
 * A value read once per transaction: the callers in one transaction (e.g. the events of one
 * consumer batch) share the first read. Outside a transaction (a shared manager) nothing is
 * kept and every call reads; a failed read is not kept either (a retry reads again).
 */
export class PerTransaction<T> {
  private readonly reads = new WeakMap<EntityManager, Promise<T>>();

  get(m: EntityManager, read: (m: EntityManager) => Promise<T>): Promise<T> {
    if (!m.queryRunner?.isTransactionActive) return read(m);
    let value = this.reads.get(m);
    if (!value) {
      value = read(m);
      this.reads.set(m, value);
      value.catch(() => this.reads.delete(m));
    }
    return value;
  }
}
