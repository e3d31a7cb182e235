import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Role, Roles, type Principal } from '@kkb/auth';
import { PageQuery, type Page, UuidPipe } from '@kkb/platform';
import { CODE_LISTS } from './code-lists';
import { KampungQueryService, type AuditView, type KampungSummary } from './kampung-query.service';
import { AuditPage, CodeListsView, KampungPage } from './kampung-list.views';
import { KampungView } from './kampung-view';
import { etagOf, KampungService } from './kampung.service';
import { ListKampungQuery } from './list-kampung.query';
import { RegisterKampungDto } from './register-kampung.dto';
import { MergeKampungDto, StatusChangeDto } from './status-change.dto';
import { UpdateKampungDto } from './update-kampung.dto';

const WRITERS = [Role.national, Role.province, Role.regency] as const;

@ApiTags('kampung')
@ApiBearerAuth()
@Controller('api/v1')
export class KampungController {
  constructor(
    private readonly kampung: KampungService,
    private readonly queries: KampungQueryService,
  ) {}

  @Get('code-lists')
  @ApiOperation({ summary: 'Code lists of the register: Pokja seksi, SK issuers, selection criteria' })
  @ApiOkResponse({ type: CodeListsView })
  codeLists() {
    return CODE_LISTS;
  }

  @Post('kampung')
  @Roles(...WRITERS)
  @ApiOperation({ summary: 'Register a Kampung KB in a village' })
  @ApiCreatedResponse({ type: KampungView })
  async register(
    @Body() dto: RegisterKampungDto,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<KampungView> {
    const k = await this.kampung.register(dto, user);
    void reply.header('etag', etagOf(k)).header('location', `/api/v1/kampung/${k.id}`);
    return k;
  }

  @Get('kampung')
  @ApiOperation({ summary: 'List kampung within a region (and the caller scope)' })
  @ApiOkResponse({ type: KampungPage })
  list(@Query() q: ListKampungQuery, @CurrentUser() user: Principal): Promise<Page<KampungSummary>> {
    return this.queries.list(q, user);
  }

  @Get('kampung/:id')
  @ApiOperation({ summary: 'One kampung with its ETag (the version to send as If-Match)' })
  @ApiOkResponse({ type: KampungView })
  async get(
    @Param('id', UuidPipe) id: string,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<KampungView> {
    const k = await this.kampung.get(id, user);
    void reply.header('etag', etagOf(k));
    return k;
  }

  @Patch('kampung/:id')
  @Roles(...WRITERS)
  @ApiHeader({ name: 'If-Match', required: true, description: 'The ETag of the version being changed' })
  @ApiOperation({ summary: 'Change a kampung; 412 when If-Match is not the current version' })
  @ApiOkResponse({ type: KampungView })
  async update(
    @Param('id', UuidPipe) id: string,
    @Body() dto: UpdateKampungDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<KampungView> {
    const k = await this.kampung.update(id, dto, ifMatch, user);
    void reply.header('etag', etagOf(k));
    return k;
  }

  @Post('kampung/:id/deactivate')
  @HttpCode(200)
  @Roles(...WRITERS)
  @ApiOperation({ summary: 'Deactivate a kampung (it leaves coverage and lists of active kampung)' })
  @ApiOkResponse({ type: KampungView })
  async deactivate(
    @Param('id', UuidPipe) id: string,
    @Body() dto: StatusChangeDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentUser() user: Principal,
  ): Promise<KampungView> {
    return this.kampung.deactivate(id, dto.reason, ifMatch, user);
  }

  @Post('kampung/:id/reactivate')
  @HttpCode(200)
  @Roles(...WRITERS)
  @ApiOperation({ summary: 'Reactivate a deactivated kampung' })
  @ApiOkResponse({ type: KampungView })
  async reactivate(
    @Param('id', UuidPipe) id: string,
    @Body() dto: StatusChangeDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentUser() user: Principal,
  ): Promise<KampungView> {
    return this.kampung.reactivate(id, dto.reason, ifMatch, user);
  }

  @Post('kampung/:id/merge')
  @HttpCode(200)
  @Roles(...WRITERS)
  @ApiOperation({
    summary:
      'Merge a duplicate into another kampung; the duplicate becomes inactive and points to the survivor',
  })
  @ApiOkResponse({ type: KampungView })
  async merge(
    @Param('id', UuidPipe) id: string,
    @Body() dto: MergeKampungDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentUser() user: Principal,
  ): Promise<KampungView> {
    return this.kampung.merge(id, dto.survivorId, dto.reason, ifMatch, user);
  }

  @Get('kampung/:id/history')
  @ApiOperation({ summary: 'Audit history: who changed what, when and why' })
  @ApiOkResponse({ type: AuditPage })
  async history(
    @Param('id', UuidPipe) id: string,
    @Query() q: PageQuery,
    @CurrentUser() user: Principal,
  ): Promise<Page<AuditView>> {
    await this.kampung.get(id, user);
    return this.queries.history(id, q);
  }
}
