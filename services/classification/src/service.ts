import type { ServiceDefinition } from '@kkb/bootstrap';
import {
  CreateKampungProjection1764300100000,
  KampungProjectionModelAndCoordinates1764302000000,
  KampungProjectionModule,
} from '@kkb/kampung-projection';
import { MESSAGING_MIGRATIONS } from '@kkb/messaging';
import { ClassificationModule } from './classification.module';
import { ClassificationConfig } from './config/classification.config';
import { CreateClassification1764301100000 } from './migrations/1764301100000-create-classification';
import { SeedRuleSetV11764301100100 } from './migrations/1764301100100-seed-rule-set-v1';
import { LevelCounts1764303000000 } from './migrations/1764303000000-level-counts';

/** The classification service: Explainable Kampung KB levels from versioned rule sets. */
export const classificationService: ServiceDefinition<ClassificationConfig> = {
  name: 'classification',
  title: 'Kampung KB classification',
  description: 'Explainable Kampung KB levels from versioned rule sets',
  defaultPort: 3003,
  configClass: ClassificationConfig,
  migrations: [
    ...MESSAGING_MIGRATIONS,
    CreateKampungProjection1764300100000,
    CreateClassification1764301100000,
    SeedRuleSetV11764301100100,
    KampungProjectionModelAndCoordinates1764302000000,
    LevelCounts1764303000000,
  ],
  consumers: [
    {
      durable: 'classification-registry-kampung',
      from: 'registry',
      filter: 'kampung.>',
    },
    {
      durable: 'classification-survey-submission',
      from: 'survey',
      filter: 'submission.verified.>',
      // Evaluations of one kampung never interleave (the handler locks its projection row) and
      // the latest period wins whatever the arrival order, so kampung can be evaluated in
      // parallel: one at a time capped the whole pipeline at ~50 submissions/s (bench: pipeline).
      concurrency: 4,
    },
  ],
  modules: () => [KampungProjectionModule, ClassificationModule],
};
