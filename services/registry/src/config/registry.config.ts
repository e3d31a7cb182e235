import { BaseServiceConfig, BoolEnv } from '@kkb/platform';
import { IsBoolean } from 'class-validator';

export class RegistryConfig extends BaseServiceConfig {
  /** Import the region tree from idn-area-data at start when the table is empty (first boot). */
  @BoolEnv()
  @IsBoolean()
  REGIONS_AUTO_IMPORT: boolean = true;
}
