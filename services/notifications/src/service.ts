import type { ServiceDefinition } from '@kkb/bootstrap';
import { CreateMessagingTables1764300000000, InboxMessage, OutboxMessage } from '@kkb/messaging';
import { NotificationsConfig } from './config/notifications.config';
import { CreateReceivedEvent1764300300000 } from './migrations/1764300300000-create-received-event';
import { ReceivedEvent } from './received-event/received-event.entity';
import { ReceivedEventHandler } from './received-event/received-event.handler';
import { ReceivedEventModule } from './received-event/received-event.module';

/** Notifications: signed webhooks for integrators, the officers' inbox, e-mail digests. */
export const notificationsService: ServiceDefinition<NotificationsConfig> = {
  name: 'notifications',
  title: 'Kampung KB notifications',
  description: 'Webhooks for integrators, an inbox for officers, e-mail digests',
  defaultPort: 3004,
  configClass: NotificationsConfig,
  entities: [ReceivedEvent, OutboxMessage, InboxMessage],
  migrations: [CreateMessagingTables1764300000000, CreateReceivedEvent1764300300000],
  consumers: [
    { durable: 'notifications-registry', from: 'registry', filter: '>', handlers: [ReceivedEventHandler] },
  ],
  modules: () => [ReceivedEventModule],
};
