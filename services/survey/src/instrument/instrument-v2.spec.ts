import {
  checkAnswers,
  checkDefinition,
  compile,
  describeProblem,
  LANGUAGES,
  questionLabel,
  sectionLabel,
  validateAnswers,
  type InstrumentDefinition,
} from '@kkb/instrument-rules';
import { profileAnswers, reportAnswers } from '../../test/factories';
import { kampungProfileV1 } from './seed/kampung-profile.v1';
import { KAMPUNG_PROFILE_V2_WORDS, kampungProfileV2 } from './seed/kampung-profile.v2';
import { monthlyReportV1 } from './seed/monthly-report.v1';
import { MONTHLY_REPORT_V2_WORDS, monthlyReportV2 } from './seed/monthly-report.v2';
import { withWords } from './seed/with-words';

/** A definition without its words: what v2 must share with v1. */
const withoutWords = (d: InstrumentDefinition): InstrumentDefinition => ({
  codeLists: Object.fromEntries(
    Object.entries(d.codeLists).map(([k, v]) => [k, v.map(({ labels: _, ...e }) => e)]),
  ),
  questions: d.questions.map(({ labels: _, ...q }) => q),
  rules: d.rules.map(({ descriptions: _, ...r }) => r),
});

const cases: [string, InstrumentDefinition, InstrumentDefinition][] = [
  ['kampung-profile', kampungProfileV1, kampungProfileV2],
  ['monthly-report', monthlyReportV1, monthlyReportV2],
];

describe.each(cases)('%s version 2', (_code, v1, v2) => {
  it('should pass checkDefinition', () => {
    expect(checkDefinition(v2)).toEqual([]);
  });

  it('should have the questions, code lists and rules of version 1, in the same order', () => {
    expect(withoutWords(v2)).toEqual(withoutWords(v1));
    expect(v1).not.toHaveProperty('sections');
  });

  it('should carry words in both languages for every question, code, rule and section', () => {
    const both = (labels: Partial<Record<string, string>> | undefined, english?: string) => {
      for (const lang of LANGUAGES) expect(labels?.[lang]?.trim()).toBeTruthy();
      if (english !== undefined) expect(labels?.en).toBe(english);
      // Indonesian words of their own, not the English copied.
      expect(labels?.id).not.toBe(labels?.en);
    };
    for (const q of v2.questions) both(q.labels, q.label);
    for (const list of Object.values(v2.codeLists)) for (const e of list) both(e.labels, e.label);
    for (const r of v2.rules) both(r.descriptions, r.description);
    const used = [...new Set(v2.questions.map((q) => q.section))];
    expect(v2.sections?.map((s) => s.id)).toEqual(used);
    for (const s of v2.sections ?? []) both(s.labels);
  });
});

describe('words of version 2', () => {
  it('should say the users-within-PUS rule in the agreed Indonesian words', () => {
    const rule = monthlyReportV2.rules.find((r) => r.id === 'users_lte_pus');
    expect(rule?.descriptions).toEqual({
      id: 'Peserta KB per metode tidak boleh melebihi PUS',
      en: 'contraceptive users by method add up to no more than the PUS',
    });
    const report = compile(monthlyReportV2);
    const [problem] = checkAnswers(report, reportAnswers({ pus: 100 }));
    expect(describeProblem(report, problem, 'id')).toBe(
      'Peserta KB per metode tidak boleh melebihi PUS (jumlahnya 404, batasnya 100)',
    );
  });

  it('should head sections and name questions in the reader’s language', () => {
    const profile = compile(kampungProfileV2);
    expect(sectionLabel(profile, 'pokja', 'id')).toBe('Kelompok Kerja (Pokja)');
    expect(sectionLabel(profile, 'pokja', 'en')).toBe('Working group (Pokja)');
    expect(questionLabel(profile.questions.get('population_f_75_plus')!, 'id')).toBe(
      'Jumlah penduduk perempuan umur 75 tahun ke atas',
    );
    expect(questionLabel(profile.questions.get('pus')!, 'id')).toBe('Jumlah Pasangan Usia Subur (PUS)');
  });

  it('should fail loudly when a question, code, rule or section lacks words, or words name nothing', () => {
    const { pus: _, ...questions } = MONTHLY_REPORT_V2_WORDS.questions;
    expect(() => withWords('m', monthlyReportV1, { ...MONTHLY_REPORT_V2_WORDS, questions })).toThrow(
      'm: no words for questions.pus',
    );
    const { camat: __, ...issuers } = KAMPUNG_PROFILE_V2_WORDS.codes.regulation_issuer;
    const codes = { ...KAMPUNG_PROFILE_V2_WORDS.codes, regulation_issuer: issuers };
    expect(() => withWords('k', kampungProfileV1, { ...KAMPUNG_PROFILE_V2_WORDS, codes })).toThrow(
      'k: no words for codeLists.regulation_issuer.camat',
    );
    const { bpjs_users_lte_pus: ___, ...rules } = MONTHLY_REPORT_V2_WORDS.rules;
    expect(() => withWords('m', monthlyReportV1, { ...MONTHLY_REPORT_V2_WORDS, rules })).toThrow(
      'no words for rules.bpjs_users_lte_pus',
    );
    const sections = { ...MONTHLY_REPORT_V2_WORDS.sections, poktan: { id: ' ', en: 'Groups' } };
    expect(() => withWords('m', monthlyReportV1, { ...MONTHLY_REPORT_V2_WORDS, sections })).toThrow(
      'no words for sections.poktan',
    );
    const extra = { ...MONTHLY_REPORT_V2_WORDS.questions, kie_sessions: 'Sesi KIE' };
    expect(() => withWords('m', monthlyReportV1, { ...MONTHLY_REPORT_V2_WORDS, questions: extra })).toThrow(
      'words for nothing of the instrument: questions.kie_sessions',
    );
    const undescribed = {
      ...monthlyReportV1,
      rules: [{ ...monthlyReportV1.rules[0], description: undefined }],
    };
    expect(() => withWords('m', undescribed, MONTHLY_REPORT_V2_WORDS)).toThrow(
      /no words for rules\.bkb_participants_lte_target \(no English description\)/,
    );
  });
});

