import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { BaseRpcContext, EventPattern } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import type { EntityManager } from 'typeorm';
import type { CloudEvent, EventContract } from '@kkb/contracts';

/**
 * What an event handler gets with `@Ctx()`: the transaction its effects must be written in (the
 * inbox row commits with them, so a redelivered event changes nothing twice), how many times
 * JetStream has delivered the message (1 on the first try) and the subject it came on.
 *
 * ```ts
 * @EventPatternOf(submissionVerifiedV1) // = @EventPattern(submissionVerifiedV1.type), type-checked
 * async onVerified(@Payload() event: CloudEvent<SubmissionVerifiedV1>, @Ctx() ctx: EventContext) {
 *   await this.repo.store(ctx.getManager(), event.data);
 * }
 * ```
 */
export class EventContext extends BaseRpcContext<[EntityManager, number, string]> {
  getManager(): EntityManager {
    return this.args[0];
  }

  getDeliveryCount(): number {
    return this.args[1];
  }

  getSubject(): string {
    return this.args[2];
  }
}

/**
 * Thrown by a handler for an event that can never succeed: it is dead-lettered at once. Any other
 * error is retried with backoff up to max_deliver.
 */
export class PermanentEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentEventError';
  }
}

/**
 * Nest's default RPC filter turns any error into `{ status: 'error', message: 'Internal server
 * error' }` and logs it. The JetStream transport needs the handler's own error: its class decides
 * between a dead letter (PermanentEventError) and a retry, and its message goes into the log and
 * the dead letter. This global filter of the event transport hands every error on unchanged; the
 * transport logs it once, with the consumer and the attempt.
 */
@Catch()
export class EventErrorPassThrough implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

/** A method that handles the events of some contracts. */
type EventMethod<T extends object> = (event: CloudEvent<T>, ctx: EventContext) => Promise<void>;

/**
 * `@EventPattern` for event contracts: `@EventPatternOf(submissionVerifiedV1)` is
 * `@EventPattern(submissionVerifiedV1.type)` that also checks, at compile time, that the method
 * takes the contract's CloudEvent (`@Payload()`) and the EventContext (`@Ctx()`). Several contracts
 * of one payload type may share a method.
 */
export function EventPatternOf<T extends object>(
  ...contracts: readonly EventContract<T>[]
): <M extends EventMethod<T>>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<M>,
) => void {
  return EventPattern(contracts.map((c) => c.type));
}
