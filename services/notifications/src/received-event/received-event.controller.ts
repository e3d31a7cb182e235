import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CurrentUser, scopePrefix, type Principal } from '@kkb/auth';
import { ReceivedEvent } from './received-event.entity';
import { ListEventsQuery } from './list-events.query';
import { ReceivedEventView } from './received-event.view';

@ApiTags('events')
@ApiBearerAuth()
@Controller('api/v1/events')
export class ReceivedEventController {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** The newest events received, within the caller's region scope (national events included). */
  @Get()
  @ApiOkResponse({ type: [ReceivedEventView] })
  async list(@Query() q: ListEventsQuery, @CurrentUser() user: Principal): Promise<ReceivedEvent[]> {
    const qb = this.ds
      .getRepository(ReceivedEvent)
      .createQueryBuilder('e')
      .orderBy('e.occurred_at', 'DESC')
      .limit(q.limit);
    const prefix = scopePrefix(user);
    // The caller's whole prefix (a regency officer sees their regency, not the province), as the
    // inbox and webhook fan-out filter: national events ('') reach everyone.
    if (prefix) qb.andWhere(`(e.region_code = '' OR e.region_code LIKE :prefix || '%')`, { prefix });
    if (q.type) qb.andWhere('e.type = :type', { type: q.type });
    return qb.getMany();
  }
}
