import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { assertInScope, CurrentUser, type Principal } from '@kkb/auth';
import { ProblemException, UuidPipe } from '@kkb/platform';
import { KampungProjectionRepository, type KampungProjectionRow } from './kampung-projection.repository';

/** The projection row as JSON (timestamps as ISO text). */
export class KampungProjectionView {
  @ApiProperty({ format: 'uuid' }) kampungId!: string;
  @ApiProperty({ example: '16.10.05.2041' }) villageCode!: string;
  @ApiProperty({ example: '16' }) provinceCode!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: '2017-04-26' }) launchDate!: string;
  @ApiProperty() active!: boolean;
  @ApiProperty() modelRegency!: boolean;
  @ApiProperty() modelProvince!: boolean;
  @ApiProperty({ type: Number, nullable: true, description: 'WGS 84' }) latitude!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'WGS 84' }) longitude!: number | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) mergedInto!: string | null;
  @ApiProperty({ description: 'The register version this projection is at' }) version!: number;
  @ApiProperty({ description: 'Id of the last registry event applied' }) lastEventId!: string;
  @ApiProperty() updatedAt!: string;
}

/** Read access to this service's projection: what it knows of a kampung, and as of which event. */
@ApiTags('kampung projection')
@ApiBearerAuth()
@Controller('api/v1/projections/kampung')
export class KampungProjectionController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly projection: KampungProjectionRepository,
  ) {}

  @Get(':id')
  @ApiOperation({ summary: "This service's copy of a kampung, built from registry events" })
  @ApiOkResponse({ type: KampungProjectionView })
  async get(
    @Param('id', UuidPipe) id: string,
    @CurrentUser() user: Principal,
  ): Promise<KampungProjectionRow> {
    const row = await this.projection.find(this.ds.manager, id);
    if (!row) throw ProblemException.notFound(`Kampung ${id}`);
    assertInScope(user, row.villageCode);
    return row;
  }
}
