import type { Provider } from '@nestjs/common';
import { SERVICE_CONFIG } from '@kkb/platform';
import type { NotificationsConfig } from '../config/notifications.config';
import { SecretBox, secretKeyFrom } from './secret-box';
import { UrlGuard } from './url-guard';
import { WebhookSender } from './webhook-sender';

/** The webhook tools, built once from the configuration. */
export const webhookProviders: Provider[] = [
  {
    provide: UrlGuard,
    useFactory: (c: NotificationsConfig) =>
      new UrlGuard({ allowPrivateNetworks: c.WEBHOOK_ALLOW_PRIVATE_NETWORKS }),
    inject: [SERVICE_CONFIG],
  },
  {
    provide: SecretBox,
    useFactory: (c: NotificationsConfig) => new SecretBox(secretKeyFrom(c.WEBHOOK_SECRET_KEY)),
    inject: [SERVICE_CONFIG],
  },
  {
    provide: WebhookSender,
    useFactory: (guard: UrlGuard, c: NotificationsConfig) =>
      new WebhookSender(guard, c.WEBHOOK_CONCURRENCY * 2),
    inject: [UrlGuard, SERVICE_CONFIG],
  },
];
