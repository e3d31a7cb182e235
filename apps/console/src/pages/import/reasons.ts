// The survey API gives a row's problems in English (`reason`, its unchanged wording). The console
// shows them in the officer's language: an answer's problem is read back into the rules library's
// problem (AnswerProblem) and said again with describeProblem, but only when saying it in English
// gives the API's reason word for word; the problems of the row itself (kampung, period, scope)
// come from the catalogue. Anything not recognised stays as the API said it.
import {
  describeProblem,
  type AnswerProblem,
  type CompiledInstrument,
  type Language,
} from '@kkb/instrument-rules';
import type { TFunction } from 'i18next';
import { answerQuestionId } from './template';

const PLAIN: AnswerProblem['code'][] = [
  'not_object',
  'unknown_question',
  'required',
  'null',
  'not_number',
  'not_whole',
  'not_boolean',
  'not_date',
  'not_text',
  'empty',
  'not_choice',
  'not_codes',
  'repeated_code',
];
const NUM = '(-?\\d+(?:\\.\\d+)?)';

/** The problems an English reason of question `q` could be, most likely first. */
function candidates(q: string, reason: string): AnswerProblem[] {
  const out: AnswerProblem[] = PLAIN.map((code) => ({ question: q, code }) as AnswerProblem);
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^must be at least ${NUM}$`).exec(reason)))
    out.unshift({ question: q, code: 'below_min', min: Number(m[1]) });
  if ((m = /^must be at most (\d+) characters$/.exec(reason)))
    out.unshift({ question: q, code: 'too_long', max: Number(m[1]) });
  else if ((m = new RegExp(`^must be at most ${NUM}$`).exec(reason)))
    out.unshift({ question: q, code: 'above_max', max: Number(m[1]) });
  if ((m = /^must be on or after (\S+)$/.exec(reason)))
    out.unshift({ question: q, code: 'before_min', min: m[1] });
  if ((m = /^must be on or before (\S+)$/.exec(reason)))
    out.unshift({ question: q, code: 'after_max', max: m[1] });
  if ((m = /^must be one of (.*)$/.exec(reason)))
    out.unshift({ question: q, code: 'not_code', allowed: m[1].split(', ') });
  if ((m = /^has unknown code\(s\) (.*); allowed: (.*)$/.exec(reason)))
    out.unshift({ question: q, code: 'unknown_codes', codes: m[1].split(', '), allowed: m[2].split(', ') });
  if ((m = /^must be left unanswered unless (\S+) is (.+)$/.exec(reason)))
    out.unshift({
      question: q,
      code: 'not_applicable',
      when: m[1],
      equals: m[2] === 'true' ? true : m[2] === 'false' ? false : m[2],
    });
  const rule = /\[rule ([^\]]+)\]$/.exec(reason);
  const figures = new RegExp(
    `\\((?:= )?${NUM}\\) must not exceed .*?\\((?:= )?${NUM}\\)(?=: | \\[rule )`,
  ).exec(reason);
  if (rule && figures)
    out.unshift({
      question: q,
      code: 'rule',
      rule: rule[1],
      left: Number(figures[1]),
      right: Number(figures[2]),
    });
  return out;
}

/** An `answers.<id>` problem in `lang`, or null when the reason is not one the rules library gives. */
export function answerReasonIn(
  instrument: CompiledInstrument,
  field: string,
  reason: string,
  lang: Language,
): string | null {
  const q = answerQuestionId(field);
  if (!q) return null;
  for (const p of candidates(q, reason)) {
    if (p.code === 'rule' && !instrument.rules.has(p.rule)) continue;
    if (describeProblem(instrument, p, 'en') === reason) return describeProblem(instrument, p, lang);
  }
  return null;
}

/** The survey service's reasons for a row's own fields, as catalogue keys (`import:reasons.*`). */
const ROW_REASONS: {
  pattern: RegExp;
  key: string;
  values?: (m: RegExpExecArray) => Record<string, string>;
}[] = [
  { pattern: /^no Kampung KB with this id is known to the survey service$/, key: 'unknownKampung' },
  { pattern: /is outside your scope/, key: 'outsideScope' },
  { pattern: /^the period has not begun yet$/, key: 'notBegun' },
  {
    pattern: /^the period is before the kampung's launch on (\S+)$/,
    key: 'beforeLaunch',
    values: (m) => ({ date: m[1] }),
  },
  {
    pattern: /^has (\d+) cells where the header has (\d+)$/,
    key: 'cells',
    values: (m) => ({ cells: m[1], columns: m[2] }),
  },
  { pattern: /^already used for a submission with different content$/, key: 'conflict' },
];

/** A row's problem in the officer's language, or the API's words when it is not a known one. */
export function reasonIn(
  t: TFunction,
  instrument: CompiledInstrument,
  field: string,
  reason: string,
  lang: Language,
): string {
  if (lang === 'en') return reason;
  const answer = answerReasonIn(instrument, field, reason, lang);
  if (answer) return answer;
  for (const r of ROW_REASONS) {
    const m = r.pattern.exec(reason);
    if (m) return t(`import:reasons.${r.key}`, r.values?.(m) ?? {});
  }
  return reason;
}
