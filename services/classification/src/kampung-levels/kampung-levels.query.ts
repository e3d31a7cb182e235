import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { QueryBoolean } from '@kkb/platform';
import { LEVELS, type Level } from '../rule-set/rule-set.definition';

export const KAMPUNG_LEVEL_SORTS = ['name', 'village', 'level', 'evaluatedAt'] as const;
export type KampungLevelSort = (typeof KAMPUNG_LEVEL_SORTS)[number];
export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** `dasar,mandiri` (or the parameter repeated) → ['dasar', 'mandiri']; @IsIn checks each. */
const CommaList = (): PropertyDecorator =>
  Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
    const raw = obj[key];
    const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((v) =>
      typeof v === 'string' ? v.split(',') : [v],
    );
    return parts.map((v) => (typeof v === 'string' ? v.trim() : v)).filter((v) => v !== '');
  });

/** Which kampung: every list, map and export of the kampung with their levels takes these. */
export class KampungLevelsFilter {
  @ApiPropertyOptional({
    description: 'Region code (dotted or compact); omitted = your scope (the nation for national officers)',
    example: '16.10',
  })
  @IsOptional()
  @IsString()
  @MaxLength(13)
  region?: string;

  @ApiPropertyOptional({
    description: 'Levels, comma-separated; kampung not yet assessed are left out when given',
    example: 'dasar,mandiri',
    type: String,
  })
  @IsOptional()
  @CommaList()
  @ArrayMaxSize(LEVELS.length)
  @IsIn(LEVELS, { each: true, message: `level must be a comma list of ${LEVELS.join(', ')}` })
  level?: Level[];

  @ApiPropertyOptional({ description: 'true: only kampung with a level; false: only those without' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  assessed?: boolean;

  @ApiPropertyOptional({
    description: 'true: only regency or province model kampung; false: only the others',
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  model?: boolean;

  @ApiPropertyOptional({ description: 'Part of the name or of the village code (case-insensitive)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({
    description: 'true: active kampung; false: deactivated or merged ones',
    default: true,
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  active?: boolean;
}

export class KampungLevelsSortQuery extends KampungLevelsFilter {
  @ApiPropertyOptional({
    enum: KAMPUNG_LEVEL_SORTS,
    default: 'name',
    description: 'level sorts not assessed below dasar, then by name; evaluatedAt puts never evaluated first',
  })
  @IsOptional()
  @IsIn(KAMPUNG_LEVEL_SORTS)
  sort: KampungLevelSort = 'name';

  @ApiPropertyOptional({ enum: SORT_ORDERS, default: 'asc' })
  @IsOptional()
  @IsIn(SORT_ORDERS)
  order: SortOrder = 'asc';
}

export class KampungLevelsQuery extends KampungLevelsSortQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;

  @ApiPropertyOptional({
    description: 'The nextCursor of the previous page (issued for the same sort and order)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  cursor?: string;
}

export class KampungLevelsExportQuery extends KampungLevelsSortQuery {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'csv' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format: ExportFormat = 'csv';
}
