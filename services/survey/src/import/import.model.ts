import type { FieldError } from '@kkb/platform';

export type ImportStatus = 'running' | 'completed' | 'failed';

/**
 * One CSV upload and its running counts. The import_job table's rows map onto it in one place:
 * importJobFromRow in import.repository.ts.
 */
export interface ImportJob {
  id: string;
  instrumentCode: string;
  instrumentVersion: number;
  status: ImportStatus;
  rows: number;
  created: number;
  unchanged: number;
  failed: number;
  error: string | null;
  startedBy: string;
  scope: string;
  startedAt: Date;
  finishedAt: Date | null;
}

export type RowOutcome = 'created' | 'unchanged' | 'failed';

/**
 * What became of one CSV data row, as stored in import_row (mapped by importRowFromRow in
 * import.repository.ts).
 */
export interface RowResult {
  /** 1 is the first row after the header. */
  row: number;
  submissionId: string | null;
  outcome: RowOutcome;
  errors?: FieldError[];
}
