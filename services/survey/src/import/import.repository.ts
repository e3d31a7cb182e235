import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { FieldError } from '@kkb/platform';
import { schemaOf } from '@kkb/persistence';
import type { ImportJob, ImportStatus, RowOutcome, RowResult } from './import.model';

/** A row of the import_job table. */
export interface ImportJobRow {
  id: string;
  instrument_code: string;
  instrument_version: number;
  status: ImportStatus;
  rows: number;
  created: number;
  unchanged: number;
  failed: number;
  error: string | null;
  started_by: string;
  scope: string;
  started_at: Date;
  finished_at: Date | null;
}

/** The one mapping of an import_job row. */
export function importJobFromRow(r: ImportJobRow): ImportJob {
  return {
    id: r.id,
    instrumentCode: r.instrument_code,
    instrumentVersion: Number(r.instrument_version),
    status: r.status,
    rows: Number(r.rows),
    created: Number(r.created),
    unchanged: Number(r.unchanged),
    failed: Number(r.failed),
    error: r.error ?? null,
    startedBy: r.started_by,
    scope: r.scope,
    startedAt: r.started_at,
    finishedAt: r.finished_at ?? null,
  };
}

/** A row of the import_row table. */
export interface ImportRowRow {
  import_id: string;
  row_number: number;
  submission_id: string | null;
  outcome: RowOutcome;
  errors: FieldError[] | null;
}

/** The one mapping of an import_row row (`errors` only when there are some). */
export function importRowFromRow(r: Omit<ImportRowRow, 'import_id'>): RowResult {
  return {
    row: r.row_number,
    submissionId: r.submission_id,
    outcome: r.outcome,
    ...(r.errors ? { errors: r.errors } : {}),
  };
}

/** The import_job and import_row tables: a CSV import's progress and its rows' results. */
@Injectable()
export class ImportRepository {
  /** Inserts a running import job. */
  async createJob(
    m: EntityManager,
    job: { id: string; instrumentCode: string; instrumentVersion: number; startedBy: string; scope: string },
  ): Promise<void> {
    await m.query(
      `INSERT INTO ${schemaOf(m)}.import_job (id, instrument_code, instrument_version, started_by, scope) VALUES ($1, $2, $3, $4, $5)`,
      [job.id, job.instrumentCode, job.instrumentVersion, job.startedBy, job.scope],
    );
  }

  /** An import job, or null. */
  async findJob(m: EntityManager, id: string): Promise<ImportJob | null> {
    const rows: ImportJobRow[] = await m.query(`SELECT * FROM ${schemaOf(m)}.import_job WHERE id = $1`, [id]);
    return rows.length ? importJobFromRow(rows[0]) : null;
  }

  /** Marks an import job completed. */
  async complete(m: EntityManager, jobId: string): Promise<void> {
    await m.query(
      `UPDATE ${schemaOf(m)}.import_job SET status = 'completed', finished_at = now() WHERE id = $1`,
      [jobId],
    );
  }

  /** Marks an import job failed, with why. */
  async fail(m: EntityManager, jobId: string, error: string): Promise<void> {
    await m.query(
      `UPDATE ${schemaOf(m)}.import_job SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`,
      [jobId, error],
    );
  }

  /** Inserts rows' results (a submission id that is not a UUID is stored as null). */
  async insertRows(m: EntityManager, jobId: string, results: RowResult[]): Promise<void> {
    await m.query(
      `INSERT INTO ${schemaOf(m)}.import_row (import_id, row_number, submission_id, outcome, errors)
       SELECT $1, r, s, o, e::jsonb FROM unnest($2::int[], $3::uuid[], $4::text[], $5::text[]) AS x(r, s, o, e)`,
      [
        jobId,
        results.map((r) => r.row),
        results.map((r) =>
          r.submissionId && /^[0-9a-f-]{36}$/i.test(r.submissionId) ? r.submissionId : null,
        ),
        results.map((r) => r.outcome),
        results.map((r) => (r.errors ? JSON.stringify(r.errors) : null)),
      ],
    );
  }

  /** Adds rows and their outcomes to an import job's counters. */
  async addCounts(
    m: EntityManager,
    jobId: string,
    counts: { rows: number; created: number; unchanged: number; failed: number },
  ): Promise<void> {
    await m.query(
      `UPDATE ${schemaOf(m)}.import_job SET rows = rows + $2, created = created + $3, unchanged = unchanged + $4, failed = failed + $5
        WHERE id = $1`,
      [jobId, counts.rows, counts.created, counts.unchanged, counts.failed],
    );
  }

  /** A page of an import's row results after row `after`, optionally of one outcome only. */
  async rowsPage(
    m: EntityManager,
    jobId: string,
    after: number,
    limit: number,
    outcome?: RowOutcome,
  ): Promise<RowResult[]> {
    const params: unknown[] = [jobId, after, limit];
    if (outcome) params.push(outcome);
    const rows: Omit<ImportRowRow, 'import_id'>[] = await m.query(
      `SELECT row_number, submission_id, outcome, errors FROM ${schemaOf(m)}.import_row
          WHERE import_id = $1 AND row_number > $2 ${outcome ? 'AND outcome = $4' : ''}
          ORDER BY row_number LIMIT $3`,
      params,
    );
    return rows.map(importRowFromRow);
  }
}
