// From what the officer typed to the answers the survey service takes, and the problems of those
// answers, found by the same rule engine the survey service runs (@kkb/instrument-rules).
import {
  applies,
  checkAnswers,
  describeProblem,
  type AnswerProblem,
  type CompiledInstrument,
  type Language,
  type Question,
} from '@kkb/instrument-rules';

const INTEGER = /^-?\d+$/;
/** 1.000 or 12.500.000: Indonesian thousands separators, in a whole-number question. */
const GROUPED = /^-?\d{1,3}(\.\d{3})+$/;
const DECIMAL = /^-?\d+[.,]\d+$/;

/**
 * One typed number: digits (Indonesian thousands dots allowed in whole numbers, a decimal comma or
 * point), else the text as typed, which the rule engine then reports as not a number.
 */
export function parseNumber(text: string, q: Question): number | string {
  const t = text.trim().replace(/\s/g, '');
  if (INTEGER.test(t)) return Number(t);
  if (q.type === 'integer' && GROUPED.test(t)) return Number(t.replace(/\./g, ''));
  if (DECIMAL.test(t)) return Number(t.replace(',', '.'));
  return text;
}

/**
 * The answers of a form: only the questions that apply (skip logic, in form order), empty fields
 * left out, numbers parsed. What the form shows its problems for, and what is sent.
 */
export function toAnswers(
  instrument: CompiledInstrument,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const q of instrument.definition.questions) {
    if (!applies(q, out)) continue;
    const v = values[q.id];
    if (v === undefined || v === null) continue;
    switch (q.type) {
      case 'integer':
      case 'decimal':
        if (typeof v === 'string') {
          if (v.trim() !== '') out[q.id] = parseNumber(v, q);
        } else out[q.id] = v;
        break;
      case 'text':
      case 'date':
      case 'single_choice':
        if (v !== '') out[q.id] = v;
        break;
      default:
        out[q.id] = v;
    }
  }
  return out;
}

/** The form's problems by question id, in words of `lang` (a question may have several). */
export function problemsByQuestion(
  instrument: CompiledInstrument,
  problems: AnswerProblem[],
  lang: Language,
): Map<string, string[]> {
  const byQuestion = new Map<string, string[]>();
  for (const p of problems) {
    const list = byQuestion.get(p.question) ?? [];
    const text = describeProblem(instrument, p, lang);
    if (!list.includes(text)) list.push(text);
    byQuestion.set(p.question, list);
  }
  return byQuestion;
}

export interface FormCheck {
  answers: Record<string, unknown>;
  problems: AnswerProblem[];
}

/** The answers of the form and every problem of them: none means the report may be sent. */
export function checkForm(instrument: CompiledInstrument, values: Record<string, unknown>): FormCheck {
  const answers = toAnswers(instrument, values);
  return { answers, problems: checkAnswers(instrument, answers) };
}

/** How many of the questions that apply are answered. */
export function progress(
  instrument: CompiledInstrument,
  answers: Record<string, unknown>,
): { answered: number; total: number } {
  const applying = instrument.definition.questions.filter((q) => applies(q, answers));
  return { answered: applying.filter((q) => answers[q.id] !== undefined).length, total: applying.length };
}
