import type { EntityManager } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/**
 * Read-time numbering in commit order, for a table whose rows carry an `arrival` order and a
 * `seq` given later (inbox items, received events). Writers take no lock and leave `seq` null; a
 * sequencing run, in its own short transaction, gives every committed row without one the next
 * numbers in arrival order, under an advisory lock held until it commits. READ COMMITTED takes the
 * UPDATE's snapshot after the lock is granted, so a run sees what every earlier run numbered, and
 * only rows already committed are numbered: whatever a reader sees numbered, everything below it is
 * numbered and visible too, and a cursor over `seq` never passes over a row that commits late.
 */
export class ArrivalSequence {
  constructor(
    private readonly table: 'inbox_item' | 'received_event',
    private readonly key: 'id' | 'event_id',
  ) {}

  /** Numbers the committed rows without a `seq`; run in its own transaction. Returns how many. */
  async sequence(m: EntityManager): Promise<number> {
    const s = schemaOf(m);
    if (!(await this.hasUnsequenced(m))) return 0;
    await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${s}.${this.table}.seq`]);
    const [, count] = await m.query(
      `WITH p AS MATERIALIZED (
         SELECT ${this.key}, nextval('${s}.${this.table}_seq_seq') AS seq
           FROM (SELECT ${this.key} FROM ${s}.${this.table} WHERE seq IS NULL ORDER BY arrival) o)
       UPDATE ${s}.${this.table} t SET seq = p.seq FROM p WHERE t.${this.key} = p.${this.key}`,
    );
    return Number(count);
  }

  /** Whether some committed row waits for its `seq` (no lock: a reader may skip `sequence` when not). */
  async hasUnsequenced(m: EntityManager): Promise<boolean> {
    const [{ pending }] = await m.query(
      `SELECT EXISTS (SELECT 1 FROM ${schemaOf(m)}.${this.table} WHERE seq IS NULL) AS pending`,
    );
    return pending;
  }
}
