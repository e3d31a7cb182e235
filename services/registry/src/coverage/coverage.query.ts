import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { QueryBoolean } from '@kkb/platform';

/** `?region=`: the trend takes only this; coverage adds `breakdown`. */
export class CoverageTrendQuery {
  @ApiPropertyOptional({
    description: 'Region code (dotted or compact); omitted = the nation (or your scope)',
    example: '16',
  })
  @IsOptional()
  @IsString()
  @MaxLength(13)
  region?: string;
}

export class CoverageQuery extends CoverageTrendQuery {
  @ApiPropertyOptional({ description: 'Also give the coverage of each child region', default: false })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  breakdown?: boolean;
}
