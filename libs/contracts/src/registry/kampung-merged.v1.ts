import { IsUUID } from 'class-validator';
import { defineEvent } from '../event-contract';
import { KampungStateV1 } from './kampung-state';

/** The state is the merged (now inactive) duplicate; `survivorId` is the kampung it points to. */
export class KampungMergedV1 extends KampungStateV1 {
  @IsUUID()
  survivorId!: string;
}

export const kampungMergedV1 = defineEvent({
  producer: 'registry',
  aggregate: 'kampung',
  verb: 'merged',
  major: 1,
  payload: KampungMergedV1,
  summary: 'A duplicate Kampung KB was merged into another; it now points to the survivor.',
});
