import { Module } from '@nestjs/common';
import { KampungQueryService } from './kampung-query.service';
import { KampungController } from './kampung.controller';
import { KampungRepository } from './kampung.repository';
import { KampungService } from './kampung.service';

@Module({
  controllers: [KampungController],
  providers: [KampungService, KampungQueryService, KampungRepository],
  exports: [KampungService],
})
export class KampungModule {}
