/**
 * An instrument (form definition) stored as data: typed questions, code lists and cross-field
 * rules, with their words in Bahasa Indonesia and English. `checkAnswers` interprets it (in the
 * survey service and in the console alike); `checkDefinition` refuses a definition it could not
 * interpret before it is published. No Nest, no database: this runs in the browser too.
 */

/** A field at fault and why, as in a problem+json `errors` list. */
export interface FieldError {
  field: string;
  reason: string;
}

/** The languages an instrument's words come in; `label`/`description` are the English fallback. */
export const LANGUAGES = ['id', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
/** Words by language, e.g. `{ id: 'Pasangan Usia Subur (PUS)', en: 'Couples of reproductive age (PUS)' }`. */
export type Labels = Partial<Record<Language, string>>;
export const QUESTION_TYPES = [
  'integer',
  'decimal',
  'boolean',
  'date',
  'text',
  'single_choice',
  'multiple_choice',
] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export interface CodeListEntry {
  code: string;
  label: string;
  labels?: Labels;
}

/** The question applies only when another (boolean or single-choice) question has this answer. */
export interface RelevantIf {
  question: string;
  equals: boolean | string;
}

export interface Question {
  /** Stable, English snake_case id: the key of the answer, in events and CSV columns. */
  id: string;
  type: QuestionType;
  /** English (the fallback when `labels` lacks the reader's language). */
  label: string;
  labels?: Labels;
  /** Grouping for forms and CSV exports, e.g. `pokja`, `population`. */
  section?: string;
  /** Must be answered whenever the question applies. */
  required: boolean;
  /** Skip logic: when the condition does not hold, the question must be left unanswered. */
  relevantIf?: RelevantIf;
  /** Inclusive bounds: numbers for integer/decimal, `YYYY-MM-DD` for date. */
  min?: number | string;
  max?: number | string;
  /** Text questions only; defaults to 2000. */
  maxLength?: number;
  /** Name of a code list of the instrument; choice questions only. */
  codeList?: string;
}

/**
 * sum(fields) ≤ limit − sum(minus). Absent optional answers count as 0; an absent limit skips the
 * rule, and so do fields that add up to 0 (they cannot be what is wrong). Each field of `fields`
 * is reported when it fails.
 */
export interface SumLteRule {
  id: string;
  rule: 'sum_lte';
  fields: string[];
  limit: string;
  minus?: string[];
  /** The rule in words (English), shown in the error and beside the form. */
  description?: string;
  /** The rule in words by language, e.g. `{ id: 'Peserta KB per metode tidak boleh melebihi PUS' }`. */
  descriptions?: Labels;
}

export type CrossFieldRule = SumLteRule;
export const RULE_TYPES = ['sum_lte'] as const;

/** A section's heading in a form, by language (sections are named by the questions' `section`). */
export interface SectionDefinition {
  id: string;
  labels: Labels;
}

export interface InstrumentDefinition {
  codeLists: Record<string, CodeListEntry[]>;
  questions: Question[];
  rules: CrossFieldRule[];
  /** Section headings in form order; a section not listed here is headed by its id. */
  sections?: SectionDefinition[];
}

export const QUESTION_ID = /^[a-z][a-z0-9_]{0,63}$/;
export const CODE = /^[a-z0-9][a-z0-9_]{0,63}$/;
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
export const DEFAULT_TEXT_MAX_LENGTH = 2000;

const NUMERIC: readonly QuestionType[] = ['integer', 'decimal'];

export function isCalendarDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every problem of a definition, as `{ field: 'definition.questions[3].codeList', reason }`.
 * Empty when the definition can be published.
 */
export function checkDefinition(raw: unknown, prefix = 'definition'): FieldError[] {
  const errors: FieldError[] = [];
  const err = (field: string, reason: string) => errors.push({ field: `${prefix}${field}`, reason });
  if (!isObject(raw)) {
    err('', 'definition must be an object with codeLists, questions and rules');
    return errors;
  }
  const known = new Set(['codeLists', 'questions', 'rules', 'sections']);
  for (const key of Object.keys(raw)) if (!known.has(key)) err(`.${key}`, `unknown property ${key}`);

  const codeLists = new Map<string, Set<string>>();
  if (!isObject(raw.codeLists)) err('.codeLists', 'codeLists must be an object of code lists');
  else {
    for (const [name, list] of Object.entries(raw.codeLists)) {
      const at = `.codeLists.${name}`;
      if (!CODE.test(name)) err(at, 'code list names are lower-case snake_case');
      if (!Array.isArray(list) || list.length === 0) {
        err(at, 'a code list is a non-empty array of { code, label }');
        continue;
      }
      const codes = new Set<string>();
      list.forEach((entry: unknown, i) => {
        if (!isObject(entry) || typeof entry.code !== 'string' || !CODE.test(entry.code)) {
          err(`${at}[${i}].code`, 'code must be lower-case snake_case');
          return;
        }
        if (typeof entry.label !== 'string' || !entry.label.trim())
          err(`${at}[${i}].label`, 'label is required');
        checkLabels(entry.labels, `${at}[${i}].labels`, err);
        for (const key of Object.keys(entry))
          if (!['code', 'label', 'labels'].includes(key))
            err(`${at}[${i}].${key}`, `unknown property ${key}`);
        if (codes.has(entry.code)) err(`${at}[${i}].code`, `duplicate code ${entry.code}`);
        codes.add(entry.code);
      });
      codeLists.set(name, codes);
    }
  }

  const questions = new Map<string, Question>();
  if (!Array.isArray(raw.questions) || raw.questions.length === 0) {
    err('.questions', 'questions must be a non-empty array');
  } else {
    raw.questions.forEach((q: unknown, i) => {
      const at = `.questions[${i}]`;
      if (!isObject(q)) {
        err(at, 'a question is an object');
        return;
      }
      const allowed = new Set([
        'id',
        'type',
        'label',
        'labels',
        'section',
        'required',
        'relevantIf',
        'min',
        'max',
        'maxLength',
        'codeList',
      ]);
      for (const key of Object.keys(q)) if (!allowed.has(key)) err(`${at}.${key}`, `unknown property ${key}`);
      const id = q.id;
      if (typeof id !== 'string' || !QUESTION_ID.test(id)) {
        err(`${at}.id`, 'id must be lower-case snake_case, starting with a letter, at most 64 characters');
        return;
      }
      if (questions.has(id)) err(`${at}.id`, `duplicate question id ${id}`);
      const type = q.type as QuestionType;
      if (!QUESTION_TYPES.includes(type)) {
        err(`${at}.type`, `type must be one of ${QUESTION_TYPES.join(', ')}`);
        return;
      }
      if (typeof q.label !== 'string' || !q.label.trim()) err(`${at}.label`, 'label is required');
      checkLabels(q.labels, `${at}.labels`, err);
      if (q.section !== undefined && (typeof q.section !== 'string' || !CODE.test(q.section)))
        err(`${at}.section`, 'section must be lower-case snake_case');
      if (typeof q.required !== 'boolean') err(`${at}.required`, 'required must be true or false');
      checkBounds(q, type, at, err);
      if (type === 'single_choice' || type === 'multiple_choice') {
        if (typeof q.codeList !== 'string' || !codeLists.has(q.codeList))
          err(`${at}.codeList`, 'a choice question names one of the code lists');
      } else if (q.codeList !== undefined) err(`${at}.codeList`, `a ${type} question has no code list`);
      if (
        q.maxLength !== undefined &&
        (type !== 'text' || !Number.isInteger(q.maxLength) || Number(q.maxLength) < 1)
      )
        err(`${at}.maxLength`, 'maxLength is a positive integer, for text questions only');
      if (q.relevantIf !== undefined) {
        const r = q.relevantIf;
        const on = isObject(r) && typeof r.question === 'string' ? questions.get(r.question) : undefined;
        if (!on || (on.type !== 'boolean' && on.type !== 'single_choice')) {
          err(`${at}.relevantIf.question`, 'relevantIf names an earlier boolean or single-choice question');
        } else {
          const value = (r as Record<string, unknown>).equals;
          const ok =
            on.type === 'boolean'
              ? typeof value === 'boolean'
              : typeof value === 'string' && (codeLists.get(on.codeList ?? '')?.has(value) ?? false);
          if (!ok) err(`${at}.relevantIf.equals`, `equals must be a possible answer of ${on.id}`);
        }
      }
      questions.set(id, q as unknown as Question);
    });
  }

  if (!Array.isArray(raw.rules)) err('.rules', 'rules must be an array (possibly empty)');
  else {
    const ids = new Set<string>();
    raw.rules.forEach((r: unknown, i) => {
      const at = `.rules[${i}]`;
      if (!isObject(r)) {
        err(at, 'a rule is an object');
        return;
      }
      if (typeof r.id !== 'string' || !CODE.test(r.id)) err(`${at}.id`, 'id must be lower-case snake_case');
      else if (ids.has(r.id)) err(`${at}.id`, `duplicate rule id ${r.id}`);
      else ids.add(r.id);
      if (!RULE_TYPES.includes(r.rule as CrossFieldRule['rule'])) {
        err(`${at}.rule`, `rule must be one of ${RULE_TYPES.join(', ')}`);
        return;
      }
      const numeric = (name: unknown) =>
        typeof name === 'string' && NUMERIC.includes(questions.get(name)?.type as QuestionType);
      if (!Array.isArray(r.fields) || r.fields.length === 0 || !r.fields.every(numeric))
        err(`${at}.fields`, 'fields lists numeric questions of the instrument');
      if (!numeric(r.limit)) err(`${at}.limit`, 'limit names a numeric question of the instrument');
      if (r.minus !== undefined && (!Array.isArray(r.minus) || !r.minus.every(numeric)))
        err(`${at}.minus`, 'minus lists numeric questions of the instrument');
      if (r.description !== undefined && typeof r.description !== 'string')
        err(`${at}.description`, 'description is text');
      checkLabels(r.descriptions, `${at}.descriptions`, err);
      for (const key of Object.keys(r))
        if (!['id', 'rule', 'fields', 'limit', 'minus', 'description', 'descriptions'].includes(key))
          err(`${at}.${key}`, `unknown property ${key}`);
    });
  }

  if (raw.sections !== undefined) {
    if (!Array.isArray(raw.sections)) err('.sections', 'sections is an array of { id, labels }');
    else {
      const seen = new Set<string>();
      raw.sections.forEach((sec: unknown, i) => {
        const at = `.sections[${i}]`;
        if (!isObject(sec) || typeof sec.id !== 'string' || !CODE.test(sec.id)) {
          err(`${at}.id`, 'a section is { id, labels } with a lower-case snake_case id');
          return;
        }
        if (seen.has(sec.id)) err(`${at}.id`, `duplicate section ${sec.id}`);
        seen.add(sec.id);
        if (!isObject(sec.labels)) err(`${at}.labels`, 'labels is an object of words by language (id, en)');
        else checkLabels(sec.labels, `${at}.labels`, err);
        for (const key of Object.keys(sec))
          if (key !== 'id' && key !== 'labels') err(`${at}.${key}`, `unknown property ${key}`);
      });
    }
  }
  return errors;
}

const MAX_LABEL = 500;

/** `labels`, when given: an object of non-empty words (at most 500 characters) by known language. */
function checkLabels(value: unknown, at: string, err: (field: string, reason: string) => void): void {
  if (value === undefined) return;
  if (!isObject(value)) {
    err(at, 'labels is an object of words by language (id, en)');
    return;
  }
  for (const [lang, text] of Object.entries(value)) {
    if (!(LANGUAGES as readonly string[]).includes(lang))
      err(`${at}.${lang}`, `language must be one of ${LANGUAGES.join(', ')}`);
    else if (typeof text !== 'string' || !text.trim() || text.length > MAX_LABEL)
      err(`${at}.${lang}`, `words are non-empty text of at most ${MAX_LABEL} characters`);
  }
}

function checkBounds(
  q: Record<string, unknown>,
  type: QuestionType,
  at: string,
  err: (field: string, reason: string) => void,
): void {
  for (const key of ['min', 'max'] as const) {
    const v = q[key];
    if (v === undefined) continue;
    if (NUMERIC.includes(type)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) err(`${at}.${key}`, `${key} must be a number`);
    } else if (type === 'date') {
      if (typeof v !== 'string' || !isCalendarDate(v))
        err(`${at}.${key}`, `${key} must be a date YYYY-MM-DD`);
    } else err(`${at}.${key}`, `a ${type} question has no ${key}`);
  }
  if (
    q.min !== undefined &&
    q.max !== undefined &&
    typeof q.min === typeof q.max &&
    (q.min as number) > (q.max as number)
  )
    err(`${at}.min`, 'min must not exceed max');
}
