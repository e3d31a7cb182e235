import { Module } from '@nestjs/common';
import { KampungProjectionController } from './kampung-projection.controller';
import { KampungProjectionHandler } from './kampung-projection.handler';

@Module({
  controllers: [KampungProjectionController],
  providers: [KampungProjectionHandler],
  exports: [KampungProjectionHandler],
})
export class KampungProjectionModule {}
