import {
  DEFAULT_TEXT_MAX_LENGTH,
  isCalendarDate,
  type FieldError,
  type InstrumentDefinition,
  type Question,
  type SumLteRule,
} from './definition';
import { describeProblem } from './words';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What is wrong with one answer, as data: the question it is reported on, what kind of problem
 * (`code`) and the figures that explain it. `describeProblem` turns it into words in a language;
 * the survey service answers with the English words, the console shows the Indonesian ones.
 */
export type AnswerProblem =
  | { question: string; code: 'not_object' }
  | { question: string; code: 'unknown_question' }
  | { question: string; code: 'not_applicable'; when: string; equals: boolean | string }
  | { question: string; code: 'required' }
  | { question: string; code: 'null' }
  | { question: string; code: 'not_number' }
  | { question: string; code: 'not_whole' }
  | { question: string; code: 'below_min'; min: number }
  | { question: string; code: 'above_max'; max: number }
  | { question: string; code: 'not_boolean' }
  | { question: string; code: 'not_date' }
  | { question: string; code: 'before_min'; min: string }
  | { question: string; code: 'after_max'; max: string }
  | { question: string; code: 'not_text' }
  | { question: string; code: 'too_long'; max: number }
  | { question: string; code: 'empty' }
  | { question: string; code: 'not_choice' }
  | { question: string; code: 'not_code'; allowed: string[] }
  | { question: string; code: 'not_codes' }
  | { question: string; code: 'unknown_codes'; codes: string[]; allowed: string[] }
  | { question: string; code: 'repeated_code' }
  | { question: string; code: 'rule'; rule: string; left: number; right: number };

export type ProblemCode = AnswerProblem['code'];

/** A compiled definition: code lists as sets and questions by id, built once per instrument version. */
export interface CompiledInstrument {
  definition: InstrumentDefinition;
  questions: Map<string, Question>;
  codes: Map<string, Set<string>>;
  rules: Map<string, SumLteRule>;
}

export function compile(definition: InstrumentDefinition): CompiledInstrument {
  return {
    definition,
    questions: new Map(definition.questions.map((q) => [q.id, q])),
    codes: new Map(Object.entries(definition.codeLists).map(([k, v]) => [k, new Set(v.map((e) => e.code))])),
    rules: new Map(definition.rules.map((r) => [r.id, r])),
  };
}

/** Whether the question applies, given the answers (skip logic): a form shows only these. */
export function applies(q: Question, answers: Record<string, unknown>): boolean {
  return !q.relevantIf || answers[q.relevantIf.question] === q.relevantIf.equals;
}

type Problem<C extends ProblemCode> = Omit<Extract<AnswerProblem, { code: C }>, 'question'>;
type AnyProblem = { [C in ProblemCode]: Problem<C> }[ProblemCode];

/** What is wrong with one present answer for its question, or undefined when it is fine. */
export function checkAnswer(
  q: Question,
  value: unknown,
  codes: ReadonlySet<string> | undefined,
): AnyProblem | undefined {
  switch (q.type) {
    case 'integer':
    case 'decimal': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return { code: 'not_number' };
      if (q.type === 'integer' && !Number.isInteger(value)) return { code: 'not_whole' };
      if (typeof q.min === 'number' && value < q.min) return { code: 'below_min', min: q.min };
      if (typeof q.max === 'number' && value > q.max) return { code: 'above_max', max: q.max };
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : { code: 'not_boolean' };
    case 'date': {
      if (typeof value !== 'string' || !isCalendarDate(value)) return { code: 'not_date' };
      if (typeof q.min === 'string' && value < q.min) return { code: 'before_min', min: q.min };
      if (typeof q.max === 'string' && value > q.max) return { code: 'after_max', max: q.max };
      return undefined;
    }
    case 'text': {
      if (typeof value !== 'string') return { code: 'not_text' };
      const max = q.maxLength ?? DEFAULT_TEXT_MAX_LENGTH;
      if (value.length > max) return { code: 'too_long', max };
      if (q.required && !value.trim()) return { code: 'empty' };
      return undefined;
    }
    case 'single_choice':
      if (typeof value !== 'string') return { code: 'not_choice' };
      return codes?.has(value) ? undefined : { code: 'not_code', allowed: [...(codes ?? [])] };
    case 'multiple_choice': {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return { code: 'not_codes' };
      const unknown = value.filter((v: string) => !codes?.has(v));
      if (unknown.length) return { code: 'unknown_codes', codes: unknown, allowed: [...(codes ?? [])] };
      if (new Set(value).size !== value.length) return { code: 'repeated_code' };
      return undefined;
    }
  }
}

function sumOf(fields: readonly string[], answers: Record<string, unknown>): number {
  return fields.reduce((n, f) => n + (typeof answers[f] === 'number' ? (answers[f] as number) : 0), 0);
}

