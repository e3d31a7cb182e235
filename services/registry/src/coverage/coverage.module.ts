import { Module } from '@nestjs/common';
import { RegionModule } from '../region/region.module';
import { CoverageController } from './coverage.controller';
import { CoverageRepository } from './coverage.repository';
import { CoverageService } from './coverage.service';

@Module({
  imports: [RegionModule],
  controllers: [CoverageController],
  providers: [CoverageService, CoverageRepository],
})
export class CoverageModule {}
