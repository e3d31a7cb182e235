import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { PageOf, PageQuery } from '@kkb/platform';
import type {
  DeadLetterDetail,
  DeadLetterSummary,
  DiscardResult,
  ReplayResult,
} from './dead-letter-admin.service';
import type { AuditRecord } from './dead-letter-audit.repository';

/** A durable consumer's name as services/*\/src/service.ts spell them. */
export const CONSUMER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const CONSUMER_RULE = 'must be a durable consumer name (letters, digits, - and _)';
/** How the documents describe a consumer parameter (so clients and the fuzzer send valid ones). */
const CONSUMER_DOC = { pattern: CONSUMER_NAME.source, example: 'classification-survey-submission' } as const;

export class ListDeadLettersQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only this durable consumer’s letters', ...CONSUMER_DOC })
  @IsOptional()
  @Matches(CONSUMER_NAME, { message: `consumer ${CONSUMER_RULE}` })
  consumer?: string;

  @ApiPropertyOptional({ enum: ['oldest', 'newest'], default: 'oldest' })
  @IsOptional()
  @IsIn(['oldest', 'newest'])
  order: 'oldest' | 'newest' = 'oldest';

  @ApiPropertyOptional({
    description: 'Continue after this letter (its seq; newest first: before it). Same as cursor.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;
}

export class DeadLetterConsumerQuery {
  @ApiProperty({ description: 'The durable consumer whose letters are all discarded', ...CONSUMER_DOC })
  @Matches(CONSUMER_NAME, { message: `consumer ${CONSUMER_RULE}` })
  consumer!: string;
}

export class DeadLetterReplayAllDto {
  @ApiProperty({ description: 'The durable consumer whose letters are all replayed', ...CONSUMER_DOC })
  @Matches(CONSUMER_NAME, { message: `consumer ${CONSUMER_RULE}` })
  consumer!: string;
}

export class DeadLetterAuditQuery extends PageQuery {
  @ApiPropertyOptional({
    description: 'Only the actions on this durable consumer’s letters',
    ...CONSUMER_DOC,
  })
  @IsOptional()
  @Matches(CONSUMER_NAME, { message: `consumer ${CONSUMER_RULE}` })
  consumer?: string;
}

export class DeadLetterSummaryView implements DeadLetterSummary {
  @ApiProperty({ description: 'Sequence in the dead-letter stream: the letter’s id' }) seq!: number;
  @ApiProperty() service!: string;
  @ApiProperty() consumer!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ type: String, nullable: true }) eventId!: string | null;
  @ApiProperty({ type: String, nullable: true }) eventType!: string | null;
  @ApiProperty() subject!: string;
  @ApiProperty() deliveryCount!: number;
  @ApiProperty({ description: 'Replays this event has been through' }) replays!: number;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
}

export class DeadLetterPage extends PageOf(DeadLetterSummaryView) {}

export class DeadLetterProblemView {
  @ApiProperty() field!: string;
  @ApiProperty() reason!: string;
}

export class DeadLetterDetailView extends DeadLetterSummaryView implements DeadLetterDetail {
  @ApiProperty({ type: [DeadLetterProblemView] }) problems!: DeadLetterProblemView[];
  @ApiProperty() stream!: string;
  @ApiProperty() streamSequence!: number;
  @ApiProperty({ type: Number, nullable: true }) replayOf!: number | null;
  @ApiProperty({ description: 'The event text as received' }) event!: string;
  @ApiProperty() eventTruncated!: boolean;
  @ApiProperty({ format: 'date-time' }) storedAt!: string;
}

export class DeadLetterReplayResultView implements ReplayResult {
  @ApiProperty() seq!: number;
  @ApiProperty({
    enum: ['replayed', 'not-found', 'not-mine', 'unavailable', 'failed', 'no-responder', 'timeout'],
  })
  status!: ReplayResult['status'];
  @ApiProperty({ enum: ['handled', 'duplicate', 'ignored', 'dead-lettered'], nullable: true })
  outcome!: ReplayResult['outcome'];
  @ApiProperty({ type: Number, nullable: true, description: 'The new letter, if dead-lettered again' })
  newSeq!: number | null;
  @ApiProperty({ type: String, nullable: true }) detail!: string | null;
}

export class DeadLetterDiscardView implements DiscardResult {
  @ApiProperty() seq!: number;
  @ApiProperty() discarded!: boolean;
}

export class DeadLetterAuditView implements AuditRecord {
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() actor!: string;
  @ApiProperty() actorRole!: string;
  @ApiProperty({ enum: ['inspect', 'replay', 'discard'] }) action!: AuditRecord['action'];
  @ApiProperty({ type: String, nullable: true }) bulk!: string | null;
  @ApiProperty({ type: String, nullable: true }) consumer!: string | null;
  @ApiProperty() seq!: number;
  @ApiProperty({ type: String, nullable: true }) eventId!: string | null;
  @ApiProperty({ type: String, nullable: true }) eventType!: string | null;
  @ApiProperty() outcome!: string;
  @ApiProperty({ type: Number, nullable: true }) newSeq!: number | null;
  @ApiProperty({ type: String, nullable: true }) detail!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) finishedAt!: string | null;
}

export class DeadLetterAuditPage extends PageOf(DeadLetterAuditView) {}
