import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type Principal } from '@kkb/auth';
import { LevelsHistoryQuery, LevelsQuery } from './levels.query';
import { LevelsService } from './levels.service';
import { LevelsHistoryView, LevelsView } from './levels.view';

@ApiTags('levels')
@ApiBearerAuth()
@Controller('api/v1/levels')
export class LevelsController {
  constructor(private readonly levels: LevelsService) {}

  @Get()
  @ApiOperation({
    summary:
      'Kampung per level, not yet assessed, and coverage (assessed ÷ kampung) for a region or the nation',
  })
  @ApiOkResponse({ type: LevelsView })
  get(@Query() q: LevelsQuery, @CurrentUser() user: Principal) {
    return this.levels.levels(q.region, q.breakdown ?? false, user);
  }

  @Get('history')
  @ApiOperation({ summary: 'Kampung per level at the end of each month (from the evaluation history)' })
  @ApiOkResponse({ type: LevelsHistoryView })
  history(@Query() q: LevelsHistoryQuery, @CurrentUser() user: Principal) {
    return this.levels.history(q.region, q.from, q.to, user);
  }
}
