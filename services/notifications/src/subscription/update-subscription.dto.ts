import { Omittable } from '@kkb/platform';
import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { TYPE_PATTERN } from '../common/event-matching';
import { REGION_FILTER } from './create-subscription.dto';

/** What PATCH may change; absent fields keep their value. */
export class UpdateSubscriptionDto {
  @ApiPropertyOptional()
  @Omittable()
  @IsString()
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ example: ['kkb.survey.>'] })
  @Omittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  @Matches(TYPE_PATTERN, {
    each: true,
    message:
      'each of eventTypes must be an event type pattern such as kkb.classification.> or kkb.*.kampung.*.v1',
  })
  eventTypes?: string[];

  @ApiPropertyOptional({ example: '16.10' })
  @Omittable()
  @IsString()
  @Matches(REGION_FILTER, { message: "region must be '' or a region code such as 16 or 16.10" })
  region?: string;

  @ApiPropertyOptional({ nullable: true })
  @ValidateIf((o: UpdateSubscriptionDto) => o.description !== null && o.description !== undefined)
  @IsString()
  @MaxLength(500)
  description?: string | null;
}