/**
 * sum(fields) ≤ limit − sum(minus), or the two sides when it does not hold. A rule over a field
 * that is itself wrong, or without its limit, says nothing.
 */
export function checkRule(
  rule: SumLteRule,
  answers: Record<string, unknown>,
  bad: ReadonlySet<string> = new Set(),
): { left: number; right: number } | undefined {
  const involved = [...rule.fields, rule.limit, ...(rule.minus ?? [])];
  // A field that is itself wrong is reported already; an absent limit leaves nothing to compare with.
  if (involved.some((f) => bad.has(f)) || typeof answers[rule.limit] !== 'number') return undefined;
  const left = sumOf(rule.fields, answers);
  const right = (answers[rule.limit] as number) - sumOf(rule.minus ?? [], answers);
  // Fields that add up to nothing are not to blame for a negative right side (users above PUS
  // make PUS − users negative): the rule over the minus fields reports that.
  if (left <= right || left === 0) return undefined;
  return { left, right };
}

/**
 * The questions whose problems silence a rule: every wrong answer, and a required answer left out
 * unless every question of the rule counts from 0 up (min ≥ 0). Then an absent answer counted as
 * 0 can only make the left side bigger and the right side smaller once it is given, so a rule
 * already broken stays broken: it is said at once, while the officer is still typing.
 */
function suppressing(
  instrument: CompiledInstrument,
  rule: SumLteRule,
  bad: ReadonlySet<string>,
  absent: ReadonlySet<string>,
): ReadonlySet<string> {
  if (!absent.size) return bad;
  const involved = [...rule.fields, rule.limit, ...(rule.minus ?? [])];
  const fromZero = involved.every((f) => {
    const min = instrument.questions.get(f)?.min;
    return typeof min === 'number' && min >= 0;
  });
  return fromZero ? bad : new Set([...bad, ...absent]);
}

/**
 * Checks answers against an instrument: unknown ids, missing required answers, types, bounds,
 * code lists, skip logic, then every cross-field rule (reported on each of its `fields`). Every
 * problem, none when the answers are valid. The one implementation, for the service and the form.
 */
export function checkAnswers(instrument: CompiledInstrument, raw: unknown): AnswerProblem[] {
  if (!isObject(raw)) return [{ question: '', code: 'not_object' }];
  const problems: AnswerProblem[] = [];
  /** Questions with a present but wrong answer, and required ones left unanswered. */
  const bad = new Set<string>();
  const absent = new Set<string>();
  const fail = (question: string, problem: AnyProblem) => {
    (problem.code === 'required' ? absent : bad).add(question);
    problems.push({ question, ...problem } as AnswerProblem);
  };
  for (const id of Object.keys(raw)) {
    if (!instrument.questions.has(id)) fail(id, { code: 'unknown_question' });
  }
  for (const q of instrument.definition.questions) {
    const value = raw[q.id];
    const present = value !== undefined && value !== null;
    if (q.relevantIf && !applies(q, raw)) {
      if (present)
        fail(q.id, { code: 'not_applicable', when: q.relevantIf.question, equals: q.relevantIf.equals });
      continue;
    }
    if (!present) {
      if (q.required) fail(q.id, { code: 'required' });
      else if (value === null) fail(q.id, { code: 'null' });
      continue;
    }
    const problem = checkAnswer(q, value, q.codeList ? instrument.codes.get(q.codeList) : undefined);
    if (problem) fail(q.id, problem);
  }
  for (const rule of instrument.definition.rules) {
    const broken = checkRule(rule, raw, suppressing(instrument, rule, bad, absent));
    if (broken)
      for (const f of rule.fields) problems.push({ question: f, code: 'rule', rule: rule.id, ...broken });
  }
  return problems;
}

/**
 * The survey service's form of `checkAnswers`: every failing field as
 * `{ field: 'answers.users_iud', reason }`, the reason in English.
 */
export function validateAnswers(
  instrument: CompiledInstrument,
  raw: unknown,
  prefix = 'answers',
): FieldError[] {
  return checkAnswers(instrument, raw).map((p) => ({
    field: p.question ? `${prefix}.${p.question}` : prefix,
    reason: describeProblem(instrument, p, 'en'),
  }));
}

/** A stored or published answer: a number, a boolean, text (also dates and codes) or a list of codes. */
export type Answer = number | boolean | string | string[];

/** The answers as stored and published: only answered questions, in the instrument's order. */
export function normaliseAnswers(
  instrument: CompiledInstrument,
  raw: Record<string, unknown>,
): Record<string, Answer> {
  const out: Record<string, Answer> = {};
  for (const q of instrument.definition.questions) {
    const v = raw[q.id];
    if (v !== undefined && v !== null) out[q.id] = v as Answer;
  }
  return out;
}
