import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { INSTRUMENT_CODE } from '@kkb/contracts';
import { INT32_MAX } from '@kkb/platform';
import type { RowOutcome } from './import.model';

export class StartImportQuery {
  @ApiProperty({ example: 'monthly-report' })
  @Matches(INSTRUMENT_CODE, { message: 'instrumentCode must be lower-case words joined by hyphens' })
  instrumentCode!: string;

  @ApiProperty({ example: 1 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  instrumentVersion!: number;
}

export class ImportRowsQuery {
  @ApiPropertyOptional({ enum: ['created', 'unchanged', 'failed'] })
  @IsOptional()
  @IsIn(['created', 'unchanged', 'failed'])
  outcome?: RowOutcome;

  @ApiPropertyOptional({ default: 1000, maximum: 10000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  limit: number = 1000;

  @ApiPropertyOptional({ default: 0, description: 'Rows after this row number' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(INT32_MAX)
  after: number = 0;
}
