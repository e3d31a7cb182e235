import { IsTimestamp } from '../dates';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { defineEvent } from '../event-contract';
import { SubmissionRefV1 } from './submission-ref';

/**
 * A submission was accepted (it passed validation against its instrument version) and awaits
 * verification. The answers are not carried here: they travel with `submission verified`.
 */
export class SubmissionSubmittedV1 extends SubmissionRefV1 {
  @IsTimestamp()
  submittedAt!: string;

  /** Subject (`sub`) of the officer's token. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  submittedBy!: string;

  /** How it arrived: one HTTP submission, or a row of a CSV import. */
  @IsIn(['api', 'import'])
  via!: 'api' | 'import';

  /** The submission for the same kampung, kind and period that this one replaced, if any. */
  @IsOptional()
  @IsUUID()
  supersedes?: string;
}

export const submissionSubmittedV1 = defineEvent({
  producer: 'survey',
  aggregate: 'submission',
  verb: 'submitted',
  major: 1,
  payload: SubmissionSubmittedV1,
  summary: 'A kampung profile or monthly report was submitted and awaits verification.',
});
