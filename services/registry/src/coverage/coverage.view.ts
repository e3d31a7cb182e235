import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LEVELS, type RegionLevel } from '../region/region-code';
import type { Coverage } from './coverage.service';

/** Coverage of the target "every village a Kampung KB" for one region (or the nation). */
export class CoverageEntryView implements Coverage {
  @ApiProperty({
    type: String,
    nullable: true,
    example: '16',
    description: 'Dotted code; null for the nation',
  })
  code!: string | null;
  @ApiProperty({ example: 'Sumatera Selatan' }) name!: string;
  @ApiProperty({ enum: [...LEVELS, 'nation'] }) level!: RegionLevel | 'nation';
  @ApiProperty({ description: 'Active villages (desa and kelurahan): the target is a Kampung KB in each' })
  villages!: number;
  @ApiProperty({ description: 'Villages with an active Kampung KB' }) kampung!: number;
  @ApiProperty({ description: 'kampung ÷ villages × 100, two decimals', example: 12.5 }) percent!: number;
  @ApiProperty({ description: 'Villages still without a Kampung KB' }) gap!: number;
}

export class CoverageView extends CoverageEntryView {
  @ApiPropertyOptional({
    type: [CoverageEntryView],
    description: 'With breakdown=true: each child region (the villages of a district)',
  })
  children?: CoverageEntryView[];
}

export class CoverageTrendMonthView {
  @ApiProperty({ example: '2023-04', description: 'Launch month, YYYY-MM' }) month!: string;
  @ApiProperty({ description: 'Active Kampung KB launched in or before this month' }) kampung!: number;
}

/**
 * Cumulative Kampung KB by launch month: active kampung of the region counted from the month
 * they were launched, every month from the first launch to the current month (or the last
 * launch, if later), so the last entry equals the coverage's `kampung`.
 */
export class CoverageTrendView {
  @ApiProperty({
    type: String,
    nullable: true,
    example: '16',
    description: 'Dotted code; null for the nation',
  })
  region!: string | null;
  @ApiProperty({ type: [CoverageTrendMonthView] }) months!: CoverageTrendMonthView[];
}
