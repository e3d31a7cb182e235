import { ApiProperty } from '@nestjs/swagger';
import { SUBMISSION_KINDS, type SubmissionKind, type SurveyAnswers } from '@kkb/contracts';
import { SUBMISSION_STATUSES, type Submission, type SubmissionStatus } from './submission.entity';

export class PeriodView {
  @ApiProperty({ example: 2025 }) year!: number;
  @ApiProperty({ minimum: 1, maximum: 12, example: 3 }) month!: number;
}

/** An answer: number, boolean, string (text, `YYYY-MM-DD`, a choice code) or a list of codes. */
const ANSWERS_SCHEMA = {
  type: 'object',
  description: "Answers keyed by the instrument's question ids",
  additionalProperties: {
    oneOf: [
      { type: 'number' },
      { type: 'boolean' },
      { type: 'string' },
      { type: 'array', items: { type: 'string' } },
    ],
  },
} as const;

/** A submission as the API shows it. */
export class SubmissionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) kampungId!: string;
  @ApiProperty({ example: '16.10.05.2041' }) villageCode!: string;
  @ApiProperty({ example: 'monthly-report' }) instrumentCode!: string;
  @ApiProperty({ example: 1 }) instrumentVersion!: number;
  @ApiProperty({ enum: SUBMISSION_KINDS }) kind!: SubmissionKind;
  @ApiProperty({ type: PeriodView }) period!: PeriodView;
  @ApiProperty({ enum: SUBMISSION_STATUSES }) status!: SubmissionStatus;
  @ApiProperty(ANSWERS_SCHEMA as never) answers!: SurveyAnswers;
  @ApiProperty({ enum: ['api', 'import'] }) via!: 'api' | 'import';
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) importId!: string | null;
  @ApiProperty() submittedAt!: string;
  @ApiProperty({ description: 'Token subject of the field officer' }) submittedBy!: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The submission this one replaced',
  })
  supersedes!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) supersededBy!: string | null;
  @ApiProperty({ type: String, nullable: true }) supersededAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) verifiedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) verifiedBy!: string | null;
  @ApiProperty({ type: String, nullable: true }) rejectedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) rejectedBy!: string | null;
  @ApiProperty({ type: String, nullable: true }) rejectionReason!: string | null;
}

/** A submission in a list: with the kampung's name from this service's kampung projection. */
export class SubmissionListItemView extends SubmissionView {
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Kampung KB Seroja',
    description: 'Null while the kampung has not reached this service yet',
  })
  kampungName!: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function submissionView(s: Submission): SubmissionView {
  return {
    id: s.id,
    kampungId: s.kampungId,
    villageCode: s.villageCode,
    instrumentCode: s.instrumentCode,
    instrumentVersion: s.instrumentVersion,
    kind: s.kind,
    period: { year: s.periodYear, month: s.periodMonth },
    status: s.status,
    answers: s.answers,
    via: s.via,
    importId: s.importId,
    submittedAt: s.submittedAt.toISOString(),
    submittedBy: s.submittedBy,
    supersedes: s.supersedes,
    supersededBy: s.supersededBy,
    supersededAt: iso(s.supersededAt),
    verifiedAt: iso(s.verifiedAt),
    verifiedBy: s.verifiedBy,
    rejectedAt: iso(s.rejectedAt),
    rejectedBy: s.rejectedBy,
    rejectionReason: s.rejectionReason,
  };
}

/** A timestamp from a row (a Date) or from `to_jsonb` of a row (ISO text). */
function dateOf(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v : new Date(v as string);
}

/** Maps a raw `RETURNING *` / `SELECT *` row (or its `to_jsonb`) of the submission table. */
export function submissionFromRow(r: Record<string, unknown>): Submission {
  return {
    id: r.id as string,
    kampungId: r.kampung_id as string,
    villageCode: r.village_code as string,
    regionCode: r.region_code as string,
    instrumentCode: r.instrument_code as string,
    instrumentVersion: Number(r.instrument_version),
    kind: r.kind as SubmissionKind,
    periodYear: Number(r.period_year),
    periodMonth: Number(r.period_month),
    answers: r.answers as SurveyAnswers,
    bodyHash: r.body_hash as string,
    status: r.status as SubmissionStatus,
    via: r.via as 'api' | 'import',
    importId: (r.import_id as string | null) ?? null,
    submittedAt: dateOf(r.submitted_at) as Date,
    submittedBy: r.submitted_by as string,
    supersedes: (r.supersedes as string | null) ?? null,
    supersededBy: (r.superseded_by as string | null) ?? null,
    supersededAt: dateOf(r.superseded_at),
    verifiedAt: dateOf(r.verified_at),
    verifiedBy: (r.verified_by as string | null) ?? null,
    rejectedAt: dateOf(r.rejected_at),
    rejectedBy: (r.rejected_by as string | null) ?? null,
    rejectionReason: (r.rejection_reason as string | null) ?? null,
  };
}
