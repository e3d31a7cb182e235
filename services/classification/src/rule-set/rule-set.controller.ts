import { ParseIdPipe, UuidPipe } from '@kkb/platform';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentUser, Role, Roles, type Principal } from '@kkb/auth';
import { RecomputeJobsQuery } from '../recompute/recompute-job.query';
import { RecomputeJobPageView, RecomputeJobView } from '../recompute/recompute-job.view';
import { RecomputeService } from '../recompute/recompute.service';
import { CreateRuleSetDto } from './create-rule-set.dto';
import { RuleSetService } from './rule-set.service';
import { RuleSetSummaryView, RuleSetView } from './rule-set.view';

@ApiTags('rule sets')
@ApiBearerAuth()
@Controller('api/v1')
export class RuleSetController {
  constructor(
    private readonly ruleSets: RuleSetService,
    private readonly recompute: RecomputeService,
  ) {}

  @Get('rule-sets')
  @ApiOperation({ summary: 'Every rule set version, newest first (without definitions)' })
  @ApiOkResponse({ type: RuleSetSummaryView, isArray: true })
  list() {
    return this.ruleSets.list();
  }

  @Get('rule-sets/:version')
  @ApiOperation({ summary: 'One rule set version with its definition' })
  @ApiOkResponse({ type: RuleSetView })
  get(@Param('version', ParseIdPipe) version: number) {
    return this.ruleSets.get(version);
  }

  @Post('rule-sets')
  @Roles(Role.national)
  @ApiOperation({ summary: 'Create a draft with the next version number (national officers)' })
  @ApiCreatedResponse({ type: RuleSetView })
  create(@Body() dto: CreateRuleSetDto, @CurrentUser() user: Principal) {
    return this.ruleSets.createDraft(dto.name, dto.definition, user.sub);
  }

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
