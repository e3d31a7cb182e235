import { IsCalendarDate, IsTimestamp } from '../dates';
import 'reflect-metadata'; // class-transformer's @Type reads design:type when the class is declared
import { Type } from 'class-transformer';
import { IsObject, IsUUID, Matches, ValidateNested } from 'class-validator';
import { defineEvent } from '../event-contract';
import { VILLAGE_CODE } from '../registry/kampung-state';
import { PeriodV1 } from './submission-ref';

/**
 * No submitted or verified monthly report of an active kampung for `period` by its due date
 * (the 3rd of the next month, Asia/Jakarta). Published once per kampung and month.
 */
export class ReportOverdueV1 {
  @IsUUID()
  kampungId!: string;

  @Matches(VILLAGE_CODE, {
    message: 'villageCode must be a dotted 10-digit village code such as 16.10.05.2041',
  })
  villageCode!: string;

  @IsObject()
  @ValidateNested()
  @Type(() => PeriodV1)
  period!: PeriodV1;

  /** The last day the report was due, e.g. `2025-04-03` for March 2025. */
  @IsCalendarDate()
  dueDate!: string;

  @IsTimestamp()
  detectedAt!: string;
}

export const reportOverdueV1 = defineEvent({
  producer: 'survey',
  aggregate: 'report',
  verb: 'overdue',
  major: 1,
  payload: ReportOverdueV1,
  summary: "A kampung's monthly programme report was not in by the 3rd of the next month.",
});
