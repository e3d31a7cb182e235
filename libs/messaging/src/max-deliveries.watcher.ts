import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Subscription } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import { findUnstorableInput } from '@kkb/platform';
import { ConsumerMetrics } from './consumer-metrics';
import { DeadLetterPublisher, deadMessage } from './dead-letters';
import { InboxRepository } from './inbox.repository';
import { NatsConnectionService } from './nats-connection';

/** The part of JetStream's `io.nats.jetstream.advisory.v1.max_deliver` advisory used here. */
interface MaxDeliveriesAdvisory {
  stream: string;
  consumer: string;
  stream_seq: number;
  deliveries: number;
}

/**
 * A message whose every delivery ended without an outcome (the process died in the handler, or
 * the handler outlived the ack wait each time) reaches `max_deliver` without passing through the
 * consumer's own dead-letter path: JetStream stops delivering it and says so only in a
 * MAX_DELIVERIES advisory. Each replica listens for its durables' advisories and dead-letters the
 * message from the stream, unless the inbox shows it was handled (the process died between commit
 * and ack).
 */
@Injectable()
export class MaxDeliveriesWatcher {
  private readonly logger = new Logger(MaxDeliveriesWatcher.name);
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly inbox = new InboxRepository();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly nats: NatsConnectionService,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly metrics: ConsumerMetrics,
  ) {}

  watch(stream: string, durable: string): void {
    if (this.subscriptions.has(durable)) return;
    const sub = this.nats.nc.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${durable}`, {
      callback: (err, m) => {
        if (err) return;
        let advisory: MaxDeliveriesAdvisory;
        try {
          advisory = m.json<MaxDeliveriesAdvisory>();
        } catch {
          return;
        }
        void this.onMaxDeliveries(stream, durable, advisory).catch((e: unknown) =>
          this.logger.warn(
            { err: (e as Error).message, consumer: durable, seq: advisory.stream_seq },
            'could not dead-letter a message that reached max_deliver',
          ),
        );
      },
    });
    this.subscriptions.set(durable, sub);
  }

  stop(): void {
    for (const sub of this.subscriptions.values()) sub.unsubscribe();
    this.subscriptions.clear();
  }

  private async onMaxDeliveries(
    stream: string,
    durable: string,
    advisory: MaxDeliveriesAdvisory,
  ): Promise<void> {
    const stored = await this.nats.jsm.streams.getMessage(stream, { seq: advisory.stream_seq });
    if (!stored) return; // gone from the stream (retention): nothing left to keep
    const body = stored.string();
    const event = ((): { id?: unknown; type?: unknown } | null => {
      try {
        return JSON.parse(body) as { id?: unknown; type?: unknown } | null;
      } catch {
        return null;
      }
    })();
    if (typeof event?.id === 'string' && findUnstorableInput(event.id, 'id').length === 0) {
      if (await this.inbox.has(this.ds.manager, durable, event.id)) return; // handled; only its ack was lost
    }
    this.metrics.record(durable, typeof event?.type === 'string' ? event.type : 'unknown', 'dead-lettered');
    await this.deadLetters.publish(
      durable,
      deadMessage(body, {
        stream,
        streamSequence: advisory.stream_seq,
        subject: stored.subject,
        deliveryCount: advisory.deliveries,
      }),
      `no outcome after ${advisory.deliveries} deliveries: the handler never finished (the process died or the ack wait ran out each time)`,
    );
  }
}
