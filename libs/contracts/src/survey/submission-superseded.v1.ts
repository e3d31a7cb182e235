import { IsTimestamp } from '../dates';
import { IsIn, IsUUID } from 'class-validator';
import { defineEvent } from '../event-contract';
import { SubmissionRefV1 } from './submission-ref';

/**
 * A newer submission for the same kampung, kind and period replaced this one. The old one stays
 * in the history; it no longer counts (a consumer drops what it derived from it).
 */
export class SubmissionSupersededV1 extends SubmissionRefV1 {
  @IsUUID()
  supersededBy!: string;

  @IsTimestamp()
  supersededAt!: string;

  /** The status the old submission had when it was replaced. */
  @IsIn(['submitted', 'verified', 'rejected'])
  previousStatus!: 'submitted' | 'verified' | 'rejected';
}

export const submissionSupersededV1 = defineEvent({
  producer: 'survey',
  aggregate: 'submission',
  verb: 'superseded',
  major: 1,
  payload: SubmissionSupersededV1,
  summary: 'A submission was replaced by a newer one for the same kampung, kind and period.',
});
