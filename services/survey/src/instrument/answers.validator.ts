import type { SurveyAnswers } from '@kkb/contracts';
import type { FieldError } from '@kkb/platform';
import {
  DEFAULT_TEXT_MAX_LENGTH,
  isCalendarDate,
  type InstrumentDefinition,
  type Question,
  type SumLteRule,
} from './instrument-definition';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether the question applies, given the answers (skip logic). */
function applies(q: Question, answers: Record<string, unknown>): boolean {
  return !q.relevantIf || answers[q.relevantIf.question] === q.relevantIf.equals;
}

/** Why one present answer is wrong for its question, or undefined when it is fine. */
export function checkAnswer(
  q: Question,
  value: unknown,
  codes: ReadonlySet<string> | undefined,
): string | undefined {
  switch (q.type) {
    case 'integer':
    case 'decimal': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (q.type === 'integer' && !Number.isInteger(value)) return 'must be a whole number';
      if (typeof q.min === 'number' && value < q.min) return `must be at least ${q.min}`;
      if (typeof q.max === 'number' && value > q.max) return `must be at most ${q.max}`;
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'date': {
      if (typeof value !== 'string' || !isCalendarDate(value)) return 'must be a date YYYY-MM-DD';
      if (typeof q.min === 'string' && value < q.min) return `must be on or after ${q.min}`;
      if (typeof q.max === 'string' && value > q.max) return `must be on or before ${q.max}`;
      return undefined;
    }
    case 'text': {
      if (typeof value !== 'string') return 'must be text';
      const max = q.maxLength ?? DEFAULT_TEXT_MAX_LENGTH;
      if (value.length > max) return `must be at most ${max} characters`;
      if (q.required && !value.trim()) return 'must not be empty';
      return undefined;
    }
    case 'single_choice':
      if (typeof value !== 'string') return 'must be one code of the list';
      return codes?.has(value) ? undefined : `must be one of ${[...(codes ?? [])].join(', ')}`;
    case 'multiple_choice': {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
        return 'must be a list of codes (possibly empty)';
      const unknown = value.filter((v) => !codes?.has(v));
      if (unknown.length)
        return `has unknown code(s) ${unknown.join(', ')}; allowed: ${[...(codes ?? [])].join(', ')}`;
      if (new Set(value).size !== value.length) return 'lists a code more than once';
      return undefined;
    }
  }
}

function sumOf(fields: readonly string[], answers: Record<string, unknown>): number {
  return fields.reduce((n, f) => n + (typeof answers[f] === 'number' ? (answers[f] as number) : 0), 0);
}

function checkSumLte(
  rule: SumLteRule,
  answers: Record<string, unknown>,
  bad: ReadonlySet<string>,
): string | undefined {
  const involved = [...rule.fields, rule.limit, ...(rule.minus ?? [])];
  // A field that is itself wrong is reported already; an absent limit leaves nothing to compare with.
  if (involved.some((f) => bad.has(f)) || typeof answers[rule.limit] !== 'number') return undefined;
  const left = sumOf(rule.fields, answers);
  const right = (answers[rule.limit] as number) - sumOf(rule.minus ?? [], answers);
  // Fields that add up to nothing are not to blame for a negative right side (users above PUS
  // make PUS − users negative): the rule over the minus fields reports that.
  if (left <= right || left === 0) return undefined;
  const lhs =
    rule.fields.length > 1 ? `${rule.fields.join(' + ')} (= ${left})` : `${rule.fields[0]} (${left})`;
  const rhs = rule.minus?.length
    ? `${rule.limit} - (${rule.minus.join(' + ')}) (= ${right})`
    : `${rule.limit} (${right})`;
  return `${lhs} must not exceed ${rhs}${rule.description ? `: ${rule.description}` : ''} [rule ${rule.id}]`;
}

/** A compiled definition: code lists as sets and questions by id, built once per instrument version. */
export interface CompiledInstrument {
  definition: InstrumentDefinition;
  questions: Map<string, Question>;
  codes: Map<string, Set<string>>;
}

export function compile(definition: InstrumentDefinition): CompiledInstrument {
  return {
    definition,
    questions: new Map(definition.questions.map((q) => [q.id, q])),
    codes: new Map(Object.entries(definition.codeLists).map(([k, v]) => [k, new Set(v.map((e) => e.code))])),
  };
}

/**
 * Validates answers against an instrument: unknown ids, missing required answers, types, bounds,
 * code lists, skip logic, then every cross-field rule. Returns every failing field (none = valid),
 * as `{ field: 'answers.users_iud', reason }`.
 */
export function validateAnswers(
  instrument: CompiledInstrument,
  raw: unknown,
  prefix = 'answers',
): FieldError[] {
  if (!isObject(raw)) return [{ field: prefix, reason: 'answers must be an object keyed by question id' }];
  const errors: FieldError[] = [];
  const bad = new Set<string>();
  const fail = (id: string, reason: string) => {
    bad.add(id);
    errors.push({ field: `${prefix}.${id}`, reason });
  };
  for (const id of Object.keys(raw)) {
    if (!instrument.questions.has(id)) fail(id, 'is not a question of this instrument version');
  }
  for (const q of instrument.definition.questions) {
    const value = raw[q.id];
    const present = value !== undefined && value !== null;
    if (q.relevantIf && !applies(q, raw)) {
      if (present)
        fail(
          q.id,
          `must be left unanswered unless ${q.relevantIf.question} is ${String(q.relevantIf.equals)}`,
        );
      continue;
    }
    if (!present) {
      if (q.required) fail(q.id, 'is required');
      else if (value === null) fail(q.id, 'must be left out rather than null when unanswered');
      continue;
    }
    const reason = checkAnswer(q, value, q.codeList ? instrument.codes.get(q.codeList) : undefined);
    if (reason) fail(q.id, reason);
  }
  for (const rule of instrument.definition.rules) {
    const reason = checkSumLte(rule, raw, bad);
    if (reason) for (const f of rule.fields) errors.push({ field: `${prefix}.${f}`, reason });
  }
  return errors;
}

/** The answers as stored and published: only answered questions, in the instrument's order. */
export function normaliseAnswers(
  instrument: CompiledInstrument,
  raw: Record<string, unknown>,
): SurveyAnswers {
  const out: SurveyAnswers = {};
  for (const q of instrument.definition.questions) {
    const v = raw[q.id];
    if (v !== undefined && v !== null) out[q.id] = v as SurveyAnswers[string];
  }
  return out;
}
