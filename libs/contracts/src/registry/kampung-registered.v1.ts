import { defineEvent } from '../event-contract';
import { KampungStateV1 } from './kampung-state';

export class KampungRegisteredV1 extends KampungStateV1 {}

export const kampungRegisteredV1 = defineEvent({
  producer: 'registry',
  aggregate: 'kampung',
  verb: 'registered',
  major: 1,
  payload: KampungRegisteredV1,
  summary: 'A Kampung KB was registered in a village.',
});
