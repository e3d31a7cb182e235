import { Module } from '@nestjs/common';
import { KampungModule } from '../kampung/kampung.module';
import { SouthSumatraSeed } from './south-sumatra.seed';

@Module({ imports: [KampungModule], providers: [SouthSumatraSeed], exports: [SouthSumatraSeed] })
export class SeedModule {}
