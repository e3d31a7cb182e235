import { PageOf } from '@kkb/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LEVELS, type RegionKind, type RegionLevel } from './region-code';

export class RegionView {
  @ApiProperty({ example: '16.10.05.2041' }) code!: string;
  @ApiProperty({ example: '1610052041' }) compactCode!: string;
  @ApiProperty({ example: 'Sembadak' }) name!: string;
  @ApiProperty({ enum: LEVELS }) level!: RegionLevel;
  @ApiProperty({ enum: ['provinsi', 'kabupaten', 'kota', 'kecamatan', 'desa', 'kelurahan', 'desa_adat'] })
  kind!: RegionKind;
  @ApiPropertyOptional({ type: String, example: '16.10.05', nullable: true }) parentCode!: string | null;
  @ApiProperty() active!: boolean;
}

export interface RegionRow {
  code: string;
  compact_code: string;
  name: string;
  level: number;
  kind: RegionKind;
  parent_code: string | null;
  active: boolean;
}

export const REGION_COLUMNS = 'code, compact_code, name, level, kind, parent_code, active';

export function toRegionView(r: RegionRow): RegionView {
  return {
    code: r.code,
    compactCode: r.compact_code,
    name: r.name,
    level: LEVELS[r.level - 1],
    kind: r.kind,
    parentCode: r.parent_code,
    active: r.active,
  };
}

export class RegionPage extends PageOf(RegionView) {}

export class RegionLevelCountsView {
  @ApiProperty() provinces!: number;
  @ApiProperty() regencies!: number;
  @ApiProperty() districts!: number;
  @ApiProperty() villages!: number;
}

/** What a region import did (the `regions imported` event's data) and how long it took. */
export class RegionImportResultView {
  @ApiProperty({ example: 'idn-area-data@4.0.1' }) source!: string;
  @ApiProperty({ type: RegionLevelCountsView, description: 'Active codes per level after the import' })
  active!: RegionLevelCountsView;
  @ApiProperty() inserted!: number;
  @ApiProperty() updated!: number;
  @ApiProperty() deactivated!: number;
  @ApiProperty({ description: 'Duration in milliseconds' }) ms!: number;
}
