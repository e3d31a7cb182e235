import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Level } from '../rule-set/rule-set.definition';
import type { KampungLevelRow } from './kampung-levels.repository';

/** Rows read from the cursor per round trip: bounds what one export holds at a time. */
export const EXPORT_BATCH = 1000;

const LEVEL_LABELS: Record<Level, string> = {
  dasar: 'Dasar',
  berkembang: 'Berkembang',
  mandiri: 'Mandiri',
  berkelanjutan: 'Berkelanjutan',
};

type Cell = string | number | Date | null;

/** The columns of both formats, in order: header and value. */
export const EXPORT_COLUMNS: { header: string; value: (r: KampungLevelRow) => Cell; width: number }[] = [
  { header: 'ID Kampung', value: (r) => r.kampungId, width: 38 },
  { header: 'Nama Kampung', value: (r) => r.name, width: 36 },
  { header: 'Kode Desa', value: (r) => r.villageCode, width: 15 },
  { header: 'Tingkat', value: (r) => (r.level ? LEVEL_LABELS[r.level] : null), width: 14 },
  { header: 'Versi Aturan', value: (r) => r.ruleSetVersion, width: 12 },
  { header: 'Dievaluasi', value: (r) => r.evaluatedAt, width: 22 },
  { header: 'Indeks Input', value: (r) => r.input, width: 12 },
  { header: 'Indeks Proses', value: (r) => r.process, width: 12 },
  { header: 'Indeks Output', value: (r) => r.output, width: 12 },
  { header: 'Model Kabupaten', value: (r) => (r.modelRegency ? 'ya' : 'tidak'), width: 15 },
  { header: 'Model Provinsi', value: (r) => (r.modelProvince ? 'ya' : 'tidak'), width: 14 },
  { header: 'Lintang', value: (r) => r.latitude, width: 12 },
  { header: 'Bujur', value: (r) => r.longitude, width: 12 },
  { header: 'Aktif', value: (r) => (r.active ? 'ya' : 'tidak'), width: 8 },
];

/**
 * Text that a spreadsheet would read as a formula (= + - @, or a leading tab or carriage return
 * that some strip first) gets a leading apostrophe, so a kampung named `=HYPERLINK(...)` stays text.
 */
export function guardFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One RFC 4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  const text = cell instanceof Date ? cell.toISOString() : guardFormula(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: Cell[]): string => `${cells.map(csvField).join(',')}\r\n`;

const xlsxCell = (cell: Cell): Cell => (typeof cell === 'string' ? guardFormula(cell) : cell);

/** Reads the next batch; an empty batch ends the export. */
export type NextBatch = () => Promise<KampungLevelRow[]>;

/**
 * CSV (UTF-8, header row, CRLF) produced batch by batch as the response is read: the next batch
 * is fetched only when the socket has taken the previous one. `done` runs however it ends.
 */
export function csvStream(next: NextBatch, done: () => Promise<void>): Readable {
  async function* lines() {
    try {
      yield Buffer.from(csvLine(EXPORT_COLUMNS.map((c) => c.header)));
      for (;;) {
        const rows = await next();
        if (!rows.length) return;
        yield Buffer.from(rows.map((r) => csvLine(EXPORT_COLUMNS.map((c) => c.value(r)))).join(''));
      }
    } finally {
      await done();
    }
  }
  return Readable.from(lines(), { objectMode: false });
}

/**
 * Waits while the response is not taking what was written. exceljs hands each committed row to
 * the zip's deflate without waiting, so the writer yields a turn first (the zip passes the rows
 * on), then polls `out`: full means the client is slower than the export, and no rows are read.
 */
async function backlogCleared(out: PassThrough): Promise<void> {
  await new Promise((r) => setImmediate(r));
  while (out.writableNeedDrain && !out.destroyed) await new Promise((r) => setTimeout(r, 10));
}

/**
 * XLSX through exceljs's streaming WorkbookWriter (no shared strings: those would keep every
 * name in memory). Each batch is written, then the writer waits until the response has taken
 * the zipped bytes before it reads the next one.
 */
export function xlsxStream(
  next: NextBatch,
  done: () => Promise<void>,
  onError: (err: Error) => void,
): Readable {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = 'Kampung KB';
  const sheet = workbook.addWorksheet('Kampung KB', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = EXPORT_COLUMNS.map((c, i) => ({
    key: String(i),
    width: c.width,
    ...(c.header === 'Dievaluasi' ? { style: { numFmt: 'yyyy-mm-dd hh:mm:ss' } } : {}),
  }));
  const write = async () => {
    try {
      const header = sheet.addRow(EXPORT_COLUMNS.map((c) => c.header));
      header.font = { bold: true };
      header.commit();
      for (;;) {
        if (out.destroyed) return;
        const rows = await next();
        if (!rows.length) break;
        for (const r of rows) sheet.addRow(EXPORT_COLUMNS.map((c) => xlsxCell(c.value(r)))).commit();
        await backlogCleared(out);
      }
      sheet.commit();
      await workbook.commit();
    } catch (err) {
      onError(err as Error);
      out.destroy(err as Error);
    } finally {
      await done();
    }
  };
  void write();
  return out;
}
