import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { QueryBoolean } from '@kkb/platform';

export class CoverageQuery {
  @ApiPropertyOptional({
    description: 'Region code (dotted or compact); omitted = the nation (or your scope)',
    example: '16',
  })
  @IsOptional()
  @IsString()
  @MaxLength(13)
  region?: string;

  @ApiPropertyOptional({ description: 'Also give the coverage of each child region', default: false })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  breakdown?: boolean;
}

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
