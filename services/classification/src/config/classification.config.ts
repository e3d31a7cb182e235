import { BaseServiceConfig } from '@kkb/platform';

export class ClassificationConfig extends BaseServiceConfig {}
