import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Role, Roles, type Principal } from '@kkb/auth';
import { RecomputeService } from '../recompute/recompute.service';
import { CreateRuleSetDto } from './create-rule-set.dto';
import { RuleSetService } from './rule-set.service';

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
  list() {
    return this.ruleSets.list();
  }

  @Get('rule-sets/:version')
  @ApiOperation({ summary: 'One rule set version with its definition' })
  get(@Param('version', ParseIntPipe) version: number) {
    return this.ruleSets.get(version);
  }

  @Post('rule-sets')
  @Roles(Role.national)
  @ApiOperation({ summary: 'Create a draft with the next version number (national officers)' })
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
  publish(@Param('version', ParseIntPipe) version: number, @CurrentUser() user: Principal) {
    return this.recompute.publish(version, user);
  }

  @Get('recompute-jobs/:id')
  @ApiOperation({ summary: 'Progress of a recomputation job' })
  job(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.recompute.get(id);
  }
}
