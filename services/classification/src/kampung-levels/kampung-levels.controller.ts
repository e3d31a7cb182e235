import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type Principal } from '@kkb/auth';
import { KampungLevelsExportQuery, KampungLevelsFilter, KampungLevelsQuery } from './kampung-levels.query';
import { KampungLevelsService } from './kampung-levels.service';
import { KampungLevelPageView, KampungPointsView } from './kampung-levels.view';

@ApiTags('kampung levels')
@ApiBearerAuth()
@Controller('api/v1/kampung-levels')
export class KampungLevelsController {
  constructor(private readonly kampungLevels: KampungLevelsService) {}

  @Get()
  @ApiOperation({
    summary:
      'Kampung in your scope with their current level, filtered, sorted and paged by cursor (kampung projection + current levels)',
  })
  @ApiOkResponse({ type: KampungLevelPageView })
  list(@Query() q: KampungLevelsQuery, @CurrentUser() user: Principal): Promise<KampungLevelPageView> {
    return this.kampungLevels.list(q, user);
  }

  @Get('points')
  @ApiOperation({ summary: 'Map points: the kampung in your scope that have coordinates, with their level' })
  @ApiOkResponse({ type: KampungPointsView })
  points(@Query() q: KampungLevelsFilter, @CurrentUser() user: Principal): Promise<KampungPointsView> {
    return this.kampungLevels.points(q, user);
  }

  @Get('export')
  @ApiOperation({
    summary:
      'The whole filtered list as a CSV or XLSX attachment, streamed from a database cursor (any size, never held in memory)',
  })
  @ApiProduces('text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOkResponse({
    description: 'The file (Content-Disposition: attachment)',
    schema: { type: 'string', format: 'binary' },
  })
  async export(
    @Query() q: KampungLevelsExportQuery,
    @CurrentUser() user: Principal,
  ): Promise<StreamableFile> {
    const file = await this.kampungLevels.export(q, user);
    return new StreamableFile(file.stream, {
      type: file.contentType,
      disposition: `attachment; filename="${file.filename}"`,
    });
  }
}
