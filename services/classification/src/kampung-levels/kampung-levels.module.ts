import { Module } from '@nestjs/common';
import { KampungLevelsController } from './kampung-levels.controller';
import { KampungLevelsRepository } from './kampung-levels.repository';
import { KampungLevelsService } from './kampung-levels.service';

/** The kampung with their levels: the console's list, map and exports. */
@Module({
  controllers: [KampungLevelsController],
  providers: [KampungLevelsRepository, KampungLevelsService],
})
export class KampungLevelsModule {}
