import type { ServiceDefinition } from '@kkb/bootstrap';
import {
  CreateDeadLetterAudit1764900000000,
  DeadLetterAdminModule,
  MESSAGING_MIGRATIONS,
} from '@kkb/messaging';
import { NotificationsConfig } from './config/notifications.config';
import { DigestModule } from './digest/digest.module';
import { FanOutModule } from './fan-out/fan-out.module';
import { FeedModule } from './feed/feed.module';
import { InboxModule } from './inbox/inbox.module';
import { CreateReceivedEvent1764300300000 } from './migrations/1764300300000-create-received-event';
import { CreateSubscription1764302100000 } from './migrations/1764302100000-create-subscription';
import { CreateDelivery1764302200000 } from './migrations/1764302200000-create-delivery';
import { CreateInboxItem1764302300000 } from './migrations/1764302300000-create-inbox-item';
import { InboxOrderAndSubscriptionGeneration1764302400000 } from './migrations/1764302400000-inbox-order-and-subscription-generation';
import { ReceivedEventFeedOrder1764302500000 } from './migrations/1764302500000-received-event-feed-order';
import { SubscriptionModule } from './subscription/subscription.module';

/** Notifications: signed webhooks for integrators, the officers' inbox, e-mail digests. */
export const notificationsService: ServiceDefinition<NotificationsConfig> = {
  name: 'notifications',
  title: 'Kampung KB notifications',
  description: 'Webhooks for integrators, an inbox for officers, e-mail digests',
  defaultPort: 3004,
  configClass: NotificationsConfig,
  migrations: [
    ...MESSAGING_MIGRATIONS,
    CreateReceivedEvent1764300300000,
    CreateSubscription1764302100000,
    CreateDelivery1764302200000,
    CreateInboxItem1764302300000,
    InboxOrderAndSubscriptionGeneration1764302400000,
    ReceivedEventFeedOrder1764302500000,
    CreateDeadLetterAudit1764900000000,
  ],
  // One durable per producer; events of any one kampung are independent here, so several are
  // handled at once (the inbox and the unique keys keep a redelivery from doing anything twice).
  consumers: [
    {
      durable: 'notifications-registry',
      from: 'registry',
      filter: '>',
      concurrency: 4,
    },
    {
      durable: 'notifications-survey',
      from: 'survey',
      filter: '>',
      concurrency: 4,
    },
    {
      durable: 'notifications-classification',
      from: 'classification',
      filter: '>',
      concurrency: 4,
    },
  ],
  modules: () => [
    FeedModule,
    SubscriptionModule,
    InboxModule,
    DigestModule,
    FanOutModule,
    // The dead-letter admin API of the whole platform (deploy/README.md, "Dead letters").
    DeadLetterAdminModule,
  ],
};
