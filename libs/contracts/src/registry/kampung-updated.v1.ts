import { IsArray, IsString } from 'class-validator';
import { defineEvent } from '../event-contract';
import { KampungStateV1 } from './kampung-state';

export class KampungUpdatedV1 extends KampungStateV1 {
  /** Names of the fields this change touched. */
  @IsArray()
  @IsString({ each: true })
  changed!: string[];
}

export const kampungUpdatedV1 = defineEvent({
  producer: 'registry',
  aggregate: 'kampung',
  verb: 'updated',
  major: 1,
  payload: KampungUpdatedV1,
  summary: "A Kampung KB's register entry changed (name, launch date, Pokja, field officer, model flags...).",
});
