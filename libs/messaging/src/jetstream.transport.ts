import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type INestApplication,
} from '@nestjs/common';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { ConsumerMetrics } from './consumer-metrics';
import { bindConsumers, consumerFilter } from './consumer-routes';
import { EventDelivery, type ConsumerBinding } from './event-delivery';
import { EventErrorPassThrough } from './event-context';
import { ensureDurable, ensureStream } from './jetstream-provisioner';
import { MaxDeliveriesWatcher } from './max-deliveries.watcher';
import { dlqStreamName, MESSAGING_OPTIONS, streamName, type MessagingOptions } from './messaging.options';
import { NatsConnectionService } from './nats-connection';

export const JETSTREAM_TRANSPORT = Symbol('JETSTREAM');

const TURN = Symbol('turn');
/** Settles once the event loop turns. */
const turn = () => new Promise<typeof TURN>((resolve) => setImmediate(() => resolve(TURN)));

interface RunningConsumer {
  binding: ConsumerBinding;
  messages?: ConsumerMessages;
  loop?: Promise<void>;
}

/**
 * JetStream as a Nest microservice transport: event handlers are controller methods with
 * `@EventPattern(<contract>.type)`, `@Payload()` and `@Ctx() EventContext`, and Nest's pipes,
 * interceptors, guards and exception filters wrap them as they wrap HTTP handlers. On `listen` the
 * transport ensures the dead-letter stream, the streams read from and each durable, binds every
 * handler to the durable that reads its event (bindConsumers), watches max_deliver advisories and
 * runs one pull loop per durable. Each message goes through EventDelivery, which owns the ack
 * contract (inbox and effects in one transaction, ack after commit, backoff, dead letters).
 * Publishing is not done here: events leave through the outbox.
 */
