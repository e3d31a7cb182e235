import { CreateMessagingTables1764300000000, InboxMessage, OutboxMessage } from '@kkb/messaging';
import type { ServiceDefinition } from '@kkb/bootstrap';
import { RegistryConfig } from './config/registry.config';
import { Kampung } from './kampung/kampung.entity';
import { KampungModule } from './kampung/kampung.module';
import { CreateKampung1764300200000 } from './migrations/1764300200000-create-kampung';

/** The registry: the region tree and the Kampung KB register. */
export const registryService: ServiceDefinition<RegistryConfig> = {
  name: 'registry',
  title: 'Kampung KB registry',
  description: 'The national region tree and the Kampung KB register',
  defaultPort: 3001,
  configClass: RegistryConfig,
  entities: [Kampung, OutboxMessage, InboxMessage],
  migrations: [CreateMessagingTables1764300000000, CreateKampung1764300200000],
  consumers: [],
  modules: () => [KampungModule],
};
