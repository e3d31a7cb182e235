import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { JsMsg } from '@nats-io/jetstream';
import type { MsgHdrs, Subscription } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import { ConsumerMetrics } from '../consumer-metrics';
import { bindConsumers } from '../consumer-routes';
import { DeadLetterPublisher } from '../dead-letters';
import { EventDelivery, type ConsumerBinding } from '../event-delivery';
import { JetStreamTransport } from '../jetstream.transport';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { NatsConnectionService } from '../nats-connection';
import {
  eventHead,
  REPLAY_QUEUE,
  replaySubject,
  type DeadLetterEntry,
  type ReplayReply,
  type ReplayRequest,
  type StoredDeadLetter,
} from './dead-letter.protocol';
import { DeadLetterStore } from './dead-letter.store';

/**
 * Writes the letter of a replay that failed again: the same letter as DeadLetterPublisher's, plus
 * the replay count and the letter it replaces, under a Nats-Msg-Id of its own (the first letter's
 * id, stream:consumer:sequence, would be dropped as a duplicate within JetStream's window).
 */
class ReplayDeadLetterPublisher extends DeadLetterPublisher {
  /** DLQ sequence of the letter written, if any. */
  written: number | null = null;

  constructor(
    opts: MessagingOptions,
    conn: NatsConnectionService,
    private readonly previous: DeadLetterEntry,
  ) {
    super(opts, conn);
  }

  protected override letterExtras(): Pick<StoredDeadLetter, 'replays' | 'replayOf'> {
    return { replays: (this.previous.letter.replays ?? 0) + 1, replayOf: this.previous.seq };
  }

  protected override messageId(): string {
    return `${this.options.streamPrefix}_DLQ:${this.previous.seq}:replay`;
  }

  protected override onWritten(seq: number): void {
    this.written = seq;
  }
}

/** How EventDelivery settled the one message handed to it. */
type Settlement = 'ack' | 'nak' | 'term' | null;

/**
 * A message of the source stream as EventDelivery takes it, delivered once, in this process, to
 * one durable. It says it is the durable's last allowed delivery, so a failure of any kind ends in
 * a dead letter (with the handler's reason), never in a silent retry nobody waits for.
 */
function replayMessage(
  text: string,
  hdrs: MsgHdrs | undefined,
  at: { stream: string; streamSequence: number; subject: string },
  maxDeliver: number,
  settle: (s: Settlement) => void,
): JsMsg {
  const data = new TextEncoder().encode(text);
  const msg = {
    subject: at.subject,
    data,
    headers: hdrs,
    redelivered: true,
    seq: at.streamSequence,
    info: {
      stream: at.stream,
      streamSequence: at.streamSequence,
      deliveryCount: maxDeliver,
      redelivered: true,
      pending: 0,
      timestampNanos: 0,
      consumer: 'replay',
      domain: '',
      deliverySequence: 0,
      timestamp: new Date().toISOString(),
      redeliveryCount: maxDeliver,
    },
    string: () => text,
    json: () => JSON.parse(text) as unknown,
    ack: () => settle('ack'),
    nak: () => settle('nak'),
    term: () => settle('term'),
    working: () => undefined,
    next: () => undefined,
    ackAck: () => Promise.resolve(true),
  };
  return msg as unknown as JsMsg;
}

/**
 * Replays dead letters of this service's durables on request from the dead-letter admin API
 * (`<root>_admin.dlq.replay.<service>`, one replica answers). A replay re-delivers the original
 * event to THAT durable only, through the same path as a JetStream delivery: EventDelivery with
 * the durable's bound handlers, so the contract checks, the inbox and the handler's transaction
 * all apply: an event the durable already handled is a `duplicate` and changes nothing. Other
 * durables of the subject never see a replay (republishing to the original subject would reach
 * every one of them, and within the duplicate window JetStream would drop it altogether).
 *
 * The original is read from its source stream while the stream keeps it (full text and headers,
 * the trace included); otherwise from the letter, unless the letter had to cut it. The letter is
 * removed from the DLQ once the replay is accepted: handled, a duplicate, ignored, or dead-lettered
 * again (then a new letter, `replays` one higher, takes its place).
 */
@Injectable()
export class DeadLetterReplayer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeadLetterReplayer.name);
  private subscription?: Subscription;
  private bindings?: ConsumerBinding[];

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly nats: NatsConnectionService,
    private readonly transport: JetStreamTransport,
    private readonly metrics: ConsumerMetrics,
    private readonly store: DeadLetterStore,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.consumers.length || !this.options.consumersEnabled) return;
    this.subscription = this.nats.nc.subscribe(
      replaySubject(this.options.subjectRoot, this.options.service),
      {
        queue: REPLAY_QUEUE,
        callback: (err, m) => {
          if (err) return;
          void (async () => {
            let reply: ReplayReply;
            try {
              const req = m.json<ReplayRequest>();
              reply = await this.replay(Number(req.seq), String(req.actor ?? 'unknown'));
            } catch (e) {
              reply = { status: 'failed', detail: (e as Error).message };
            }
            m.respond(JSON.stringify(reply));
          })();
        },
      },
    );
  }

  beforeApplicationShutdown(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  /** The durables as the transport bound them (handlers exist once the transport listens). */
  private binding(durable: string): ConsumerBinding | undefined {
    this.bindings ??= bindConsumers(
      this.options.consumers,
      this.transport.getHandlers(),
      this.options.streamPrefix,
    );
    return this.bindings.find((b) => b.durable === durable);
  }

  /** Replays one letter of this service; see the class comment. */
  async replay(seq: number, actor: string): Promise<ReplayReply> {
    const entry = Number.isSafeInteger(seq) && seq > 0 ? await this.store.get(seq) : null;
    if (!entry) return { status: 'not-found', detail: `no dead letter ${seq}` };
    const { letter } = entry;
    const binding = letter.service === this.options.service ? this.binding(letter.consumer) : undefined;
    if (!binding) {
      return {
        status: 'not-mine',
        detail: `consumer ${letter.consumer} is not a durable of the ${this.options.service} service`,
      };
    }
    const original = await this.nats.jsm.streams
      .getMessage(letter.stream, { seq: letter.streamSequence })
      .catch(() => null);
    const fromStream = original && original.subject === letter.subject ? original : null;
    if (!fromStream && letter.eventTruncated) {
      return {
        status: 'unavailable',
        detail: `the event is no longer in ${letter.stream} and the letter holds only its first ${letter.event.length} characters`,
      };
    }
    const text = fromStream ? fromStream.string() : letter.event;
    let settled: Settlement = null;
    const publisher = new ReplayDeadLetterPublisher(this.options, this.nats, entry);
    const delivery = new EventDelivery(this.options, this.ds, publisher, this.metrics);
    const outcome = await delivery.process(
      binding,
      replayMessage(
        text,
        fromStream?.header,
        { stream: letter.stream, streamSequence: letter.streamSequence, subject: letter.subject },
        this.options.maxDeliver,
        (s) => (settled ??= s),
      ),
    );
    const eventId = eventHead(text).id;
    if (outcome === 'retry' || settled === 'nak' || settled === null) {
      return { status: 'failed', detail: 'the replay could not be settled; the letter stays' };
    }
    await this.store.delete(seq);
    this.logger.log(
      { seq, consumer: letter.consumer, outcome, newSeq: publisher.written, actor },
      'dead letter replayed',
    );
    return { status: 'replayed', outcome, newSeq: publisher.written, eventId };
  }
}