@Injectable()
export class JetStreamTransport extends Server implements CustomTransportStrategy, BeforeApplicationShutdown {
  override readonly transportId = JETSTREAM_TRANSPORT;
  /** Handler errors reach EventDelivery, which decides between a retry and a dead letter. */
  override readonly propagatesEventHandlerErrors = true;
  private readonly log = new Logger(JetStreamTransport.name);
  private consumers: RunningConsumer[] = [];
  private stopping = false;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly nats: NatsConnectionService,
    private readonly delivery: EventDelivery,
    private readonly advisories: MaxDeliveriesWatcher,
    private readonly metrics: ConsumerMetrics,
  ) {
    super();
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      const bindings = bindConsumers(this.options.consumers, this.getHandlers(), this.options.streamPrefix);
      await this.provision(bindings);
      this.consumers = bindings.map((binding) => ({ binding }));
      for (const { binding } of this.consumers) {
        this.advisories.watch(binding.stream, binding.durable);
        this.metrics.watchLag(binding.stream, binding.durable);
      }
      if (this.options.consumersEnabled) this.startAll();
      callback();
    } catch (err) {
      callback(err);
    }
  }

  async close(): Promise<void> {
    await this.stopAll();
  }

  /** Stops taking messages before the NATS connection and the database pool close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stopAll();
  }

  on(): never {
    throw new Error('the JetStream transport has no status events');
  }

  unwrap<T>(): T {
    return this.nats.nc as T;
  }

  /** Starts a pull loop for each durable not already running (tests stop and start them). */
  startAll(): void {
    this.stopping = false;
    for (const c of this.consumers) if (!c.loop) c.loop = this.run(c);
  }

  /** Stops the loops and waits for the messages in hand to finish. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    this.advisories.stop();
    for (const c of this.consumers) await c.messages?.close().catch(() => undefined);
    await Promise.all(this.consumers.map((c) => c.loop));
    for (const c of this.consumers) c.loop = undefined;
  }

  /** Ensures the dead-letter stream, the streams read from and every durable consumer. */
  private async provision(bindings: ConsumerBinding[]): Promise<void> {
    const { streamPrefix, subjectRoot, streamReplicas, retentionDays, service } = this.options;
    const jsm = this.nats.jsm;
    await ensureStream(jsm, {
      name: dlqStreamName(streamPrefix),
      subjects: [`${subjectRoot}.dlq.>`],
      replicas: streamReplicas,
      maxAgeDays: retentionDays,
      description: 'Dead letters of every service: the original event and the reason',
    });
    for (const [i, spec] of this.options.consumers.entries()) {
      const stream = streamName(streamPrefix, spec.from);
      await ensureStream(jsm, {
        name: stream,
        subjects: [`${subjectRoot}.${spec.from}.>`],
        replicas: streamReplicas,
        maxAgeDays: retentionDays,
        description: `Events published by the ${spec.from} service`,
      });
      await ensureDurable(jsm, {
        stream,
        durable: spec.durable,
        filterSubject: consumerFilter(spec, subjectRoot),
        maxDeliver: this.options.maxDeliver,
        ackWaitMs: this.options.ackWaitMs,
        maxAckPending: 1000,
        description: `${service}: ${bindings[i].routes.size} event types of ${spec.from}`,
      });
    }
  }

  /**
   * One durable's pull loop: takes what the client has buffered, up to `maxBatch` messages, as one
   * batch (a lone message when the stream is quiet, so latency is not traded for batching), and
   * hands it to EventDelivery, keeping at most `concurrency` batches in flight.
   */
  private async run(c: RunningConsumer): Promise<void> {
    const { durable, stream, concurrency, maxBatch } = c.binding;
    while (!this.stopping) {
      try {
        const consumer = await this.nats.js.consumers.get(stream, durable);
        const messages = await consumer.consume({ max_messages: Math.max(64, concurrency * maxBatch * 2) });
        c.messages = messages;
        const it = messages[Symbol.asyncIterator]();
        const inFlight = new Set<Promise<unknown>>();
        // A next() that was not ready when a batch closed: the first message of the next batch.
        let waiting: Promise<IteratorResult<JsMsg>> | undefined;
        for (;;) {
          const first = await (waiting ?? it.next());
          waiting = undefined;
          if (first.done) break;
          const batch: JsMsg[] = [first.value];
          let ended = false;
          // Take what is already buffered: a next() that does not settle before the event loop
          // turns (setImmediate runs after the microtasks that hand over buffered messages) would
          // wait for a message not yet sent, so the batch closes without it.
          while (batch.length < maxBatch) {
            const next = it.next();
            const got = await Promise.race([next, turn()]);
            if (got === TURN) {
              waiting = next;
              break;
            }
            if (got.done) {
              ended = true;
              break;
            }
            batch.push(got.value);
          }
          const p: Promise<unknown> = this.delivery
            .processBatch(c.binding, batch)
            .finally(() => inFlight.delete(p));
          inFlight.add(p);
          if (inFlight.size >= concurrency) await Promise.race(inFlight);
          if (ended || this.stopping) break;
        }
        await Promise.all(inFlight);
      } catch (err) {
        if (this.stopping) break;
        this.log.warn({ err: (err as Error).message, consumer: durable }, 'consumer loop failed; restarting');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}

/**
 * Connects the service's JetStream transport to its (initialised) app and starts it: the
 * `@EventPattern` handlers are bound with EventErrorPassThrough as their global filter (and none of
 * the HTTP app's filters and pipes), then the durables are provisioned and consumed.
 */
export async function startEventTransport(app: INestApplication): Promise<JetStreamTransport> {
  const transport = app.get(JetStreamTransport);
  const microservice = app.connectMicroservice({ strategy: transport }, { deferInitialization: true });
  microservice.useGlobalFilters(new EventErrorPassThrough());
  // The app has run the lifecycle hooks of the container it shares with the microservice.
  (microservice as unknown as { setIsInitHookCalled(v: boolean): void }).setIsInitHookCalled(true);
  await app.startAllMicroservices();
  return transport;
}
