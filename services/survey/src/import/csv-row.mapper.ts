import { createHash } from 'node:crypto';
import type { FieldError } from '@kkb/platform';
import { canonicalJson } from '../common/body-hash';
import type { CompiledInstrument } from '@kkb/instrument-rules';

/** Columns every import has besides the instrument's question ids. */
export const ID_COLUMN = 'submission_id';
export const REQUIRED_COLUMNS = ['kampung_id', 'year', 'month'] as const;

const TRUE = new Set(['true', '1', 'yes', 'y', 'ya']);
const FALSE = new Set(['false', '0', 'no', 'n', 'tidak']);
const NUMBER = /^-?\d+(\.\d+)?$/;
const INTEGER = /^\d+$/;

/**
 * Turns the rows of a CSV export (one row per kampung and period, one column per question id)
 * into submission bodies, so an imported row is validated exactly like an HTTP submission.
 * Cells that do not convert are passed on as text: the validator then names the field.
 */
export class CsvRowMapper {
  private constructor(
    private readonly instrument: CompiledInstrument,
    private readonly code: string,
    private readonly version: number,
    private readonly columns: string[],
  ) {}

  /** Checks the header row; returns the mapper, or every problem of the header. */
  static fromHeader(
    header: string[],
    instrument: CompiledInstrument,
    code: string,
    version: number,
  ): { mapper: CsvRowMapper } | { errors: FieldError[] } {
    const columns = header.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
    const errors: FieldError[] = [];
    const seen = new Set<string>();
    columns.forEach((c, i) => {
      if (seen.has(c)) errors.push({ field: `header[${i}]`, reason: `column ${c} appears twice` });
      seen.add(c);
      if (
        c !== ID_COLUMN &&
        !(REQUIRED_COLUMNS as readonly string[]).includes(c) &&
        !instrument.questions.has(c)
      )
        errors.push({
          field: `header[${i}]`,
          reason: `column ${c || '(empty)'} is not a question of ${code} v${version}`,
        });
    });
    for (const c of REQUIRED_COLUMNS)
      if (!seen.has(c)) errors.push({ field: 'header', reason: `column ${c} is missing` });
    return errors.length ? { errors } : { mapper: new CsvRowMapper(instrument, code, version, columns) };
  }

  /** One data row as a submission body; `errors` when the row cannot even be read as one. */
  map(cells: string[]): { body: Record<string, unknown> } | { errors: FieldError[] } {
    if (cells.length !== this.columns.length) {
      return {
        errors: [
          { field: 'row', reason: `has ${cells.length} cells where the header has ${this.columns.length}` },
        ],
      };
    }
    const answers: Record<string, unknown> = {};
    let id = '';
    const top: Record<string, unknown> = {};
    this.columns.forEach((c, i) => {
      const cell = cells[i].trim();
      // UUIDs in their canonical lower case, as the API stores them (see SubmitSubmissionDto).
      if (c === ID_COLUMN) id = cell.toLowerCase();
      else if (c === 'kampung_id') top.kampungId = cell.toLowerCase();
      else if (c === 'year' || c === 'month') top[c] = INTEGER.test(cell) ? Number(cell) : cell;
      else {
        const value = this.convert(c, cell);
        if (value !== undefined) answers[c] = value;
      }
    });
    const body = {
      kampungId: top.kampungId,
      instrumentCode: this.code,
      instrumentVersion: this.version,
      period: { year: top.year, month: top.month },
      answers,
    };
    return { body: { id: id || derivedId(body), ...body } };
  }

  private convert(id: string, cell: string): unknown {
    const q = this.instrument.questions.get(id);
    if (!q) return cell;
    switch (q.type) {
      case 'integer':
      case 'decimal':
        return cell === '' ? undefined : NUMBER.test(cell) ? Number(cell) : cell;
      case 'boolean': {
        if (cell === '') return undefined;
        const v = cell.toLowerCase();
        return TRUE.has(v) ? true : FALSE.has(v) ? false : cell;
      }
      case 'multiple_choice':
        // An empty cell is "none of these": exports write nothing for an unticked list.
        return cell
          .split(/[|;]/)
          .map((s) => s.trim())
          .filter(Boolean);
      case 'date':
      case 'text':
      case 'single_choice':
        return cell === '' ? undefined : cell;
    }
  }
}

/**
 * A row without a submission id gets one derived from its content: importing the same file again
 * is then a retry (nothing changes), while a corrected row is a new submission that supersedes.
 */
export function derivedId(body: unknown): string {
  const h = createHash('sha256')
    .update(`kkb-survey-import:${canonicalJson(body)}`)
    .digest();
  h[6] = (h[6] & 0x0f) | 0x80; // version 8: a custom, name-based UUID
  h[8] = (h[8] & 0x3f) | 0x80; // RFC 4122 variant
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
