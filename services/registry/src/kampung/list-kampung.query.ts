import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQuery, QueryBoolean } from '@kkb/platform';

export class ListKampungQuery extends PageQuery {
  @ApiPropertyOptional({
    description: 'Only kampung under this region code (dotted or compact)',
    example: '16.10',
  })
  @IsOptional()
  @IsString()
  @MaxLength(13)
  region?: string;

  @ApiPropertyOptional({ description: 'Active (true), inactive (false) or both (omitted)' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  active?: boolean;
}
