import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

export type DeadLetterAction = 'inspect' | 'replay' | 'discard';

export interface AuditStart {
  actor: string;
  actorRole: string;
  action: DeadLetterAction;
  bulk: string | null;
  consumer: string | null;
  seq: number;
  eventId: string | null;
  eventType: string | null;
}

export interface AuditRecord extends AuditStart {
  id: string;
  at: string;
  outcome: string;
  newSeq: number | null;
  detail: string | null;
  finishedAt: string | null;
}

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  actor_role: string;
  action: DeadLetterAction;
  bulk: string | null;
  consumer: string | null;
  letter_seq: string;
  event_id: string | null;
  event_type: string | null;
  outcome: string;
  new_letter_seq: string | null;
  detail: string | null;
  finished_at: Date | null;
}

/** The dead-letter audit: what the admin API writes and lists. */
export interface DeadLetterAuditLog {
  start(a: AuditStart): Promise<string>;
  finish(
    id: string,
    outcome: string,
    extra?: { newSeq?: number | null; detail?: string | null },
  ): Promise<void>;
  list(q: { consumer?: string; limit: number; before?: string }): Promise<AuditRecord[]>;
}

/** The only place that reads and writes dead_letter_audit. */
@Injectable()
export class DeadLetterAuditRepository implements DeadLetterAuditLog {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async start(a: AuditStart): Promise<string> {
    const [row]: { id: string }[] = await this.ds.query(
      `INSERT INTO ${schemaOf(this.ds)}.dead_letter_audit
         (actor, actor_role, action, bulk, consumer, letter_seq, event_id, event_type)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [a.actor, a.actorRole, a.action, a.bulk, a.consumer, a.seq, a.eventId, a.eventType],
    );
    return String(row.id);
  }

  async finish(
    id: string,
    outcome: string,
    extra: { newSeq?: number | null; detail?: string | null } = {},
  ): Promise<void> {
    await this.ds.query(
      `UPDATE ${schemaOf(this.ds)}.dead_letter_audit
          SET outcome = $2, new_letter_seq = $3, detail = $4, finished_at = now()
        WHERE id = $1`,
      [id, outcome, extra.newSeq ?? null, extra.detail ?? null],
    );
  }

  /** Newest first; `before` is the id of the last row of the previous page. */
  async list(q: { consumer?: string; limit: number; before?: string }): Promise<AuditRecord[]> {
    const rows: AuditRow[] = await this.ds.query(
      `SELECT * FROM ${schemaOf(this.ds)}.dead_letter_audit
        WHERE ($1::text IS NULL OR consumer = $1) AND ($2::bigint IS NULL OR id < $2)
        ORDER BY id DESC LIMIT $3`,
      [q.consumer ?? null, q.before ?? null, q.limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      at: r.at.toISOString(),
      actor: r.actor,
      actorRole: r.actor_role,
      action: r.action,
      bulk: r.bulk,
      consumer: r.consumer,
      seq: Number(r.letter_seq),
      eventId: r.event_id,
      eventType: r.event_type,
      outcome: r.outcome,
      newSeq: r.new_letter_seq === null ? null : Number(r.new_letter_seq),
      detail: r.detail,
      finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
    }));
  }
}
