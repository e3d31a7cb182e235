import { Readable } from 'node:stream';
import { Controller, Get, HttpStatus, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentUser, Role, Roles, type Principal } from '@kkb/auth';
import { ProblemException, UuidPipe } from '@kkb/platform';
import { ImportRowsQuery, StartImportQuery } from './import-query.dto';
import type { RowResult } from './import.model';
import { ImportService, type ImportView } from './import.service';
import { ImportJobView, RowResultView } from './import.views';

@ApiTags('imports')
@ApiBearerAuth()
@Controller('api/v1/imports')
export class ImportController {
  constructor(private readonly imports: ImportService) {}

  /**
   * Imports a CSV export (`content-type: text/csv`), one row per kampung and period: a header of
   * `submission_id` (optional), `kampung_id`, `year`, `month` and question ids, then one row each.
   * Streamed, validated row by row within the caller's scope; answers with the import's counts and,
   * for small files, every row's result (else page them at `resultsUrl`).
   */
  @Post()
  @ApiOperation({ summary: "Import a CSV of submissions, validated row by row within the caller's scope" })
  @Roles(Role.field_officer, Role.regency, Role.province, Role.national)
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', example: 'kampung_id,year,month,pus\n6f1c…,2025,3,640\n' } })
  @ApiCreatedResponse({ type: ImportJobView })
  async start(
    @Query() q: StartImportQuery,
    @Req() req: FastifyRequest,
    @CurrentUser() user: Principal,
  ): Promise<ImportView> {
    if (!(req.body instanceof Readable)) {
      throw new ProblemException(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        'unsupported-media-type',
        'Unsupported media type',
        'send the CSV as the request body with content-type text/csv',
      );
    }
    return this.imports.run(req.body, q, user);
  }

  /** The import's status and counts (running while its upload is still being read). */
  @Get(':id')
  @ApiOperation({ summary: "An import's status and counts" })
  @ApiOkResponse({ type: ImportJobView })
  view(@Param('id', UuidPipe) id: string, @CurrentUser() user: Principal): Promise<ImportView> {
    return this.imports.view(id, user);
  }

  /** The rows' results in row order, a page at a time (`after` the last row seen). */
  @Get(':id/rows')
  @ApiOperation({ summary: "An import's row results in row order, a page at a time" })
  @ApiOkResponse({ type: [RowResultView] })
  rows(
    @Param('id', UuidPipe) id: string,
    @Query() q: ImportRowsQuery,
    @CurrentUser() user: Principal,
  ): Promise<RowResult[]> {
    return this.imports.rows(id, q, user);
  }
}
