import type { ClassConstructor } from 'class-transformer';

export type Producer = 'registry' | 'survey' | 'classification' | 'notifications';

/** One event type: its name parts, the payload class that validates it, a description for AsyncAPI. */
export interface EventContract<T extends object = object> {
  readonly type: string;
  readonly producer: Producer;
  readonly aggregate: string;
  readonly verb: string;
  readonly major: number;
  readonly payload: ClassConstructor<T>;
  readonly summary: string;
}

export function defineEvent<T extends object>(spec: {
  producer: Producer;
  aggregate: string;
  verb: string;
  major: number;
  payload: ClassConstructor<T>;
  summary: string;
}): EventContract<T> {
  return { ...spec, type: `kkb.${spec.producer}.${spec.aggregate}.${spec.verb}.v${spec.major}` };
}
