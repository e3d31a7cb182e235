import { Module } from '@nestjs/common';
import { KampungProjectionController } from './kampung-projection.controller';
import { KampungProjectionHandler } from './kampung-projection.handler';
import { KampungProjectionRepository } from './kampung-projection.repository';

/** The local copy of the registry's kampung: its event handler, repository and read endpoint. */
@Module({
  controllers: [KampungProjectionController, KampungProjectionHandler],
  providers: [KampungProjectionRepository],
  exports: [KampungProjectionRepository],
})
export class KampungProjectionModule {}
