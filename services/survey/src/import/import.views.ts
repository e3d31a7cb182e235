import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { FieldError } from '@kkb/platform';
import type { ImportStatus, RowOutcome, RowResult } from './import.model';
import type { ImportView } from './import.service';

export class FieldErrorView implements FieldError {
  @ApiProperty({ example: 'answers.pus' }) field!: string;
  @ApiProperty() reason!: string;
}

/** What became of one CSV row. */
export class RowResultView implements RowResult {
  @ApiProperty({ description: '1 is the first row after the header' }) row!: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) submissionId!: string | null;
  @ApiProperty({ enum: ['created', 'unchanged', 'failed'] }) outcome!: RowOutcome;
  @ApiPropertyOptional({ type: [FieldErrorView] }) errors?: FieldErrorView[];
}

export class ImportJobView implements ImportView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['running', 'completed', 'failed'] }) status!: ImportStatus;
  @ApiProperty({ example: 'monthly-report' }) instrumentCode!: string;
  @ApiProperty() instrumentVersion!: number;
  @ApiProperty({ description: 'Rows read so far' }) rows!: number;
  @ApiProperty() created!: number;
  @ApiProperty() unchanged!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Why the whole import failed' }) error!:
    string | null;
  @ApiProperty() startedBy!: string;
  @ApiProperty() startedAt!: string;
  @ApiProperty({ type: String, nullable: true }) finishedAt!: string | null;
  @ApiPropertyOptional({
    type: [RowResultView],
    description: 'Every row’s result, for imports of at most SURVEY_IMPORT_INLINE_RESULTS rows',
  })
  results?: RowResultView[];
  @ApiProperty({ example: '/api/v1/imports/6f1c…/rows' }) resultsUrl!: string;
}
