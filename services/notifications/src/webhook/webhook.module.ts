import { Module } from '@nestjs/common';
import { SecretBox } from './secret-box';
import { UrlGuard } from './url-guard';
import { webhookProviders } from './webhook.providers';
import { WebhookSender } from './webhook-sender';

/** The webhook tools: the URL guard, the sealed signing secrets and the sender. */
@Module({ providers: webhookProviders, exports: [UrlGuard, SecretBox, WebhookSender] })
export class WebhookModule {}
