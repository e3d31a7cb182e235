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

  /** The newest events received, within the caller's province (national events included). */
  @Get()
  @ApiOkResponse({ type: [ReceivedEventView] })
  async list(@Query() q: ListEventsQuery, @CurrentUser() user: Principal): Promise<ReceivedEvent[]> {
    const qb = this.ds
      .getRepository(ReceivedEvent)
      .createQueryBuilder('e')
      .orderBy('e.occurred_at', 'DESC')
      .limit(q.limit);
    const prefix = scopePrefix(user);
    if (prefix) qb.andWhere('e.province_code IN (:...provinces)', { provinces: [prefix.slice(0, 2), '00'] });
    if (q.type) qb.andWhere('e.type = :type', { type: q.type });
    return qb.getMany();
  }
}
