import {
  compile,
  describeProblem,
  type AnswerProblem,
  type InstrumentDefinition,
} from '@kkb/instrument-rules';
import { answerReasonIn } from './reasons';

const definition: InstrumentDefinition = {
  codeLists: { source: [{ code: 'apbd', label: 'Regional budget', labels: { id: 'APBD' } }] },
  questions: [
    { id: 'pus', type: 'integer', label: 'PUS', labels: { id: 'PUS' }, required: true, min: 0, max: 1000 },
    { id: 'users_pill', type: 'integer', label: 'Pill', labels: { id: 'Pil' }, required: true, min: 0 },
    { id: 'users_iud', type: 'integer', label: 'IUD', required: true, min: 0 },
    { id: 'nonusers', type: 'integer', label: 'Non-users', required: true, min: 0 },
    { id: 'source', type: 'single_choice', label: 'Source', required: false, codeList: 'source' },
    { id: 'note', type: 'text', label: 'Note', required: false, maxLength: 20 },
  ],
  rules: [
    {
      id: 'users_lte_pus',
      rule: 'sum_lte',
      fields: ['users_pill', 'users_iud'],
      limit: 'pus',
      description: 'users add up to no more than the PUS',
      descriptions: { id: 'Peserta KB tidak boleh melebihi PUS' },
    },
    {
      id: 'nonusers_lte',
      rule: 'sum_lte',
      fields: ['nonusers'],
      limit: 'pus',
      minus: ['users_pill', 'users_iud'],
    },
  ],
};
const instrument = compile(definition);

describe('a row problem in the officer language', () => {
  const problems: AnswerProblem[] = [
    { question: 'pus', code: 'required' },
    { question: 'pus', code: 'not_number' },
    { question: 'pus', code: 'below_min', min: 0 },
    { question: 'pus', code: 'above_max', max: 1000 },
    { question: 'note', code: 'too_long', max: 20 },
    { question: 'source', code: 'not_code', allowed: ['apbd'] },
    { question: 'users_pill', code: 'rule', rule: 'users_lte_pus', left: 944, right: 640 },
    { question: 'nonusers', code: 'rule', rule: 'nonusers_lte', left: 133, right: -304 },
  ];

  it.each(problems.map((p) => [p.code, p] as const))(
    'reads the English reason of %s back and says it in Bahasa Indonesia',
    (_code, p) => {
      const en = describeProblem(instrument, p, 'en');
      expect(answerReasonIn(instrument, `answers.${p.question}`, en, 'id')).toBe(
        describeProblem(instrument, p, 'id'),
      );
    },
  );

  it('says a broken rule with its own words and the figures', () => {
    const en = describeProblem(
      instrument,
      { question: 'users_pill', code: 'rule', rule: 'users_lte_pus', left: 944, right: 640 },
      'en',
    );
    expect(answerReasonIn(instrument, 'answers.users_pill', en, 'id')).toMatch(
      /^Peserta KB tidak boleh melebihi PUS .*944.*640/,
    );
  });

  it('leaves what it does not recognise alone', () => {
    expect(answerReasonIn(instrument, 'answers.pus', 'something new', 'id')).toBeNull();
    expect(answerReasonIn(instrument, 'kampungId', 'is required', 'id')).toBeNull();
    expect(
      answerReasonIn(instrument, 'answers.pus', 'a (= 1) must not exceed b (2) [rule unknown]', 'id'),
    ).toBeNull();
  });
});
