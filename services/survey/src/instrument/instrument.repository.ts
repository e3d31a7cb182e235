import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SubmissionKind } from '@kkb/contracts';
import { schemaOf } from '@kkb/persistence';
import type { InstrumentDefinition } from '@kkb/instrument-rules';
import type { Instrument, InstrumentSummary } from './instrument.model';

/** A row of the instrument table (`definition` left out where a query does not select it). */
export interface InstrumentRow {
  code: string;
  version: number;
  kind: SubmissionKind;
  title: string;
  definition?: InstrumentDefinition;
  published_at: Date;
  published_by: string;
}

/** The one mapping of an instrument row: a summary, or with its definition when the row has it. */
export function instrumentFromRow(r: InstrumentRow & { definition: InstrumentDefinition }): Instrument;
export function instrumentFromRow(r: InstrumentRow): InstrumentSummary;
export function instrumentFromRow(r: InstrumentRow): InstrumentSummary | Instrument {
  const summary: InstrumentSummary = {
    code: r.code,
    version: Number(r.version),
    kind: r.kind,
    title: r.title,
    ...(r.definition === undefined ? {} : { definition: r.definition }),
    publishedAt: r.published_at,
    publishedBy: r.published_by,
  };
  return summary;
}

const SUMMARY_COLUMNS = 'code, version, kind, title, published_at, published_by';

/** The only SQL of the instrument table; each method runs on the EntityManager it is given. */
@Injectable()
export class InstrumentRepository {
  /** A published version, or null. */
  async find(m: EntityManager, code: string, version: number): Promise<Instrument | null> {
    const rows: (InstrumentRow & { definition: InstrumentDefinition })[] = await m.query(
      `SELECT * FROM ${schemaOf(m)}.instrument WHERE code = $1 AND version = $2`,
      [code, version],
    );
    return rows.length ? instrumentFromRow(rows[0]) : null;
  }

  /** The highest published version of `code`, or null when there is none. */
  async latest(m: EntityManager, code: string): Promise<Instrument | null> {
    const rows: (InstrumentRow & { definition: InstrumentDefinition })[] = await m.query(
      `SELECT * FROM ${schemaOf(m)}.instrument WHERE code = $1 ORDER BY version DESC LIMIT 1`,
      [code],
    );
    return rows.length ? instrumentFromRow(rows[0]) : null;
  }

  /** Every version of every instrument, without definitions. */
  async list(m: EntityManager): Promise<InstrumentSummary[]> {
    const rows: InstrumentRow[] = await m.query(
      `SELECT ${SUMMARY_COLUMNS} FROM ${schemaOf(m)}.instrument ORDER BY code, version`,
    );
    return rows.map((r) => instrumentFromRow(r));
  }

  /**
   * Publishes the next version of `code`. Two publishers racing for the same number: the primary
   * key lets one win, and the other gets null (the caller answers 409).
   */
  async publishNext(
    m: EntityManager,
    spec: {
      code: string;
      kind: SubmissionKind;
      title: string;
      definition: InstrumentDefinition;
      publishedBy: string;
    },
  ): Promise<Instrument | null> {
    const s = schemaOf(m);
    const rows: (InstrumentRow & { definition: InstrumentDefinition })[] = await m.query(
      `INSERT INTO ${s}.instrument (code, version, kind, title, definition, published_by)
       SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4::jsonb, $5 FROM ${s}.instrument WHERE code = $1
       ON CONFLICT (code, version) DO NOTHING
       RETURNING *`,
      [spec.code, spec.kind, spec.title, JSON.stringify(spec.definition), spec.publishedBy],
    );
    return rows.length ? instrumentFromRow(rows[0]) : null;
  }
}
