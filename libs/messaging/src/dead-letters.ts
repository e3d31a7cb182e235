import { Inject, Injectable, Logger } from '@nestjs/common';
import type { JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { deadLetterSubject, type FieldProblem } from '@kkb/contracts';
import { activeSpan, injectTraceContext, SpanStatusCode } from '@kkb/platform';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { NatsConnectionService } from './nats-connection';

/** What a dead letter carries: the original event text and why it could not be handled. */
export interface DeadLetter {
  reason: string;
  problems?: FieldProblem[];
  service: string;
  consumer: string;
  deliveryCount: number;
  stream: string;
  streamSequence: number;
  subject: string;
  receivedAt: string;
  /** The event as received; cut to `MAX_DEAD_LETTER_EVENT` characters (then `eventTruncated`). */
  event: string;
  eventTruncated?: boolean;
}

/**
 * A dead letter carries the event so that it can be inspected and replayed, but must itself fit in
 * one NATS message: an event near the server's max_payload plus the letter's own fields would not,
 * and a dead letter that cannot be published leaves the message to be redelivered forever. Longer
 * events are cut (the stream and sequence still point at the original while the stream keeps it).
 */
export const MAX_DEAD_LETTER_EVENT = 256 * 1024;
/** At most this many field problems are kept in one dead letter. */
const MAX_DEAD_LETTER_PROBLEMS = 20;

/** The letter's fields that describe the stored message, whichever path found it dead. */
export type DeadMessage = Omit<DeadLetter, 'service' | 'consumer' | 'receivedAt' | 'reason' | 'problems'>;

/** Describes a message taken from a stream, its event text cut to what a letter can carry. */
export function deadMessage(
  event: string,
  at: { stream: string; streamSequence: number; subject: string; deliveryCount: number },
): DeadMessage {
  return {
    ...at,
    ...(event.length > MAX_DEAD_LETTER_EVENT
      ? { event: event.slice(0, MAX_DEAD_LETTER_EVENT), eventTruncated: true }
      : { event }),
  };
}

/**
 * Writes dead letters to the DLQ stream (`kkb.dlq.<service>.<consumer>`). One letter per stream
 * message and durable: its Nats-Msg-Id is the same whichever path (or replica) writes it, so
 * JetStream keeps the first within the duplicate window.
 */
@Injectable()
export class DeadLetterPublisher {
  private readonly logger = new Logger(DeadLetterPublisher.name);

  constructor(
    @Inject(MESSAGING_OPTIONS) protected readonly options: MessagingOptions,
    private readonly nats: NatsConnectionService,
  ) {}

  /**
   * Dead-letters a delivered message and terminates it (JetStream will not deliver it again).
   * Throws only if the letter could not be published: the message is then left for redelivery.
   */
  async reject(consumer: string, msg: JsMsg, reason: string, problems?: FieldProblem[]): Promise<void> {
    await this.publish(
      consumer,
      deadMessage(msg.string(), {
        stream: msg.info.stream,
        streamSequence: msg.info.streamSequence,
        subject: msg.subject,
        deliveryCount: msg.info.deliveryCount,
      }),
      reason,
      problems,
    );
    activeSpan().setStatus({ code: SpanStatusCode.ERROR, message: `dead-lettered: ${reason}` });
    // No reason on term: nats-server 2.9 only recognises a bare `+TERM` (the reason is in the letter).
    msg.term();
  }

  async publish(
    consumer: string,
    message: DeadMessage,
    reason: string,
    problems?: FieldProblem[],
  ): Promise<void> {
    const letter: DeadLetter = {
      reason,
      ...(problems ? { problems: problems.slice(0, MAX_DEAD_LETTER_PROBLEMS) } : {}),
      ...message,
      service: this.options.service,
      consumer,
      receivedAt: new Date().toISOString(),
      ...this.letterExtras(),
    };
    const trace = injectTraceContext();
    const h = trace.traceparent ? natsHeaders() : undefined;
    for (const [k, v] of Object.entries(trace)) h?.set(k, v);
    const ack = await this.nats.js.publish(
      deadLetterSubject(this.options.service, consumer, this.options.subjectRoot),
      JSON.stringify(letter),
      { msgID: this.messageId(consumer, message), headers: h },
    );
    this.onWritten(ack.seq);
    this.logger.warn(
      { consumer, reason, problems: letter.problems, seq: message.streamSequence },
      'event dead-lettered',
    );
  }

  /** Fields a subclass adds to every letter it writes (a replay's count and the letter it replaces). */
  protected letterExtras(): Record<string, unknown> {
    return {};
  }

  /** The letter's Nats-Msg-Id: one letter per stream message and consumer, whatever retries it. */
  protected messageId(consumer: string, message: DeadMessage): string {
    return `${message.stream}:${consumer}:${message.streamSequence}`;
  }

  /** Told the DLQ sequence of each letter written (nothing to do here; a replay keeps it). */
  protected onWritten(seq: number): void {
    void seq;
  }
}
