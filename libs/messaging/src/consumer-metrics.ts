import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@kkb/platform';
import { NatsConnectionService } from './nats-connection';

/** How one delivery ended. */
export type Outcome = 'handled' | 'duplicate' | 'ignored' | 'retry' | 'dead-lettered';

/**
 * The consumers' metrics: events taken by outcome, time per event, and each durable's lag as
 * JetStream reports it (read at scrape time).
 */
@Injectable()
export class ConsumerMetrics {
  private readonly durables = new Map<string, string>();
  private readonly handled;
  private readonly duration;
  private readonly lag;

  constructor(metrics: MetricsRegistry, nats: NatsConnectionService) {
    this.handled = metrics.counter({
      name: 'kkb_events_consumed_total',
      help: 'Events taken from JetStream, by consumer, type and outcome',
      labelNames: ['consumer', 'type', 'outcome'],
    });
    this.duration = metrics.histogram({
      name: 'kkb_event_handle_seconds',
      help: 'Time to handle one event, transaction included',
      labelNames: ['consumer'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    });
    this.lag = metrics.gauge({
      name: 'kkb_consumer_lag',
      help: 'Messages of a durable consumer not yet delivered (pending) or not yet acked (ack_pending)',
      labelNames: ['consumer', 'state'],
      collect: async () => {
        for (const [durable, stream] of this.durables) {
          const info = await nats.jsm.consumers.info(stream, durable).catch(() => null);
          if (!info) continue;
          this.lag.set({ consumer: durable, state: 'pending' }, info.num_pending);
          this.lag.set({ consumer: durable, state: 'ack_pending' }, info.num_ack_pending);
        }
      },
    });
  }

  /** Reports the lag of this durable from now on. */
  watchLag(stream: string, durable: string): void {
    this.durables.set(durable, stream);
  }

  /** Counts one delivery's outcome and, when given, how long it took. */
  record(consumer: string, type: string, outcome: Outcome, startedNs?: bigint): void {
    this.handled.inc({ consumer, type, outcome });
    if (startedNs !== undefined) {
      this.duration.observe({ consumer }, Number(process.hrtime.bigint() - startedNs) / 1e9);
    }
  }
}
