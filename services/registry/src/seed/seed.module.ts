import { Module } from '@nestjs/common';
import { KampungModule } from '../kampung/kampung.module';
import { SeedRepository } from './seed.repository';
import { SouthSumatraSeed } from './south-sumatra.seed';

@Module({
  imports: [KampungModule],
  providers: [SouthSumatraSeed, SeedRepository],
  exports: [SouthSumatraSeed],
})
export class SeedModule {}
