import { Inject, Injectable } from '@nestjs/common';
import { errors } from '@nats-io/transport-node';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { NatsConnectionService } from '../nats-connection';
import { replaySubject, type ReplayReply, type ReplayRequest } from './dead-letter.protocol';

/** Longest a replay may take: one handler run, its transaction and maybe a new letter. */
const REPLAY_TIMEOUT_MS = 30_000;

/** Asks the service that owns a letter's consumer to replay it (DeadLetterReplayer answers). */
@Injectable()
export class DeadLetterReplayClient {
  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly nats: NatsConnectionService,
  ) {}

  async replay(
    service: string,
    req: ReplayRequest,
  ): Promise<ReplayReply | { status: 'no-responder' | 'timeout'; detail: string }> {
    try {
      const m = await this.nats.nc.request(
        replaySubject(this.options.subjectRoot, service),
        JSON.stringify(req),
        { timeout: REPLAY_TIMEOUT_MS },
      );
      return m.json<ReplayReply>();
    } catch (err) {
      for (let e: unknown = err; e instanceof Error; e = e.cause) {
        if (e instanceof errors.NoRespondersError) {
          return { status: 'no-responder', detail: `no replica of ${service} is running its consumers` };
        }
        if (e instanceof errors.TimeoutError) {
          return { status: 'timeout', detail: `${service} did not answer within ${REPLAY_TIMEOUT_MS} ms` };
        }
      }
      throw err;
    }
  }
}
