import { Module } from '@nestjs/common';
import { RegionBootstrap } from './region-bootstrap';
import { RegionImportService } from './region-import.service';
import { RegionController } from './region.controller';
import { RegionRepository } from './region.repository';
import { RegionService } from './region.service';

@Module({
  controllers: [RegionController],
  providers: [RegionService, RegionImportService, RegionBootstrap, RegionRepository],
  exports: [RegionImportService, RegionService],
})
export class RegionModule {}
