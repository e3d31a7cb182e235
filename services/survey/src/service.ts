import type { ServiceDefinition } from '@kkb/bootstrap';
import {
  CreateKampungProjection1764300100000,
  KampungProjection,
  KampungProjectionHandler,
  KampungProjectionModule,
} from '@kkb/kampung-projection';
import { CreateMessagingTables1764300000000, InboxMessage, OutboxMessage } from '@kkb/messaging';
import { SurveyConfig } from './config/survey.config';

/** The survey service: Instruments, kampung profiles and monthly programme reports. */
export const surveyService: ServiceDefinition<SurveyConfig> = {
  name: 'survey',
  title: 'Kampung KB survey',
  description: 'Instruments, kampung profiles and monthly programme reports',
  defaultPort: 3002,
  configClass: SurveyConfig,
  entities: [KampungProjection, OutboxMessage, InboxMessage],
  migrations: [CreateMessagingTables1764300000000, CreateKampungProjection1764300100000],
  consumers: [
    {
      durable: 'survey-registry-kampung',
      from: 'registry',
      filter: 'kampung.>',
      handlers: [KampungProjectionHandler],
    },
  ],
  modules: () => [KampungProjectionModule],
};
