import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { QueryBoolean } from '@kkb/platform';

export class LevelsQuery {
  @ApiPropertyOptional({
    description: 'Region code (dotted or compact); omitted = the nation (or your scope)',
    example: '16',
  })
  @IsOptional()
  @IsString()
  @MaxLength(13)
  region?: string;

  @ApiPropertyOptional({ description: 'Also give the counts of each child region', default: false })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  breakdown?: boolean;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export class LevelsHistoryQuery {
  @ApiPropertyOptional({
    description: 'Region code (dotted or compact); omitted = the nation (or your scope)',
    example: '16',
  })
  @IsOptional()
  @IsString()
  @MaxLength(13)
  region?: string;

  @ApiPropertyOptional({
    description: 'First month, YYYY-MM (default: 11 months before `to`)',
    example: '2025-01',
  })
  @IsOptional()
  @Matches(MONTH, { message: 'from must be a month such as 2025-01' })
  from?: string;

  @ApiPropertyOptional({ description: 'Last month, YYYY-MM (default: this month)', example: '2025-12' })
  @IsOptional()
  @Matches(MONTH, { message: 'to must be a month such as 2025-12' })
  to?: string;
}
