import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import type { CloudEvent } from './envelope';
import { CloudEventEnvelope } from './envelope';
import type { EventContract } from './event-contract';
import { findContract } from './catalog';

export interface FieldProblem {
  field: string;
  reason: string;
}

/** Flattens class-validator errors into `{ field: 'data.villageCode', reason }` pairs. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const reason of Object.values(e.constraints ?? {})) out.push({ field, reason });
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

export type EventCheck<T extends object> =
  { ok: true; event: CloudEvent<T>; contract: EventContract<T> } | { ok: false; problems: FieldProblem[] };

const VALIDATE = { whitelist: false, forbidUnknownValues: true } as const;

/**
 * Validates an envelope and its payload against the contract of its type. Synchronous inside (no
 * contract has an async rule; class-validator's async path costs a promise per constraint); async
 * in its signature for callers that may one day need it.
 */
export async function checkEvent<T extends object = object>(
  raw: unknown,
  contract?: EventContract<T>,
): Promise<EventCheck<T>> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problems: [{ field: '', reason: 'event must be a JSON object' }] };
  }
  // The envelope is transformed without its data (class-transformer would deep-copy it, answers
  // and all, only for the payload's own transform below to copy it again).
  const { data: rawData, ...head } = raw as Record<string, unknown>;
  const envelope = plainToInstance(CloudEventEnvelope, head);
  envelope.data = rawData as Record<string, unknown>;
  const problems = flattenValidationErrors(validateSync(envelope, VALIDATE));
  if (problems.length) return { ok: false, problems };
  const c = (contract ?? findContract(envelope.type)) as EventContract<T> | undefined;
  if (!c) return { ok: false, problems: [{ field: 'type', reason: `unknown event type ${envelope.type}` }] };
  if (c.type !== envelope.type) {
    return { ok: false, problems: [{ field: 'type', reason: `expected ${c.type}, got ${envelope.type}` }] };
  }
  const data = plainToInstance(c.payload, envelope.data);
  const dataProblems = flattenValidationErrors(validateSync(data as object, VALIDATE), 'data');
  if (dataProblems.length) return { ok: false, problems: dataProblems };
  return { ok: true, event: { ...(raw as CloudEvent<T>), data: data as T }, contract: c };
}
