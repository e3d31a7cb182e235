import { ApiProperty } from '@nestjs/swagger';
import { RECOMPUTE_STATUSES } from './recompute-job.query';

export class RecomputeJobView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: 'The rule set version being applied' })
  ruleSetVersion!: number;

  @ApiProperty({ enum: RECOMPUTE_STATUSES })
  status!: (typeof RECOMPUTE_STATUSES)[number];

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Last kampung id done' })
  cursor!: string | null;

  @ApiProperty({ description: 'Assessed kampung when the job started' })
  total!: number;

  @ApiProperty({ description: 'Kampung re-evaluated so far (progress = processed ÷ total)' })
  processed!: number;

  @ApiProperty({ description: 'Of those, kampung whose level changed' })
  changed!: number;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: Date | null;

  @ApiProperty({ type: String, nullable: true, description: 'Last error of a batch (it is retried)' })
  error!: string | null;
}

export class RecomputeJobPageView {
  @ApiProperty({ type: [RecomputeJobView] })
  items!: RecomputeJobView[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}
