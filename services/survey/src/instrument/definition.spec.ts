import { checkDefinition, type InstrumentDefinition } from '@kkb/instrument-rules';
import { kampungProfileV1 } from './seed/kampung-profile.v1';
import { monthlyReportV1 } from './seed/monthly-report.v1';

const minimal = (): InstrumentDefinition => ({
  codeLists: {
    yes_no_unknown: [
      { code: 'yes', label: 'Yes' },
      { code: 'no', label: 'No' },
    ],
  },
  questions: [
    { id: 'pus', type: 'integer', label: 'PUS', required: true, min: 0 },
    { id: 'users', type: 'integer', label: 'Users', required: true, min: 0 },
    { id: 'answer', type: 'single_choice', label: 'Answer', required: false, codeList: 'yes_no_unknown' },
  ],
  rules: [{ id: 'users_lte_pus', rule: 'sum_lte', fields: ['users'], limit: 'pus' }],
});

describe(checkDefinition.name, () => {
  it('should accept both seeded instruments', () => {
    expect(checkDefinition(kampungProfileV1)).toEqual([]);
    expect(checkDefinition(monthlyReportV1)).toEqual([]);
  });

  it('should give the seeded questions unique snake_case ids', () => {
    const ids = [...kampungProfileV1.questions, ...monthlyReportV1.questions].map((q) => q.id);
    expect(ids.every((id) => /^[a-z][a-z0-9_]*$/.test(id))).toBe(true);
    expect(new Set(kampungProfileV1.questions.map((q) => q.id)).size).toBe(kampungProfileV1.questions.length);
  });

  it('should accept a minimal definition', () => {
    expect(checkDefinition(minimal())).toEqual([]);
  });

  it('should name every problem of a broken definition', () => {
    const def = minimal() as unknown as Record<string, unknown> & InstrumentDefinition;
    def.questions.push(
      { id: 'pus', type: 'integer', label: 'again', required: true },
      { id: 'Bad-Id', type: 'integer', label: 'x', required: true },
      { id: 'kind', type: 'colour' as never, label: 'x', required: true },
      { id: 'pick', type: 'multiple_choice', label: 'x', required: true, codeList: 'missing' },
      { id: 'when', type: 'integer', label: 'x', required: true, min: 5, max: 1 },
      {
        id: 'only',
        type: 'integer',
        label: 'x',
        required: true,
        relevantIf: { question: 'pus', equals: true },
      },
    );
    def.rules.push({ id: 'broken', rule: 'sum_lte', fields: ['answer'], limit: 'nothing' });
    def.extra = 1;
    expect(checkDefinition(def).map((e) => e.field)).toEqual([
      'definition.extra',
      'definition.questions[3].id',
      'definition.questions[4].id',
      'definition.questions[5].type',
      'definition.questions[6].codeList',
      'definition.questions[7].min',
      'definition.questions[8].relevantIf.question',
      'definition.rules[1].fields',
      'definition.rules[1].limit',
    ]);
  });

  it('should refuse something that is not a definition at all', () => {
    expect(checkDefinition('form')).toEqual([
      { field: 'definition', reason: 'definition must be an object with codeLists, questions and rules' },
    ]);
  });
});
