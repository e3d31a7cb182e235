import type { SubmissionKind, SurveyAnswers } from '@kkb/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export type SubmissionStatus = 'submitted' | 'verified' | 'rejected' | 'superseded';
export const SUBMISSION_STATUSES: readonly SubmissionStatus[] = [
  'submitted',
  'verified',
  'rejected',
  'superseded',
];

/** A kampung profile or monthly report, keyed by the id the client made. */
@Entity({ name: 'submission' })
export class Submission {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'kampung_id', type: 'uuid' })
  kampungId!: string;

  @Column({ name: 'village_code', type: 'text' })
  villageCode!: string;

  @Column({ name: 'region_code', type: 'text' })
  regionCode!: string;

  @Column({ name: 'instrument_code', type: 'text' })
  instrumentCode!: string;

  @Column({ name: 'instrument_version', type: 'int' })
  instrumentVersion!: number;

  @Column({ type: 'text' })
  kind!: SubmissionKind;

  @Column({ name: 'period_year', type: 'smallint' })
  periodYear!: number;

  @Column({ name: 'period_month', type: 'smallint' })
  periodMonth!: number;

  @Column({ type: 'jsonb' })
  answers!: SurveyAnswers;

  @Column({ name: 'body_hash', type: 'text' })
  bodyHash!: string;

  @Column({ type: 'text' })
  status!: SubmissionStatus;

  @Column({ type: 'text' })
  via!: 'api' | 'import';

  @Column({ name: 'import_id', type: 'uuid', nullable: true })
  importId!: string | null;

  @Column({ name: 'submitted_at', type: 'timestamptz' })
  submittedAt!: Date;

  @Column({ name: 'submitted_by', type: 'text' })
  submittedBy!: string;

  @Column({ type: 'uuid', nullable: true })
  supersedes!: string | null;

  @Column({ name: 'superseded_by', type: 'uuid', nullable: true })
  supersededBy!: string | null;

  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt!: Date | null;

  @Column({ name: 'verified_at', type: 'timestamptz', nullable: true })
  verifiedAt!: Date | null;

  @Column({ name: 'verified_by', type: 'text', nullable: true })
  verifiedBy!: string | null;

  @Column({ name: 'rejected_at', type: 'timestamptz', nullable: true })
  rejectedAt!: Date | null;

  @Column({ name: 'rejected_by', type: 'text', nullable: true })
  rejectedBy!: string | null;

  @Column({ name: 'rejection_reason', type: 'text', nullable: true })
  rejectionReason!: string | null;
}
