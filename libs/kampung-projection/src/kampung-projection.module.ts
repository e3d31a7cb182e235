import { Module } from '@nestjs/common';
import { KampungProjectionController } from './kampung-projection.controller';
import { KampungProjectionHandler } from './kampung-projection.handler';
import { KampungProjectionRepository } from './kampung-projection.repository';

@Module({
  controllers: [KampungProjectionController],
  providers: [KampungProjectionHandler, KampungProjectionRepository],
  exports: [KampungProjectionHandler, KampungProjectionRepository],
})
export class KampungProjectionModule {}
