import { BaseServiceConfig } from '@kkb/platform';

export class SurveyConfig extends BaseServiceConfig {}
