import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { INSTRUMENT_CODE, SUBMISSION_KINDS, type SubmissionKind } from '@kkb/contracts';
import { SUBMISSION_STATUSES, type SubmissionStatus } from './submission.model';
import { QueryBoolean } from '@kkb/platform';

/** Deeper pages by offset cost a scan of every row before them; 1e19 overflowed bigint (a 500). */
const MAX_OFFSET = 100_000;

export class ListSubmissionsQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  kampungId?: string;

  @ApiPropertyOptional({
    description: 'Only kampung in this region (dotted or compact code), within your scope',
    example: '16.10',
  })
  @IsOptional()
  @IsString()
  @Matches(/^(\d{2}|\d{4}|\d{6}|\d{10}|\d{2}\.\d{2}(\.\d{2}(\.\d{4})?)?)$/, {
    message: 'region must be a region code',
  })
  region?: string;

  @ApiPropertyOptional({ description: 'Only answers to this instrument', example: 'monthly-report' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(INSTRUMENT_CODE, { message: 'instrument must be an instrument code' })
  instrument?: string;

  @ApiPropertyOptional({ enum: SUBMISSION_KINDS })
  @IsOptional()
  @IsIn(SUBMISSION_KINDS)
  kind?: SubmissionKind;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(12)
  month?: number;

  @ApiPropertyOptional({ enum: SUBMISSION_STATUSES })
  @IsOptional()
  @IsIn(SUBMISSION_STATUSES)
  status?: SubmissionStatus;

  @ApiPropertyOptional({ description: 'Leave out superseded submissions (the history)' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  current?: boolean;

  @ApiPropertyOptional({ default: 100, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 100;

  @ApiPropertyOptional({ default: 0, maximum: 100000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET, { message: `offset must not be greater than ${MAX_OFFSET}: narrow the filters instead` })
  offset: number = 0;
}
