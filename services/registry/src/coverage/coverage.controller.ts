import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type Principal } from '@kkb/auth';
import { CoverageQuery, CoverageTrendQuery } from './coverage.query';
import { CoverageService } from './coverage.service';
import { CoverageTrendView, CoverageView } from './coverage.view';

@ApiTags('coverage')
@ApiBearerAuth()
@Controller('api/v1/coverage')
export class CoverageController {
  constructor(private readonly coverage: CoverageService) {}

  @Get()
  @ApiOperation({
    summary: 'Villages, active Kampung KB, percentage and remaining gap, for a region or the nation',
  })
  @ApiOkResponse({ type: CoverageView })
  get(@Query() q: CoverageQuery, @CurrentUser() user: Principal): Promise<CoverageView> {
    return this.coverage.get(q.region, q.breakdown ?? false, user);
  }

  @Get('trend')
  @ApiOperation({
    summary: 'Active Kampung KB counted cumulatively by launch month, for a region or the nation',
  })
  @ApiOkResponse({ type: CoverageTrendView })
  trend(@Query() q: CoverageTrendQuery, @CurrentUser() user: Principal): Promise<CoverageTrendView> {
    return this.coverage.trend(q.region, user);
  }
}
