import type { ServiceDefinition } from '@kkb/bootstrap';
import {
  CreateKampungProjection1764300100000,
  KampungProjection,
  KampungProjectionHandler,
  KampungProjectionModule,
} from '@kkb/kampung-projection';
import { CreateMessagingTables1764300000000, InboxMessage, OutboxMessage } from '@kkb/messaging';
import { ClassificationConfig } from './config/classification.config';

/** The classification service: Explainable Kampung KB levels from versioned rule sets. */
export const classificationService: ServiceDefinition<ClassificationConfig> = {
  name: 'classification',
  title: 'Kampung KB classification',
  description: 'Explainable Kampung KB levels from versioned rule sets',
  defaultPort: 3003,
  configClass: ClassificationConfig,
  entities: [KampungProjection, OutboxMessage, InboxMessage],
  migrations: [CreateMessagingTables1764300000000, CreateKampungProjection1764300100000],
  consumers: [
    {
      durable: 'classification-registry-kampung',
      from: 'registry',
      filter: 'kampung.>',
      handlers: [KampungProjectionHandler],
    },
  ],
  modules: () => [KampungProjectionModule],
};
