import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class LevelTallyView {
  @ApiProperty()
  dasar!: number;

  @ApiProperty()
  berkembang!: number;

  @ApiProperty()
  mandiri!: number;

  @ApiProperty()
  berkelanjutan!: number;
}

const REGION_LEVELS = ['nation', 'province', 'regency', 'district', 'village'];

export class LevelCountsView {
  @ApiProperty({ type: String, nullable: true, example: '16', description: 'Dotted code; null = the nation' })
  region!: string | null;

  @ApiProperty({ enum: REGION_LEVELS })
  regionLevel!: 'nation' | 'province' | 'regency' | 'district' | 'village';

  @ApiProperty({ description: 'Active kampung in the region' })
  kampung!: number;

  @ApiProperty({ description: 'Of those, kampung with a level (a verified profile)' })
  assessed!: number;

  @ApiProperty()
  notAssessed!: number;

  @ApiProperty({ description: 'assessed ÷ kampung × 100, two decimals' })
  coverage!: number;

  @ApiProperty({ type: LevelTallyView })
  levels!: LevelTallyView;
}

export class LevelsView extends LevelCountsView {
  @ApiPropertyOptional({ type: [LevelCountsView], description: 'With breakdown=true: each child region' })
  children?: LevelCountsView[];
}

export class MonthLevelsView {
  @ApiProperty({ example: '2025-03' })
  month!: string;

  @ApiProperty()
  assessed!: number;

  @ApiProperty({ type: LevelTallyView })
  levels!: LevelTallyView;
}

export class LevelsHistoryView {
  @ApiProperty({ type: String, nullable: true })
  region!: string | null;

  @ApiProperty({ example: '2025-01' })
  from!: string;

  @ApiProperty({ example: '2025-12' })
  to!: string;

  @ApiProperty({ type: [MonthLevelsView] })
  months!: MonthLevelsView[];
}
