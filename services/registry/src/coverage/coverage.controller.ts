import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type Principal } from '@kkb/auth';
import { CoverageQuery } from './coverage.query';
import { CoverageService } from './coverage.service';

@ApiTags('coverage')
@ApiBearerAuth()
@Controller('api/v1/coverage')
export class CoverageController {
  constructor(private readonly coverage: CoverageService) {}

  @Get()
  @ApiOperation({
    summary: 'Villages, active Kampung KB, percentage and remaining gap, for a region or the nation',
  })
  get(@Query() q: CoverageQuery, @CurrentUser() user: Principal) {
    return this.coverage.get(q.region, q.breakdown ?? false, user);
  }
}
