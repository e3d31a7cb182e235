import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RuleSetDefinition } from './rule-set.definition';
import { schemaOf } from '@kkb/persistence';

export interface RuleSetRow {
  version: number;
  name: string;
  status: 'draft' | 'published';
  definition: RuleSetDefinition;
  createdAt: Date;
  createdBy: string;
  publishedAt: Date | null;
  publishedBy: string | null;
}

const COLUMNS = `version, name, status, definition, created_at AS "createdAt", created_by AS "createdBy",
  published_at AS "publishedAt", published_by AS "publishedBy"`;

/** The only place that reads and writes rule_set. Published rows are never updated (a trigger enforces it). */
@Injectable()
export class RuleSetRepository {
  async list(m: EntityManager): Promise<Omit<RuleSetRow, 'definition'>[]> {
    return m.query(
      `SELECT version, name, status, created_at AS "createdAt", created_by AS "createdBy",
              published_at AS "publishedAt", published_by AS "publishedBy"
         FROM ${schemaOf(m)}.rule_set ORDER BY version DESC`,
    );
  }

  async find(m: EntityManager, version: number, opts: { lock?: boolean } = {}): Promise<RuleSetRow | null> {
    const rows: RuleSetRow[] = await m.query(
      `SELECT ${COLUMNS} FROM ${schemaOf(m)}.rule_set WHERE version = $1${opts.lock ? ' FOR UPDATE' : ''}`,
      [version],
    );
    return rows[0] ?? null;
  }

  /** The version in force: the highest published one. */
  async current(m: EntityManager): Promise<{ version: number } | null> {
    const rows: { version: number }[] = await m.query(
      `SELECT version FROM ${schemaOf(m)}.rule_set WHERE status = 'published' ORDER BY version DESC LIMIT 1`,
    );
    return rows[0] ?? null;
  }

  /** Inserts a draft with the next version number (serialised by a table lock: drafts are rare). */
  async insertDraft(
    m: EntityManager,
    name: string,
    definition: RuleSetDefinition,
    by: string,
  ): Promise<number> {
    const s = schemaOf(m);
    await m.query(`LOCK TABLE ${s}.rule_set IN SHARE ROW EXCLUSIVE MODE`);
    const [row] = await m.query(
      `INSERT INTO ${s}.rule_set (version, name, status, definition, created_by)
       SELECT COALESCE(max(version), 0) + 1, $1, 'draft', $2::jsonb, $3 FROM ${s}.rule_set
       RETURNING version`,
      [name, JSON.stringify(definition), by],
    );
    return row.version;
  }

  async markPublished(m: EntityManager, version: number, by: string): Promise<Date> {
    const [rows] = await m.query(
      `UPDATE ${schemaOf(m)}.rule_set SET status = 'published', published_at = now(), published_by = $2
        WHERE version = $1 AND status = 'draft' RETURNING published_at AS "publishedAt"`,
      [version, by],
    );
    return rows[0].publishedAt;
  }
}
