import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { FieldError } from '@kkb/platform';
import { schemaOf } from '@kkb/persistence';
import type { RowOutcome } from './import-row.entity';

/** A row's result as stored in import_row. */
export interface ImportRowRecord {
  row: number;
  submissionId: string | null;
  outcome: RowOutcome;
  errors?: FieldError[];
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
  async insertRows(m: EntityManager, jobId: string, results: ImportRowRecord[]): Promise<void> {
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
  rowsPage(
    m: EntityManager,
    jobId: string,
    after: number,
    limit: number,
    outcome?: RowOutcome,
  ): Promise<
    { row_number: number; submission_id: string | null; outcome: RowOutcome; errors: FieldError[] | null }[]
  > {
    const params: unknown[] = [jobId, after, limit];
    if (outcome) params.push(outcome);
    return m.query(
      `SELECT row_number, submission_id, outcome, errors FROM ${schemaOf(m)}.import_row
          WHERE import_id = $1 AND row_number > $2 ${outcome ? 'AND outcome = $4' : ''}
          ORDER BY row_number LIMIT $3`,
      params,
    );
  }
}
