import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentUser, Role, Roles, type Principal } from '@kkb/auth';
import { ProblemException, type Page } from '@kkb/platform';
import { RegionImportService, type RegionImportResult } from './region-import.service';
import { IdnAreaDataSource } from './region-source';
import { RegionImportResultView, RegionPage, RegionView } from './region-view';
import { RegionService } from './region.service';
import { ChildrenQuery, ImportRegionsQuery, SearchRegionsQuery } from './search-regions.query';

@ApiTags('regions')
@ApiBearerAuth()
@Controller('api/v1/regions')
export class RegionController {
  constructor(
    private readonly regions: RegionService,
    private readonly importer: RegionImportService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Search regions by name (case- and accent-insensitive), level and code prefix' })
  @ApiOkResponse({ type: RegionPage })
  search(@Query() q: SearchRegionsQuery, @CurrentUser() user: Principal): Promise<Page<RegionView>> {
    return this.regions.search(q, user);
  }

  @Get(':code')
  @ApiOperation({ summary: 'One region by code, dotted (16.10.05.2041) or compact (1610052041)' })
  @ApiOkResponse({ type: RegionView })
  get(@Param('code') code: string, @CurrentUser() user: Principal): Promise<RegionView> {
    return this.regions.get(code, user);
  }

  @Get(':code/children')
  @ApiOperation({ summary: 'The regions directly under a region, in code order' })
  @ApiOkResponse({ type: RegionPage })
  children(
    @Param('code') code: string,
    @Query() q: ChildrenQuery,
    @CurrentUser() user: Principal,
  ): Promise<Page<RegionView>> {
    return this.regions.children(code, q, user);
  }

  @Get(':code/ancestors')
  @ApiOperation({ summary: 'The regions above a region, province first (one page)' })
  @ApiOkResponse({ type: RegionPage })
  ancestors(@Param('code') code: string, @CurrentUser() user: Principal): Promise<Page<RegionView>> {
    return this.regions.ancestors(code, user);
  }

  @Post('import')
  @Roles(Role.national)
  @ApiOperation({
    summary: 'Re-import the region tree from the installed idn-area-data package',
    description:
      'Takes no body. Answers 409 while another import runs, and when the active regions already come from the installed package version (a re-run would change nothing) unless force=true.',
  })
  @ApiCreatedResponse({ type: RegionImportResultView })
  @ApiConflictResponse({
    description: 'Another import is running, or the installed source is already imported',
  })
  import(@Query() q: ImportRegionsQuery, @Body() body: unknown): Promise<RegionImportResult> {
    if (!isEmptyBody(body)) {
      throw ProblemException.validation([{ field: 'body', reason: 'this operation takes no body' }]);
    }
    return this.importer.importRequested(new IdnAreaDataSource(), q.force);
  }
}

/** No body at all, or an empty JSON object (what some clients send for a POST without one). */
function isEmptyBody(body: unknown): boolean {
  if (body === undefined || body === null || body === '') return true;
  return (
    typeof body === 'object' &&
    !Array.isArray(body) &&
    !Buffer.isBuffer(body) &&
    Object.keys(body).length === 0
  );
}
