import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { TYPE_PATTERN } from '../common/event-matching';
import { REGION_FILTER } from '../subscription/create-subscription.dto';

/** The patterns of TYPE_PATTERN, comma-separated (at most 20 by length). */
const TYPE_PATTERNS = new RegExp(`^(${unanchored(TYPE_PATTERN)})(,(${unanchored(TYPE_PATTERN)})){0,19}$`);
function unanchored(re: RegExp): string {
  return re.source
    .replace(/\$\|\^/g, '|')
    .replace(/^\^/, '')
    .replace(/\$$/, '');
}

export const FEED_MAX_WAIT_SECONDS = 30;

/** `GET /api/v1/events`: the event feed. */
export class FeedQuery {
  @ApiPropertyOptional({
    description: 'The `next` of the previous page; omitted: from the oldest event kept',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  after?: string;

  @ApiPropertyOptional({
    example: 'kkb.classification.>',
    description:
      'Event type patterns, comma-separated: `*` matches one token, a final `>` one or more (as in subscriptions)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2600)
  @Matches(TYPE_PATTERNS, {
    message:
      'type must be event type patterns such as kkb.classification.> or kkb.*.kampung.*.v1, comma-separated',
  })
  type?: string;

  @ApiPropertyOptional({
    example: '16.10',
    description: "Only events under this region code (within the caller's scope; default: the whole scope)",
  })
  @IsOptional()
  @IsString()
  @Matches(REGION_FILTER, { message: 'region must be a region code such as 16 or 16.10' })
  region?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 100;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: FEED_MAX_WAIT_SECONDS,
    default: 0,
    description: 'Long poll: when no event follows `after`, wait up to this many seconds for one',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(FEED_MAX_WAIT_SECONDS)
  wait: number = 0;
}
