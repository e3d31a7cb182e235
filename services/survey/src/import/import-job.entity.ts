import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ImportStatus = 'running' | 'completed' | 'failed';

/** One CSV upload and its running counts. */
@Entity({ name: 'import_job' })
export class ImportJob {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'instrument_code', type: 'text' })
  instrumentCode!: string;

  @Column({ name: 'instrument_version', type: 'int' })
  instrumentVersion!: number;

  @Column({ type: 'text' })
  status!: ImportStatus;

  @Column({ type: 'int' })
  rows!: number;

  @Column({ type: 'int' })
  created!: number;

  @Column({ type: 'int' })
  unchanged!: number;

  @Column({ type: 'int' })
  failed!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'started_by', type: 'text' })
  startedBy!: string;

  @Column({ type: 'text' })
  scope!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
