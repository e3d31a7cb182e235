import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { defineEvent } from '../event-contract';
import { KampungStateV1 } from './kampung-state';

export class KampungDeactivatedV1 extends KampungStateV1 {
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export const kampungDeactivatedV1 = defineEvent({
  producer: 'registry',
  aggregate: 'kampung',
  verb: 'deactivated',
  major: 1,
  payload: KampungDeactivatedV1,
  summary: 'A Kampung KB was deactivated, with the reason.',
});