describe('version 2 validates exactly like version 1', () => {
  const reports: [string, unknown][] = [
    ['a consistent report', reportAnswers()],
    ['users above the PUS', reportAnswers({ pus: 100 })],
    ['non-users above the PUS who use no method', reportAnswers({ nonusers_tial: 500 })],
    [
      'participants above the target families',
      reportAnswers({ bkb_participants: 500, pik_r_participants: 81 }),
    ],
    ['BPJS users above the PUS', reportAnswers({ bpjs_users: 641 })],
    [
      'missing, negative, fractional and textual counts',
      reportAnswers({ pus: undefined, users_iud: -1, users_pill: 2.5, bpjs_users: 'many' }),
    ],
    ['a null and an unknown answer', reportAnswers({ nonusers_iat: null, kie_sessions: 3 })],
    ['more than the maximum', reportAnswers({ pus: 1_000_001 })],
    ['not an object', [1, 2]],
  ];
  const profiles: [string, unknown][] = [
    ['a consistent profile', profileAnswers()],
    ['no Pokja, yet its members', profileAnswers({ pokja_exists: false })],
    [
      'no Pokja, nor its answers',
      profileAnswers({ pokja_exists: false, pokja_members: undefined, pokja_trained: undefined }),
    ],
    [
      'an unknown issuer and funding source',
      profileAnswers({ sk_issuer: 'president', funding_sources: ['apbn', 'lottery'] }),
    ],
    [
      'a repeated code and a code list that is not a list',
      profileAnswers({ facilities: ['secretariat', 'secretariat'], data_sources: 'pk' }),
    ],
    ['a boolean as text and an issuer as a number', profileAnswers({ plkb_assigned: 'yes', sk_issuer: 3 })],
    ['more families with a toddler, teen or elderly member than families', profileAnswers({ families: 100 })],
    ['a Pokja too large and no PUS', profileAnswers({ pokja_members: 501, pus: undefined })],
    ['an SK without its issuer', profileAnswers({ sk_issuer: undefined })],
  ];
  const pairs: [string, InstrumentDefinition, InstrumentDefinition, [string, unknown][]][] = [
    ['monthly-report', monthlyReportV1, monthlyReportV2, reports],
    ['kampung-profile', kampungProfileV1, kampungProfileV2, profiles],
  ];

  describe.each(pairs)('%s', (_code, v1Definition, v2Definition, answers) => {
    const v1 = compile(v1Definition);
    const v2 = compile(v2Definition);
    it.each(answers)('%s', (_what, raw) => {
      expect(checkAnswers(v2, raw)).toEqual(checkAnswers(v1, raw));
      expect(validateAnswers(v2, raw)).toEqual(validateAnswers(v1, raw));
    });

    it('should find problems in most of these answers (the comparison is not of empty lists)', () => {
      const failing = answers.filter(([, raw]) => checkAnswers(v1, raw).length > 0);
      expect(failing.length).toBeGreaterThanOrEqual(answers.length - 2);
    });
  });
});
