import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '@kkb/platform';

export const RECOMPUTE_STATUSES = ['running', 'done', 'superseded'] as const;

export class RecomputeJobsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: RECOMPUTE_STATUSES })
  @IsOptional()
  @IsIn(RECOMPUTE_STATUSES)
  status?: (typeof RECOMPUTE_STATUSES)[number];
}
