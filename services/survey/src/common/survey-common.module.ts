import { Global, Module } from '@nestjs/common';
import { CLOCK, systemClock } from './clock';

/** What every survey module shares: the injectable clock. */
@Global()
@Module({
  providers: [{ provide: CLOCK, useFactory: systemClock }],
  exports: [CLOCK],
})
export class SurveyCommonModule {}
