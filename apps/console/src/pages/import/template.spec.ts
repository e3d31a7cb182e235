import type { Question } from '@kkb/instrument-rules';
import { parse } from 'csv-parse/sync';
import { answerQuestionId, BOM, buildTemplate, csvCell, templateColumns, templateFileName } from './template';

const q = (id: string, label: string, labels?: Question['labels']): Question => ({
  id,
  type: 'integer',
  label,
  labels,
  required: false,
});

const definition = {
  questions: [
    q('pus', 'Couples of reproductive age (PUS)', { id: 'Pasangan usia subur (PUS)' }),
    q('pokja_exists', 'Has a "Pokja", or not'),
    q('notes', 'Notes\nfree text'),
  ],
};
const words = {
  fixed: {
    submission_id: 'ID pengiriman (boleh kosong)',
    kampung_id: 'ID kampung',
    year: 'Tahun',
    month: 'Bulan',
  },
  question: (x: Question) => x.labels?.id ?? x.label,
};

describe('the CSV template', () => {
  const text = buildTemplate(definition, words);
  const lines = text.split('\r\n');

  it('has the import columns in order, then the question ids in the instrument order', () => {
    expect(templateColumns(definition)).toEqual([
      'submission_id',
      'kampung_id',
      'year',
      'month',
      'pus',
      'pokja_exists',
      'notes',
    ]);
    expect(lines[0]).toBe('submission_id,kampung_id,year,month,pus,pokja_exists,notes');
  });

  it('has one label line that starts with # and no data row', () => {
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines[1].startsWith('# ID pengiriman')).toBe(true);
  });

  it('reads back, as the import reads it, as the header alone; without comments the labels are cells', () => {
    const asImport = parse(BOM + text, { bom: true, comment: '#', comment_no_infix: true });
    expect(asImport).toEqual([templateColumns(definition)]);
    const [, labels] = parse(text) as string[][];
    expect(labels).toEqual([
      '# ID pengiriman (boleh kosong)',
      'ID kampung',
      'Tahun',
      'Bulan',
      'Pasangan usia subur (PUS)',
      'Has a "Pokja", or not',
      'Notes free text',
    ]);
  });

  it('quotes only the cells that need it', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "ya"')).toBe('"say ""ya"""');
    expect(csvCell(' edge')).toBe('" edge"');
  });

  it('names the file after the instrument and version', () => {
    expect(templateFileName('monthly-report', 2)).toBe('template-monthly-report-v2.csv');
  });

  it('finds the question of an answers.<id> error field', () => {
    expect(answerQuestionId('answers.users_pill')).toBe('users_pill');
    expect(answerQuestionId('kampungId')).toBeNull();
    expect(answerQuestionId('period.year')).toBeNull();
  });
});
