import { ApiProperty } from '@nestjs/swagger';
import { SUBMISSION_KINDS, type SubmissionKind, type SurveyAnswers } from '@kkb/contracts';
import { SUBMISSION_STATUSES, type Submission, type SubmissionStatus } from './submission.model';

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
