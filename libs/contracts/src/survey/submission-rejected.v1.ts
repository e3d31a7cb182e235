import { IsTimestamp } from '../dates';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { defineEvent } from '../event-contract';
import { SubmissionRefV1 } from './submission-ref';

/** A verifier sent a submission back; a corrected one (a new submission id) supersedes it. */
export class SubmissionRejectedV1 extends SubmissionRefV1 {
  @IsTimestamp()
  rejectedAt!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  rejectedBy!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export const submissionRejectedV1 = defineEvent({
  producer: 'survey',
  aggregate: 'submission',
  verb: 'rejected',
  major: 1,
  payload: SubmissionRejectedV1,
  summary: 'A submission was rejected by a verifier, with the reason.',
});
