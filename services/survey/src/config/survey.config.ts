import { IsInt, Max, Min } from 'class-validator';
import { BaseServiceConfig } from '@kkb/platform';

export class SurveyConfig extends BaseServiceConfig {
  /** How often a replica looks for overdue monthly reports; 0 turns the job off. */
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  SURVEY_OVERDUE_CHECK_MS: number = 60_000;

  /** How many closed months back the overdue job looks (it never looks before a kampung's launch). */
  @IsInt()
  @Min(1)
  @Max(36)
  SURVEY_OVERDUE_LOOKBACK_MONTHS: number = 3;

  /** Day of the next month by which a monthly report is due (Asia/Jakarta). */
  @IsInt()
  @Min(1)
  @Max(28)
  SURVEY_REPORT_DUE_DAY: number = 3;

  /** CSV rows validated and written per transaction during an import. */
  @IsInt()
  @Min(1)
  @Max(5000)
  SURVEY_IMPORT_BATCH_SIZE: number = 500;

  /** Largest CSV upload, in bytes (the body is streamed, never held whole). */
  @IsInt()
  @Min(1024)
  @Max(10 * 1024 * 1024 * 1024)
  SURVEY_IMPORT_MAX_BYTES: number = 512 * 1024 * 1024;

  /** Imports of at most this many rows list every row's result in the response itself. */
  @IsInt()
  @Min(0)
  @Max(100_000)
  SURVEY_IMPORT_INLINE_RESULTS: number = 1000;
}
