import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQuery, QueryBoolean } from '@kkb/platform';
import { LEVELS, type RegionLevel } from './region-code';

export class SearchRegionsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Name to look for; case and accents are ignored', example: 'sembadak' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: ['prefix', 'contains'], default: 'contains' })
  @IsOptional()
  @IsIn(['prefix', 'contains'])
  match: 'prefix' | 'contains' = 'contains';

  @ApiPropertyOptional({ enum: LEVELS })
  @IsOptional()
  @IsIn(LEVELS)
  level?: RegionLevel;

  @ApiPropertyOptional({ description: 'Only regions under this code (dotted or compact)', example: '16.10' })
  @IsOptional()
  @IsString()
  @MaxLength(13)
  within?: string;

  @ApiPropertyOptional({ description: 'Only active (default) or also vanished codes', default: true })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  active?: boolean;
}

export class ChildrenQuery extends PageQuery {
  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  active?: boolean;
}

export class ImportRegionsQuery {
  @ApiPropertyOptional({
    description: 'Import even when the active regions already come from the installed source version',
    default: false,
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  force = false;
}
