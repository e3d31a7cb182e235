import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CurrentUser, scopePrefix, type Principal } from '@kkb/auth';
import { ListEventsQuery } from './list-events.query';
import { ReceivedEventRepository, type ReceivedEventRow } from './received-event.repository';
import { ReceivedEventView } from './received-event.view';

@ApiTags('events')
@ApiBearerAuth()
@Controller('api/v1/events')
export class ReceivedEventController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly events: ReceivedEventRepository,
  ) {}

  /** The newest events received, within the caller's region scope (national events included). */
  @Get()
  @ApiOperation({ summary: "The newest events received, within the caller's region scope" })
  @ApiOkResponse({ type: [ReceivedEventView] })
  list(@Query() q: ListEventsQuery, @CurrentUser() user: Principal): Promise<ReceivedEventRow[]> {
    // The caller's whole prefix (a regency officer sees their regency, not the province), as the
    // inbox and webhook fan-out filter.
    return this.events.latest(this.ds.manager, { prefix: scopePrefix(user), type: q.type, limit: q.limit });
  }
}
