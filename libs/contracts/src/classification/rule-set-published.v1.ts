import { INT32_MAX } from '../limits';
import { IsTimestamp } from '../dates';
import { IsInt, IsNotEmpty, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { defineEvent } from '../event-contract';

/**
 * A classification rule set version was published (national event, province `00`). Every assessed
 * kampung is then re-evaluated by the recomputation job `jobId`; a `kampung classified` event
 * follows for each kampung whose level changed.
 */
export class RuleSetPublishedV1 {
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  version!: number;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsTimestamp()
  publishedAt!: string;

  /** Subject (`sub`) of the national officer's token. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  publishedBy!: string;

  @IsUUID()
  jobId!: string;
}

export const ruleSetPublishedV1 = defineEvent({
  producer: 'classification',
  aggregate: 'rule-set',
  verb: 'published',
  major: 1,
  payload: RuleSetPublishedV1,
  summary: 'A classification rule set version was published; every kampung is re-evaluated.',
});
