import type { MessageHandler } from '@nestjs/microservices';
import { findContract, subjectFor, type EventContract } from '@kkb/contracts';
import type { ConsumerBinding } from './event-delivery';
import { streamName, type ConsumerSpec } from './messaging.options';

/** Most messages a durable handles in one transaction unless its spec says otherwise. */
export const DEFAULT_MAX_BATCH = 32;

/** Whether a NATS subject filter (tokens, `*` for one, `>` for the rest) takes a subject. */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

/** The subject filter of a consumer, below the subject root. */
export function consumerFilter(spec: ConsumerSpec, root = 'kkb'): string {
  return `${root}.${spec.from}.${spec.filter}`;
}

/**
 * Binds the service's `@EventPattern` handlers (by event type) to its durable consumers. Each
 * pattern must be the type of a NATS event in the catalogue, handled by one method, and read by
 * exactly one durable (the producer's stream, a filter that takes its subject); each durable must
 * have at least one handler. Anything else is a wiring mistake and stops the service at start.
 */
export function bindConsumers(
  specs: readonly ConsumerSpec[],
  handlers: ReadonlyMap<string, MessageHandler>,
  streamPrefix: string,
): ConsumerBinding[] {
  const problems: string[] = [];
  const routes = specs.map(
    () => new Map<string, { contract: EventContract<object>; handler: MessageHandler }>(),
  );
  for (const [type, handler] of handlers) {
    if (!handler.isEventHandler) {
      problems.push(`'${type}' is a @MessagePattern: JetStream events take @EventPattern only`);
      continue;
    }
    if (handler.next) problems.push(`two @EventPattern methods handle ${type}; keep one`);
    const contract = findContract(type) as EventContract<object> | undefined;
    if (!contract || contract.transport !== 'nats') {
      problems.push(`@EventPattern('${type}') names no NATS event of the catalogue`);
      continue;
    }
    const subject = subjectFor(type, '00');
    const readers = specs.flatMap((s, i) =>
      s.from === contract.producer && subjectMatches(consumerFilter(s), subject) ? [i] : [],
    );
    if (readers.length !== 1) {
      const names = readers.map((i) => specs[i].durable).join(', ');
      problems.push(
        readers.length === 0
          ? `no durable consumer reads ${type}: add one to the service definition`
          : `${type} is read by several durables (${names}): each event type has one`,
      );
      continue;
    }
    routes[readers[0]].set(type, { contract, handler });
  }
  specs.forEach((s, i) => {
    if (routes[i].size === 0) problems.push(`durable ${s.durable} has no @EventPattern handler`);
  });
  if (problems.length) throw new Error(`event handlers are miswired:\n- ${problems.join('\n- ')}`);
  return specs.map((s, i) => ({
    durable: s.durable,
    stream: streamName(streamPrefix, s.from),
    concurrency: Math.max(1, s.concurrency ?? 1),
    maxBatch: Math.max(1, s.maxBatch ?? DEFAULT_MAX_BATCH),
    routes: routes[i],
  }));
}
