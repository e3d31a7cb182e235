import type { ServiceDefinition } from '@kkb/bootstrap';
import {
  CreateKampungProjection1764300100000,
  KampungProjectionModelAndCoordinates1764302000000,
  KampungProjectionModule,
} from '@kkb/kampung-projection';
import { MESSAGING_MIGRATIONS } from '@kkb/messaging';
import { SurveyCommonModule } from './common/survey-common.module';
import { SurveyConfig } from './config/survey.config';
import { ImportModule } from './import/import.module';
import { InstrumentModule } from './instrument/instrument.module';
import { CreateInstrument1764300500000 } from './migrations/1764300500000-create-instrument';
import { SeedInstruments1764300500100 } from './migrations/1764300500100-seed-instruments';
import { CreateSubmission1764300500200 } from './migrations/1764300500200-create-submission';
import { CreateReportOverdue1764300500300 } from './migrations/1764300500300-create-report-overdue';
import { CreateImportJob1764300500400 } from './migrations/1764300500400-create-import-job';
import { IndexSubmissionKampung1764300500500 } from './migrations/1764300500500-index-submission-kampung';
import { SeedInstrumentsV21764300500600 } from './migrations/1764300500600-seed-instruments-v2';
import { OverdueModule } from './overdue/overdue.module';
import { SubmissionModule } from './submission/submission.module';

/** The survey service: Instruments, kampung profiles and monthly programme reports. */
export const surveyService: ServiceDefinition<SurveyConfig> = {
  name: 'survey',
  title: 'Kampung KB survey',
  description: 'Instruments, kampung profiles and monthly programme reports',
  defaultPort: 3002,
  configClass: SurveyConfig,
  migrations: [
    ...MESSAGING_MIGRATIONS,
    CreateKampungProjection1764300100000,
    CreateInstrument1764300500000,
    SeedInstruments1764300500100,
    CreateSubmission1764300500200,
    CreateReportOverdue1764300500300,
    CreateImportJob1764300500400,
    IndexSubmissionKampung1764300500500,
    SeedInstrumentsV21764300500600,
    KampungProjectionModelAndCoordinates1764302000000,
  ],
  consumers: [
    {
      durable: 'survey-registry-kampung',
      from: 'registry',
      filter: 'kampung.>',
    },
  ],
  modules: () => [
    SurveyCommonModule,
    KampungProjectionModule,
    InstrumentModule,
    SubmissionModule,
    OverdueModule,
    ImportModule,
  ],
};
