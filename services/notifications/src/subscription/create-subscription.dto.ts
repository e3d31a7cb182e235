import { Omittable } from '@kkb/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { TYPE_PATTERN } from '../common/event-matching';

/** Region code prefix: '' (whole country), or a province, regency, district or village code, dotted or compact. */
export const REGION_FILTER = /^$|^\d{2}(\.?\d{2}(\.?\d{2}(\.?\d{4})?)?)?$/;

export class CreateSubscriptionDto {
  @ApiProperty({ example: 'https://dashboard.sumsel.example/hooks/kkb', description: 'http or https' })
  @IsString()
  @MaxLength(2048)
  url!: string;

  @ApiProperty({
    example: ['kkb.classification.>', 'kkb.registry.kampung.registered.v1'],
    description: 'Event type patterns: `*` matches one token, a final `>` one or more',
  })
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
  eventTypes!: string[];

  @ApiPropertyOptional({
    example: '16',
    description: "Only events under this region code; '' is the whole country. Default: the caller's scope",
  })
  @Omittable()
  @IsString()
  @Matches(REGION_FILTER, { message: "region must be '' or a region code such as 16 or 16.10" })
  region?: string;

  @ApiPropertyOptional({ example: 'Provincial dashboard, production' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}
