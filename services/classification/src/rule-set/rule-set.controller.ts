import { ParseIdPipe } from '@kkb/platform';
import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Role, Roles, type Principal } from '@kkb/auth';
import { CreateRuleSetDto } from './create-rule-set.dto';
import { RuleSetService } from './rule-set.service';
import { RuleSetSummaryView, RuleSetView } from './rule-set.view';

@ApiTags('rule sets')
@ApiBearerAuth()
@Controller('api/v1')
export class RuleSetController {
  constructor(private readonly ruleSets: RuleSetService) {}

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
}
