import { MESSAGING_MIGRATIONS } from '@kkb/messaging';
import type { ServiceDefinition } from '@kkb/bootstrap';
import { RegistryConfig } from './config/registry.config';
import { CoverageModule } from './coverage/coverage.module';
import { KampungModule } from './kampung/kampung.module';
import { CreateKampung1764300200000 } from './migrations/1764300200000-create-kampung';
import { CreateRegion1764300400000 } from './migrations/1764300400000-create-region';
import { ExtendKampung1764300500000 } from './migrations/1764300500000-extend-kampung';
import { CreateCoverageCount1764300600000 } from './migrations/1764300600000-create-coverage-count';
import { CoverageCountLockOrder1764300700000 } from './migrations/1764300700000-coverage-count-lock-order';
import { RegionModule } from './region/region.module';
import { registryCommands } from './registry.commands';
import { SeedModule } from './seed/seed.module';

/** The registry: the region tree and the Kampung KB register. */
export const registryService: ServiceDefinition<RegistryConfig> = {
  name: 'registry',
  title: 'Kampung KB registry',
  description:
    'The national region tree (Kemendagri codes) and the Kampung KB register: Pokja, field officer, model flags, audit, coverage',
  defaultPort: 3001,
  configClass: RegistryConfig,
  migrations: [
    ...MESSAGING_MIGRATIONS,
    CreateKampung1764300200000,
    CreateRegion1764300400000,
    ExtendKampung1764300500000,
    CreateCoverageCount1764300600000,
    CoverageCountLockOrder1764300700000,
  ],
  consumers: [],
  modules: () => [RegionModule, KampungModule, CoverageModule, SeedModule],
  commands: registryCommands,
};
