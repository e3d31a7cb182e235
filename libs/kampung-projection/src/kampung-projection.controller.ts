import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { assertInScope, CurrentUser, type Principal } from '@kkb/auth';
import { ProblemException } from '@kkb/platform';
import { KampungProjection } from './kampung-projection.entity';

/** Read access to this service's projection: what it knows of a kampung, and as of which event. */
@ApiTags('kampung projection')
@ApiBearerAuth()
@Controller('api/v1/projections/kampung')
export class KampungProjectionController {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  @Get(':id')
  async get(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentUser() user: Principal,
  ): Promise<KampungProjection> {
    const row = await this.ds.getRepository(KampungProjection).findOneBy({ kampungId: id });
    if (!row) throw ProblemException.notFound(`Kampung ${id}`);
    assertInScope(user, row.villageCode);
    return row;
  }
}
