import { BaseServiceConfig } from '@kkb/platform';

export class RegistryConfig extends BaseServiceConfig {}
