import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { EntityManager } from 'typeorm';
import {
  flattenValidationErrors,
  NATIONAL_PROVINCE,
  subjectFor,
  type CloudEvent,
  type EventContract,
} from '@kkb/contracts';
import { afterCommit } from '@kkb/persistence';
import { correlationOrNew, injectTraceContext } from '@kkb/platform';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { OutboxRelayService } from './outbox-relay.service';
import { OutboxRepository } from './outbox.repository';

export interface NewEvent<T extends object> {
  /** The aggregate: `kampung/<id>`. */
  subject: string;
  /** Two-digit province code; `00` for a national event. */
  province: string;
  data: T;
  /** Defaults to a random UUID; pass one to make the event id deterministic. */
  id?: string;
}

/** Shapes of one contract's data remembered as checked; more are checked every time. */
const MAX_SHAPES = 256;

/** The keys and value types of a JSON value, recursively: `{a:s,b:[d],c:n}`. */
export function shapeOf(v: unknown): string {
  if (v === null || v === undefined) return 'n';
  switch (typeof v) {
    case 'string':
      return 's';
    case 'number':
      return 'd';
    case 'boolean':
      return 'b';
    case 'object':
      break;
    default:
      return typeof v;
  }
  if (Array.isArray(v)) return `[${[...new Set(v.map(shapeOf))].join('|')}]`;
  let out = '{';
  for (const [k, x] of Object.entries(v as Record<string, unknown>))
    out += `${JSON.stringify(k)}:${shapeOf(x)},`;
  return `${out}}`;
}

/**
 * Writes events into the outbox inside the caller's transaction: they are published if and
 * only if the state change commits. Once the transaction commits, this process's relay is woken
 * in-process (afterCommit); no NOTIFY is sent in the transaction, where Postgres's notify lock would
 * serialize every commit. Other replicas find rows by their poll (and would only matter if this
 * process died between the commit and its relay's publish).
 * With tracing on, each row also keeps the active trace context (the HTTP request's or the
 * handled event's span), which the relay passes on in the NATS headers.
 */
@Injectable()
export class OutboxService {
  private readonly outbox = new OutboxRepository();
  private readonly checkedShapes = new Map<EventContract<object>, Set<string>>();

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Optional() private readonly relay?: OutboxRelayService,
  ) {}

  build<T extends object>(contract: EventContract<T>, e: NewEvent<T>): CloudEvent<T> {
    this.check(contract, e.data);
    const ctx = correlationOrNew();
    return {
      specversion: '1.0',
      id: e.id ?? randomUUID(),
      source: `/kkb/${this.options.service}`,
      type: contract.type,
      subject: e.subject,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: e.data,
      correlationid: ctx.correlationId,
      ...(ctx.causationId ? { causationid: ctx.causationId } : {}),
      province: e.province || NATIONAL_PROVINCE,
    };
  }

  /**
   * Checks the data against the contract once per shape (the keys and value types, recursively):
   * the first event of each shape goes through class-validator (about 200 µs), later ones of the
   * same shape do not. Our own code makes these events from validated, stored data, so what this
   * catches is a programming mistake (a missing field, a wrong type, a null), which shows on the
   * first event of its shape; a bad value in a known shape still meets every consumer's full check,
   * which dead-letters it. At most MAX_SHAPES shapes are remembered per contract.
   */
  private check<T extends object>(contract: EventContract<T>, data: T): void {
    const shape = shapeOf(data);
    let known = this.checkedShapes.get(contract);
    if (known?.has(shape)) return;
    const payload = plainToInstance(contract.payload, data);
    const problems = flattenValidationErrors(
      validateSync(payload as object, { forbidUnknownValues: true }),
      'data',
    );
    if (problems.length) {
      throw new Error(
        `event ${contract.type} does not meet its contract: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`,
      );
    }
    if (!known) this.checkedShapes.set(contract, (known = new Set()));
    if (known.size < MAX_SHAPES) known.add(shape);
  }

  /** Adds one event; see addMany. */
  async add<T extends object>(
    manager: EntityManager,
    contract: EventContract<T>,
    e: NewEvent<T>,
  ): Promise<CloudEvent<T>> {
    const [event] = await this.addMany(manager, [{ contract, event: e }]);
    return event as CloudEvent<T>;
  }

  /** Adds events in one round trip (a multi-row insert); the relay is woken after the commit. */
  async addMany(
    manager: EntityManager,
    items: { contract: EventContract<object>; event: NewEvent<object> }[],
  ): Promise<CloudEvent<object>[]> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('OutboxService.add needs the EntityManager of an open transaction');
    }
    if (!items.length) return [];
    const events = items.map((i) => this.build(i.contract, i.event));
    // One context for the whole call; the trace columns are only named when there is one, so
    // with tracing off the statement is exactly what it was before tracing existed.
    const { traceparent, tracestate } = injectTraceContext();
    const params: unknown[] = traceparent ? [traceparent, tracestate ?? null] : [];
    const trace = traceparent ? ', $1, $2' : '';
    const rows = events.map((ev) => {
      params.push(
        ev.id,
        subjectFor(ev.type, ev.province, this.options.subjectRoot),
        ev.type,
        JSON.stringify(ev),
      );
      const n = params.length;
      return `($${n - 3}::uuid, $${n - 2}, $${n - 1}, $${n}::jsonb${trace})`;
    });
    const columns = `id, subject, type, payload${traceparent ? ', traceparent, tracestate' : ''}`;
    await this.outbox.insert(manager, columns, rows, params);
    const relay = this.relay;
    if (relay) afterCommit(manager, 'outbox-relay', () => relay.wake());
    return events;
  }
}
