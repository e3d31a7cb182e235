import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQuery } from '@kkb/platform';

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
  @Transform(({ obj }: { obj: Record<string, unknown> }) =>
    obj.active === 'false' ? false : obj.active === 'true' ? true : obj.active,
  )
  @IsBoolean()
  active?: boolean;
}
