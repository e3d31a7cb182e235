// The CSV template of an instrument, as the survey import reads it (services/survey/src/import):
// a header of column ids (submission_id, kampung_id, year, month, then the question ids in the
// instrument's order), then one comment line (it starts with #, and the import skips it) with the
// columns' labels in the officer's language. No data rows: kampung ids are the officer's own.
// Pure, so that it is unit-tested without a browser.
import type { InstrumentDefinition, Question } from '@kkb/instrument-rules';

/** The columns every import has before the question ids; submission_id may be left empty. */
export const FIXED_COLUMNS = ['submission_id', 'kampung_id', 'year', 'month'] as const;
export type FixedColumn = (typeof FIXED_COLUMNS)[number];

/** What the import takes for a yes/no answer (csv-row.mapper.ts), and between ticked choices. */
export const BOOLEAN_WORDS = { yes: 'ya', no: 'tidak' } as const;
export const CHOICE_SEPARATOR = '|';

/** The Byte Order Mark that tells Excel the file is UTF-8 (the import ignores it). */
export const BOM = '\uFEFF';

export function templateColumns(definition: Pick<InstrumentDefinition, 'questions'>): string[] {
  return [...FIXED_COLUMNS, ...definition.questions.map((q) => q.id)];
}

/** One CSV cell: quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvCell(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Words on one line: a label with a line break would end the comment line early. */
const oneLine = (s: string) => s.replace(/\s*[\r\n]+\s*/g, ' ').trim();

export interface TemplateWords {
  /** The label of each fixed column, in the officer's language. */
  fixed: Record<FixedColumn, string>;
  /** A question's label in the officer's language. */
  question: (q: Question) => string;
}

/**
 * The template's text (without the BOM): the header line of ids and the `#` line of labels, each
 * ended by CRLF as spreadsheets write CSV. The label line's first cell is never quoted, so that
 * the line starts with `#` and the import skips it.
 */
export function buildTemplate(
  definition: Pick<InstrumentDefinition, 'questions'>,
  words: TemplateWords,
): string {
  const header = templateColumns(definition).map(csvCell).join(',');
  const first = `# ${oneLine(words.fixed.submission_id).replace(/[",]/g, ' ')}`;
  const rest = [
    ...FIXED_COLUMNS.slice(1).map((c) => words.fixed[c]),
    ...definition.questions.map((q) => words.question(q)),
  ].map((label) => csvCell(oneLine(label)));
  return `${header}\r\n${[first, ...rest].join(',')}\r\n`;
}

/** The file name of an instrument's template, e.g. `template-monthly-report-v1.csv`. */
export function templateFileName(code: string, version: number): string {
  return `template-${code.replace(/[^a-z0-9-]/gi, '')}-v${version}.csv`;
}

/** The question id of an `answers.<id>` error field, else null. */
export function answerQuestionId(field: string): string | null {
  const m = /^answers\.([a-z][a-z0-9_]*)/.exec(field);
  return m ? m[1] : null;
}
