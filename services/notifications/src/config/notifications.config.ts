import { BaseServiceConfig } from '@kkb/platform';

export class NotificationsConfig extends BaseServiceConfig {}
