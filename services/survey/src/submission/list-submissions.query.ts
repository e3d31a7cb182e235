import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { SUBMISSION_KINDS, type SubmissionKind } from '@kkb/contracts';
import { SUBMISSION_STATUSES, type SubmissionStatus } from './submission.entity';
import { QueryBoolean } from '@kkb/platform';

export class ListSubmissionsQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  kampungId?: string;

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

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset: number = 0;
}
