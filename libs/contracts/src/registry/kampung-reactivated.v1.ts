import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { defineEvent } from '../event-contract';
import { KampungStateV1 } from './kampung-state';

export class KampungReactivatedV1 extends KampungStateV1 {
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export const kampungReactivatedV1 = defineEvent({
  producer: 'registry',
  aggregate: 'kampung',
  verb: 'reactivated',
  major: 1,
  payload: KampungReactivatedV1,
  summary: 'A deactivated Kampung KB was made active again, with the reason.',
});
