import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import {
  csvField,
  csvLine,
  csvStream,
  EXPORT_COLUMNS,
  guardFormula,
  xlsxStream,
} from './kampung-levels.export';
import type { KampungLevelRow } from './kampung-levels.repository';

const row = (i: number): KampungLevelRow => ({
  kampungId: randomUUID(),
  name: `Kampung KB ${i} ${'x'.repeat(40)}`,
  villageCode: '16.10.05.2041',
  level: 'mandiri',
  ruleSetVersion: 1,
  evaluatedAt: new Date('2025-03-01T00:00:00Z'),
  input: 3,
  process: 3.5,
  output: 2.25,
  modelRegency: false,
  modelProvince: true,
  latitude: -3.2,
  longitude: 104.6,
  active: true,
  k0: '',
  k1: null,
});

/** A source of `batches` batches of `size` rows that counts what was read. */
function source(batches: number, size: number) {
  let read = 0;
  let closed = 0;
  return {
    // Like a FETCH from the database: the rows arrive on a later turn of the event loop.
    next: async () => {
      await new Promise((r) => setImmediate(r));
      if (read >= batches * size) return [];
      const out = Array.from({ length: size }, (_, i) => row(read + i));
      read += size;
      return out;
    },
    done: async () => {
      closed++;
    },
    read: () => read,
    closed: () => closed,
  };
}

const tick = (ms = 200) => new Promise((r) => setTimeout(r, ms));

describe('kampung levels export', () => {
  it('should defuse text a spreadsheet would run as a formula, and only that', () => {
    for (const t of ['=1+1', '+62 812', '-2+3', '@SUM(A1)', '\t=1', '\r=1'])
      expect(guardFormula(t)).toBe(`'${t}`);
    for (const t of ['Kampung KB Seroja', "'quoted", '16.10.05.2041', '']) expect(guardFormula(t)).toBe(t);
  });

  it('should write RFC 4180 fields: quoted only when needed, quotes doubled, numbers and dates as they are', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(null)).toBe('');
    expect(csvField(-3.25)).toBe('-3.25');
    expect(csvField(new Date('2025-03-01T00:00:00.120Z'))).toBe('2025-03-01T00:00:00.120Z');
    expect(csvField('=cmd|"/c calc"!A1')).toBe(`"'=cmd|""/c calc""!A1"`);
    expect(csvLine(['a', 1, null, 'b,c'])).toBe('a,1,,"b,c"\r\n');
  });

  it('should read the next CSV batch only when the reader has taken the previous one', async () => {
    const src = source(50, 1000);
    const stream = csvStream(src.next, src.done);
    await tick();
    expect(src.read()).toBe(0);
    stream.read();
    await tick();
    expect(src.read()).toBeLessThanOrEqual(2000);
    let lines = 0;
    for await (const chunk of stream) lines += String(chunk).split('\r\n').length - 1;
    expect(src.read()).toBe(50_000);
    expect(lines).toBeGreaterThanOrEqual(49_000);
    expect(src.closed()).toBe(1);
  });

  it('should close the source when the CSV reader goes away midway', async () => {
    const src = source(50, 1000);
    const stream = csvStream(src.next, src.done);
    stream.read();
    await tick();
    stream.destroy();
    await tick();
    expect(src.closed()).toBe(1);
    expect(src.read()).toBeLessThan(50_000);
  });

  it('should wait for the XLSX reader before writing more batches, and finish a workbook exceljs reads', async () => {
    const src = source(40, 1000);
    const errors: Error[] = [];
    const stream = xlsxStream(src.next, src.done, (e) => errors.push(e));
    // Nobody reads: once the buffers are full the writer stalls instead of reading on.
    let stalled = -1;
    for (let i = 0; i < 20 && src.read() !== stalled; i++) {
      stalled = src.read();
      await tick(1000);
    }
    expect(stalled).toBeGreaterThan(0);
    await tick(1500);
    expect(src.read()).toBe(stalled);
    expect(stalled).toBeLessThanOrEqual(10_000);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(src.read()).toBe(40_000);
    expect(src.closed()).toBe(1);
    expect(errors).toEqual([]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0];
    expect(sheet.rowCount).toBe(40_001);
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(EXPORT_COLUMNS.map((c) => c.header));
    expect((sheet.getRow(2).values as unknown[]).slice(4, 9)).toEqual([
      'Mandiri',
      1,
      new Date('2025-03-01T00:00:00Z'),
      3,
      3.5,
    ]);
  }, 90_000);

  it('should stop reading and close the source when the XLSX reader goes away', async () => {
    const src = source(1000, 1000);
    const stream = xlsxStream(src.next, src.done, () => undefined);
    stream.resume();
    await tick(300);
    stream.destroy();
    await tick(500);
    const read = src.read();
    expect(src.closed()).toBe(1);
    await tick(300);
    expect(src.read()).toBe(read);
    expect(read).toBeLessThan(1_000_000);
  });
});
