import { Global, Inject, Injectable, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { ReadinessRegistry } from '@kkb/platform';
import { ConsumerMetrics } from './consumer-metrics';
import { DeadLetterPublisher } from './dead-letters';
import { DeadLetterReplayer } from './dead-letter-admin/dead-letter.replayer';
import { DeadLetterStore } from './dead-letter-admin/dead-letter.store';
import { EventDelivery } from './event-delivery';
import { JetStreamTransport } from './jetstream.transport';
import { MaxDeliveriesWatcher } from './max-deliveries.watcher';
import { ensureStream } from './jetstream-provisioner';
import { MESSAGING_OPTIONS, streamName, type MessagingOptions } from './messaging.options';
import { NatsConnectionService } from './nats-connection';
import { OutboxRelayService } from './outbox-relay.service';
import { OutboxService } from './outbox.service';

/** Connects to NATS and ensures the service's own stream before anything else starts. */
@Injectable()
class MessagingBootstrap implements OnModuleInit {
  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly nats: NatsConnectionService,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.nats.connect();
    const { streamPrefix, subjectRoot, service, streamReplicas, retentionDays } = this.options;
    await ensureStream(this.nats.jsm, {
      name: streamName(streamPrefix, service),
      subjects: [`${subjectRoot}.${service}.>`],
      replicas: streamReplicas,
      maxAgeDays: retentionDays,
      description: `Events published by the ${service} service`,
    });
    this.readiness.add('nats', () => this.nats.check());
  }
}

/**
 * JetStream for a service: its stream, the outbox and its relay, and the transport that runs the
 * durable consumers (inbox, retries, dead letters) for its `@EventPattern` handlers. Import once in
 * the service's root module; `startEventTransport(app)` starts the consumers.
 */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        NatsConnectionService,
        { provide: MessagingBootstrap, useClass: MessagingBootstrap },
        OutboxService,
        OutboxRelayService,
        ConsumerMetrics,
        DeadLetterPublisher,
        MaxDeliveriesWatcher,
        EventDelivery,
        JetStreamTransport,
        DeadLetterStore,
        DeadLetterReplayer,
      ],
      exports: [
        MESSAGING_OPTIONS,
        NatsConnectionService,
        OutboxService,
        OutboxRelayService,
        JetStreamTransport,
        DeadLetterStore,
      ],
    };
  }
}
