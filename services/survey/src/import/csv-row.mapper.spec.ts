import { isUUID } from 'class-validator';
import { compile } from '@kkb/instrument-rules';
import { kampungProfileV1 } from '../instrument/seed/kampung-profile.v1';
import { monthlyReportV1 } from '../instrument/seed/monthly-report.v1';
import { CsvRowMapper, derivedId } from './csv-row.mapper';

const report = compile(monthlyReportV1);
const profile = compile(kampungProfileV1);
const K = '6f1c2b0e-3d4a-4c55-9a1e-2f7b8c9d0e1f';

function mapperOf(header: string[], instrument = report, code = 'monthly-report') {
  const r = CsvRowMapper.fromHeader(header, instrument, code, 1);
  if ('errors' in r) throw new Error(JSON.stringify(r.errors));
  return r.mapper;
}

describe(CsvRowMapper.name, () => {
  it('should refuse a header with unknown, repeated or missing columns, naming each', () => {
    const r = CsvRowMapper.fromHeader(
      ['kampung_id', 'year', 'pus', 'pus', 'colour'],
      report,
      'monthly-report',
      1,
    );
    expect('errors' in r && r.errors).toEqual([
      { field: 'header[3]', reason: 'column pus appears twice' },
      { field: 'header[4]', reason: 'column colour is not a question of monthly-report v1' },
      { field: 'header', reason: 'column month is missing' },
    ]);
  });

  it('should map a row to a submission body, converting cells by question type', () => {
    const m = mapperOf([
      '\uFEFFsubmission_id',
      'kampung_id',
      'year',
      'month',
      'pus',
      'users_iud',
      'bpjs_users',
    ]);
    const id = '2d1f0c9e-8b7a-4c6d-9e5f-4a3b2c1d0e9f';
    expect(m.map([id, K, '2025', ' 3 ', '640', 'forty', ''])).toEqual({
      body: {
        id,
        kampungId: K,
        instrumentCode: 'monthly-report',
        instrumentVersion: 1,
        period: { year: 2025, month: 3 },
        answers: { pus: 640, users_iud: 'forty' },
      },
    });
  });

  it('should read booleans in English or Indonesian and lists separated by | or ;', () => {
    const m = mapperOf(
      [
        'kampung_id',
        'year',
        'month',
        'pokja_exists',
        'plkb_assigned',
        'funding_sources',
        'facilities',
        'sk_exists',
      ],
      profile,
      'kampung-profile',
    );
    const out = m.map([K, '2025', '1', 'ya', 'TIDAK', 'apbd|dana_desa; csr', '', 'maybe']);
    expect('body' in out && out.body.answers).toEqual({
      pokja_exists: true,
      plkb_assigned: false,
      funding_sources: ['apbd', 'dana_desa', 'csr'],
      facilities: [],
      sk_exists: 'maybe',
    });
  });

  it('should refuse a row whose cell count differs from the header', () => {
    expect(mapperOf(['kampung_id', 'year', 'month']).map([K, '2025'])).toEqual({
      errors: [{ field: 'row', reason: 'has 2 cells where the header has 3' }],
    });
  });

  it('should read ids in either case as the one lower-case id, derived ids included', () => {
    const withId = mapperOf(['submission_id', 'kampung_id', 'year', 'month', 'pus']);
    const id = '2d1f0c9e-8b7a-4c6d-9e5f-4a3b2c1d0e9f';
    expect(withId.map([id.toUpperCase(), K.toUpperCase(), '2025', '3', '640'])).toEqual(
      withId.map([id, K, '2025', '3', '640']),
    );
    const derived = mapperOf(['kampung_id', 'year', 'month', 'pus']);
    expect(derived.map([K.toUpperCase(), '2025', '3', '640'])).toEqual(derived.map([K, '2025', '3', '640']));
  });

  it('should derive a stable UUID from the content when the row has no id', () => {
    const m = mapperOf(['kampung_id', 'year', 'month', 'pus']);
    const a = m.map([K, '2025', '3', '640']);
    const b = m.map([K, '2025', '3', '640']);
    const c = m.map([K, '2025', '3', '641']);
    const id = (r: typeof a) => ('body' in r ? (r.body.id as string) : '');
    expect(id(a)).toBe(id(b));
    expect(id(a)).not.toBe(id(c));
    expect(isUUID(id(a))).toBe(true);
    expect(derivedId({ x: 1 })).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
