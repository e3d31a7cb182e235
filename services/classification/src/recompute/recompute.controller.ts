import { ParseIdPipe, UuidPipe } from '@kkb/platform';
import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Role, Roles, type Principal } from '@kkb/auth';
import { RecomputeJobsQuery } from './recompute-job.query';
import { RecomputeJobPageView, RecomputeJobView } from './recompute-job.view';
import { RecomputeService } from './recompute.service';

/** Publishing a rule set (which re-evaluates every kampung) and following the recomputation. */
@ApiTags('rule sets')
@ApiBearerAuth()
@Controller('api/v1')
export class RecomputeController {
  constructor(private readonly recompute: RecomputeService) {}

  @Post('rule-sets/:version/publish')
  @HttpCode(202)
  @Roles(Role.national)
  @ApiOperation({
    summary:
      'Publish a draft (immutable from then on) and re-evaluate every kampung; returns the recomputation job',
  })
  @ApiAcceptedResponse({ type: RecomputeJobView })
  publish(@Param('version', ParseIdPipe) version: number, @CurrentUser() user: Principal) {
    return this.recompute.publish(version, user);
  }

  @Get('recompute-jobs')
  @Roles(Role.national)
  @ApiOperation({ summary: 'Recomputation jobs with their progress, newest first (national officers)' })
  @ApiOkResponse({ type: RecomputeJobPageView })
  jobs(@Query() q: RecomputeJobsQuery) {
    return this.recompute.list(q);
  }

  @Get('recompute-jobs/:id')
  @Roles(Role.national)
  @ApiOperation({ summary: 'Progress of a recomputation job (national officers)' })
  @ApiOkResponse({ type: RecomputeJobView })
  job(@Param('id', UuidPipe) id: string) {
    return this.recompute.get(id);
  }
}
