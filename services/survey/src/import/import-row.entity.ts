import type { FieldError } from '@kkb/platform';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export type RowOutcome = 'created' | 'unchanged' | 'failed';

/** The result of one CSV data row (1 is the first row after the header). */
@Entity({ name: 'import_row' })
export class ImportRow {
  @PrimaryColumn({ name: 'import_id', type: 'uuid' })
  importId!: string;

  @PrimaryColumn({ name: 'row_number', type: 'int' })
  rowNumber!: number;

  @Column({ name: 'submission_id', type: 'uuid', nullable: true })
  submissionId!: string | null;

  @Column({ type: 'text' })
  outcome!: RowOutcome;

  @Column({ type: 'jsonb', nullable: true })
  errors!: FieldError[] | null;
}
