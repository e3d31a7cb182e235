import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SERVICE_CONFIG } from '@kkb/platform';
import type { RegistryConfig } from '../config/registry.config';
import { RegionImportService } from './region-import.service';
import { IdnAreaDataSource } from './region-source';

/** On a first boot the register needs its villages: import them before serving. */
@Injectable()
export class RegionBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(RegionBootstrap.name);

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: RegistryConfig,
    private readonly importer: RegionImportService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.REGIONS_AUTO_IMPORT) return;
    const result = await this.importer.importIfEmpty(new IdnAreaDataSource());
    if (result)
      this.logger.log({ active: result.active, ms: result.ms }, 'region tree imported on first start');
  }
}
