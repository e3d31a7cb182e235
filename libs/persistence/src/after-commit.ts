import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';

interface Pending {
  key: string;
  /** The transaction depth it was registered at (savepoints nest). */
  depth: number;
  fn: () => void;
}

const pending = new WeakMap<QueryRunner, Pending[]>();
const installed = new WeakSet<DataSource>();

interface PendingBefore {
  key: string;
  depth: number;
  fn: (m: EntityManager) => Promise<void>;
}

/** Work to run inside each transaction just before its outermost COMMIT (beforeCommit). */
const before = new WeakMap<QueryRunner, PendingBefore[]>();

const depthOf = (qr: QueryRunner): number => (qr as unknown as { transactionDepth: number }).transactionDepth;

/** The subscriber that runs a transaction's callbacks at its outermost commit. */
const subscriber: EntitySubscriberInterface = {
  async beforeTransactionCommit({ queryRunner }) {
    if (depthOf(queryRunner) > 1) return; // a savepoint is being released; the transaction goes on
    // In order; work registered while this runs (by a flush) runs too, before the COMMIT.
    for (let list = before.get(queryRunner); list?.length; list = before.get(queryRunner)) {
      before.delete(queryRunner);
      for (const p of list) await p.fn(queryRunner.manager);
    }
  },
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
    const work = before.get(queryRunner);
    if (work) {
      if (!queryRunner.isTransactionActive) before.delete(queryRunner);
      else
        before.set(
          queryRunner,
          work.filter((p) => p.depth <= depthOf(queryRunner)),
        );
    }
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

/** Puts the subscriber on the query runner's data source; false for a test double without one. */
function install(qr: QueryRunner): boolean {
  const ds = qr.connection as DataSource | undefined;
  if (!ds?.subscribers) return false;
  if (!installed.has(ds)) {
    installed.add(ds);
    ds.subscribers.push(subscriber);
  }
  return true;
}

/**
 * Runs `fn` inside the transaction `m` belongs to, just before its outermost COMMIT, at most once
 * per `key` per transaction (callbacks registered inside a savepoint that rolls back are
 * dropped). If `fn` fails the transaction does not commit: it rolls back and the caller of the
 * transaction gets the error. Answers whether `fn` was registered now (false: one was already
 * pending under `key`). Throws outside a transaction or on a manager without a data source.
 */
export function beforeCommit(
  m: EntityManager,
  key: string,
  fn: (m: EntityManager) => Promise<void>,
): boolean {
  const qr = m.queryRunner;
  if (!qr?.isTransactionActive || !install(qr))
    throw new Error('beforeCommit needs the EntityManager of an open transaction of a DataSource');
  const list = before.get(qr) ?? [];
  if (list.some((p) => p.key === key)) return false;
  list.push({ key, depth: depthOf(qr), fn });
  before.set(qr, list);
  return true;
}

let batches = 0;

/**
 * Items collected while a transaction runs and written by ONE call of `write` just before it
 * commits: e.g. the rows of every event of a consumer batch in one statement instead of one per
 * event. Outside a transaction, or on a manager without a data source (a test double), each item
 * is written at once. A write that fails fails the commit (the transaction rolls back).
 */
export class TransactionBatch<T> {
  private readonly key = `transaction-batch-${++batches}`;
  private readonly open = new WeakMap<QueryRunner, T[]>();

  constructor(private readonly write: (m: EntityManager, items: T[]) => Promise<void>) {}

  async add(m: EntityManager, item: T): Promise<void> {
    const qr = m.queryRunner;
    if (!qr?.isTransactionActive || !install(qr)) return this.write(m, [item]);
    // A new registration means a new transaction on this query runner: a fresh list (one left by
    // a rolled-back transaction is dropped).
    if (beforeCommit(m, this.key, (tm) => this.flush(qr, tm))) this.open.set(qr, []);
    (this.open.get(qr) as T[]).push(item);
  }

  private async flush(qr: QueryRunner, m: EntityManager): Promise<void> {
    const items = this.open.get(qr) ?? [];
    this.open.delete(qr);
    if (items.length) await this.write(m, items);
  }
}

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
  if (!install(qr)) return; // a test double without a data source: there is no commit to wait for
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
