import { checkAnswers, compile, type AnswerProblem, type ProblemCode } from './answers';
import type { InstrumentDefinition, SumLteRule } from './definition';
import { codeLabel, describeProblem, questionLabel, ruleInWords, sectionLabel } from './words';

const definition: InstrumentDefinition = {
  codeLists: {
    issuer: [
      { code: 'camat', label: 'District head (camat)', labels: { id: 'Camat', en: 'District head (camat)' } },
      { code: 'village_head', label: 'Village head', labels: { id: 'Kepala Desa/Lurah' } },
    ],
    facility: [
      { code: 'secretariat', label: 'Secretariat', labels: { id: 'Sekretariat', en: 'Secretariat' } },
      { code: 'rumah_dataku', label: 'Village data house (Rumah DataKu)' },
    ],
  },
  questions: [
    {
      id: 'sk_exists',
      type: 'boolean',
      label: 'A decree (SK) exists',
      labels: { id: 'Ada SK pembentukan', en: 'A decree (SK) exists' },
      section: 'regulation',
      required: true,
    },
    {
      id: 'sk_issuer',
      type: 'single_choice',
      label: 'Who issued the SK',
      labels: { id: 'Penerbit SK' },
      section: 'regulation',
      required: true,
      codeList: 'issuer',
      relevantIf: { question: 'sk_exists', equals: true },
    },
    {
      id: 'sk_note',
      type: 'text',
      label: 'Note on the SK',
      required: false,
      maxLength: 5,
      relevantIf: { question: 'sk_issuer', equals: 'camat' },
    },
    { id: 'facilities', type: 'multiple_choice', label: 'Facilities', required: false, codeList: 'facility' },
    { id: 'remark', type: 'text', label: 'Remark', required: true, maxLength: 3000 },
    {
      id: 'launched',
      type: 'date',
      label: 'Launch date',
      required: false,
      min: '2016-01-14',
      max: '2030-12-31',
    },
    {
      id: 'pus',
      type: 'integer',
      label: 'Couples of reproductive age (PUS)',
      labels: { id: 'Pasangan Usia Subur (PUS)', en: 'Couples of reproductive age (PUS)' },
      section: 'family_planning',
      required: false,
      min: 0,
      max: 1_000_000,
    },
    {
      id: 'users_iud',
      type: 'integer',
      label: 'PUS using IUD',
      labels: { id: 'Peserta KB IUD' },
      section: 'family_planning',
      required: false,
      min: 0,
    },
    {
      id: 'users_pill',
      type: 'integer',
      label: 'PUS using pills',
      section: 'family_planning',
      required: false,
    },
    {
      id: 'nonusers_iat',
      type: 'integer',
      label: 'IAT',
      labels: { id: 'Ingin anak ditunda (IAT)' },
      required: false,
    },
    { id: 'ratio', type: 'decimal', label: 'Ratio', required: false, min: 0.5, max: 1234.5 },
  ],
  rules: [
    {
      id: 'users_lte_pus',
      rule: 'sum_lte',
      fields: ['users_iud', 'users_pill'],
      limit: 'pus',
      description: 'users are some of the PUS',
      descriptions: { id: 'Peserta KB per metode tidak boleh melebihi PUS', en: 'users are some of the PUS' },
    },
    {
      id: 'iat_lte_pus_minus_users',
      rule: 'sum_lte',
      fields: ['nonusers_iat'],
      limit: 'pus',
      minus: ['users_iud'],
    },
  ],
  sections: [
    { id: 'regulation', labels: { id: 'Regulasi (SK)', en: 'Regulation (SK)' } },
    { id: 'family_planning', labels: { id: 'Keluarga Berencana (KB)' } },
  ],
};
const instrument = compile(definition);
const rule = (id: string) => instrument.rules.get(id) as SumLteRule;

/**
 * One problem of each code, its English words (the API's reasons, unchanged) and its Indonesian
 * words (with the instrument's labels). A `Record` over `ProblemCode`, so a new code fails to compile here.
 */
const CASES: Record<ProblemCode, [AnswerProblem, string, string]> = {
  not_object: [
    { question: '', code: 'not_object' },
    'answers must be an object keyed by question id',
    'jawaban harus berupa objek per id pertanyaan',
  ],
  unknown_question: [
    { question: 'kie', code: 'unknown_question' },
    'is not a question of this instrument version',
    'bukan pertanyaan formulir versi ini',
  ],
  not_applicable: [
    { question: 'sk_issuer', code: 'not_applicable', when: 'sk_exists', equals: true },
    'must be left unanswered unless sk_exists is true',
    'harus dikosongkan kecuali "Ada SK pembentukan" dijawab Ya',
  ],
  required: [{ question: 'remark', code: 'required' }, 'is required', 'wajib diisi'],
  null: [
    { question: 'pus', code: 'null' },
    'must be left out rather than null when unanswered',
    'harus dihilangkan (bukan null) bila tidak dijawab',
  ],
  not_number: [{ question: 'pus', code: 'not_number' }, 'must be a number', 'harus berupa angka'],
  not_whole: [{ question: 'pus', code: 'not_whole' }, 'must be a whole number', 'harus bilangan bulat'],
  below_min: [
    { question: 'ratio', code: 'below_min', min: 0.5 },
    'must be at least 0.5',
    'paling sedikit 0,5',
  ],
  above_max: [
    { question: 'pus', code: 'above_max', max: 1_000_000 },
    'must be at most 1000000',
    'paling banyak 1.000.000',
  ],
  not_boolean: [
    { question: 'sk_exists', code: 'not_boolean' },
    'must be true or false',
    'harus Ya atau Tidak',
  ],
  not_date: [
    { question: 'launched', code: 'not_date' },
    'must be a date YYYY-MM-DD',
    'harus tanggal yang ada (TTTT-BB-HH)',
  ],
  before_min: [
    { question: 'launched', code: 'before_min', min: '2016-01-14' },
    'must be on or after 2016-01-14',
    'paling awal 2016-01-14',
  ],
  after_max: [
    { question: 'launched', code: 'after_max', max: '2030-12-31' },
    'must be on or before 2030-12-31',
    'paling lambat 2030-12-31',
  ],
  not_text: [{ question: 'remark', code: 'not_text' }, 'must be text', 'harus berupa teks'],
  too_long: [
    { question: 'remark', code: 'too_long', max: 3000 },
    'must be at most 3000 characters',
    'paling banyak 3.000 karakter',
  ],
  empty: [{ question: 'remark', code: 'empty' }, 'must not be empty', 'tidak boleh kosong'],
  not_choice: [
    { question: 'sk_issuer', code: 'not_choice' },
    'must be one code of the list',
    'harus salah satu pilihan',
  ],
  not_code: [
    { question: 'sk_issuer', code: 'not_code', allowed: ['camat', 'village_head'] },
    'must be one of camat, village_head',
    'harus salah satu dari: Camat, Kepala Desa/Lurah',
  ],
  not_codes: [
    { question: 'facilities', code: 'not_codes' },
    'must be a list of codes (possibly empty)',
    'harus berupa daftar pilihan (boleh kosong)',
  ],
  unknown_codes: [
    {
      question: 'facilities',
      code: 'unknown_codes',
      codes: ['hall'],
      allowed: ['secretariat', 'rumah_dataku'],
    },
    'has unknown code(s) hall; allowed: secretariat, rumah_dataku',
    'pilihan tidak dikenal: hall',
  ],
  repeated_code: [
    { question: 'facilities', code: 'repeated_code' },
    'lists a code more than once',
    'pilihan yang sama disebut lebih dari sekali',
  ],
  rule: [
    { question: 'users_iud', code: 'rule', rule: 'users_lte_pus', left: 1500, right: 1200 },
    'users_iud + users_pill (= 1500) must not exceed pus (1200): users are some of the PUS [rule users_lte_pus]',
    'Peserta KB per metode tidak boleh melebihi PUS (jumlahnya 1.500, batasnya 1.200)',
  ],
};

describe(describeProblem.name, () => {
  it.each(Object.entries(CASES))('should put %s in English and Bahasa Indonesia', (_code, [p, en, id]) => {
    expect(describeProblem(instrument, p, 'en')).toBe(en);
    expect(describeProblem(instrument, p, 'id')).toBe(id);
  });

  it('should say the answer that makes a question apply with the code’s label, or Tidak', () => {
    const onCode: AnswerProblem = {
      question: 'sk_note',
      code: 'not_applicable',
      when: 'sk_issuer',
      equals: 'camat',
    };
    expect(describeProblem(instrument, onCode, 'en')).toBe(
      'must be left unanswered unless sk_issuer is camat',
    );
    expect(describeProblem(instrument, onCode, 'id')).toBe(
      'harus dikosongkan kecuali "Penerbit SK" dijawab Camat',
    );
    const onFalse: AnswerProblem = {
      question: 'x',
      code: 'not_applicable',
      when: 'sk_exists',
      equals: false,
    };
    expect(describeProblem(instrument, onFalse, 'id')).toBe(
      'harus dikosongkan kecuali "Ada SK pembentukan" dijawab Tidak',
    );
  });

  it('should fall back to English labels and to codes when there are no Indonesian words', () => {
    const p: AnswerProblem = {
      question: 'facilities',
      code: 'not_code',
      allowed: ['rumah_dataku', 'secretariat', 'hall'],
    };
    expect(describeProblem(instrument, p, 'id')).toBe(
      'harus salah satu dari: Village data house (Rumah DataKu), Sekretariat, hall',
    );
  });

  it('should put a rule without words of its own in the questions’ labels, with the minus side', () => {
    const p: AnswerProblem = {
      question: 'nonusers_iat',
      code: 'rule',
      rule: 'iat_lte_pus_minus_users',
      left: 30,
      right: 20.5,
    };
    expect(describeProblem(instrument, p, 'en')).toBe(
      'nonusers_iat (30) must not exceed pus - (users_iud) (= 20.5) [rule iat_lte_pus_minus_users]',
    );
    expect(describeProblem(instrument, p, 'id')).toBe(
      'Ingin anak ditunda (IAT) tidak boleh melebihi Pasangan Usia Subur (PUS) − (Peserta KB IUD) (jumlahnya 30, batasnya 20,5)',
    );
    expect(describeProblem(instrument, { ...p, rule: 'gone' }, 'id')).toBe('gone');
  });

  it('should describe what checkAnswers finds, field by field', () => {
    const problems = checkAnswers(instrument, {
      sk_exists: false,
      sk_issuer: 'camat',
      remark: ' ',
      pus: 10,
      users_iud: 8,
      users_pill: 4,
    });
    expect(problems.map((p) => [p.question, describeProblem(instrument, p, 'id')])).toEqual([
      ['sk_issuer', 'harus dikosongkan kecuali "Ada SK pembentukan" dijawab Ya'],
      ['remark', 'tidak boleh kosong'],
      ['users_iud', 'Peserta KB per metode tidak boleh melebihi PUS (jumlahnya 12, batasnya 10)'],
      ['users_pill', 'Peserta KB per metode tidak boleh melebihi PUS (jumlahnya 12, batasnya 10)'],
    ]);
  });
});

describe(ruleInWords.name, () => {
  it('should use the rule’s own words in the language, then its English description', () => {
    expect(ruleInWords(instrument, rule('users_lte_pus'), 'id')).toBe(
      'Peserta KB per metode tidak boleh melebihi PUS',
    );
    expect(ruleInWords(instrument, rule('users_lte_pus'), 'en')).toBe('users are some of the PUS');
    const englishOnly: SumLteRule = { ...rule('users_lte_pus'), descriptions: undefined };
    expect(ruleInWords(instrument, englishOnly, 'en')).toBe('users are some of the PUS');
    const indonesianOnly: SumLteRule = {
      ...englishOnly,
      description: undefined,
      descriptions: { id: 'Peserta KB ≤ PUS' },
    };
    expect(ruleInWords(instrument, indonesianOnly, 'id')).toBe('Peserta KB ≤ PUS');
    expect(ruleInWords(instrument, indonesianOnly, 'en')).toBe(
      'PUS using IUD + PUS using pills must not exceed Couples of reproductive age (PUS)',
    );
  });

  it('should make words from the questions’ labels when the rule has none (English description not used in Indonesian)', () => {
    const englishOnly: SumLteRule = { ...rule('users_lte_pus'), descriptions: undefined };
    expect(ruleInWords(instrument, englishOnly, 'id')).toBe(
      'Peserta KB IUD + PUS using pills tidak boleh melebihi Pasangan Usia Subur (PUS)',
    );
    expect(ruleInWords(instrument, rule('iat_lte_pus_minus_users'), 'en')).toBe(
      'IAT must not exceed Couples of reproductive age (PUS) − (PUS using IUD)',
    );
    const unknown: SumLteRule = { id: 'x', rule: 'sum_lte', fields: ['gone'], limit: 'pus' };
    expect(ruleInWords(instrument, unknown, 'id')).toBe(
      'gone tidak boleh melebihi Pasangan Usia Subur (PUS)',
    );
  });
});

describe('labels', () => {
  it('should give a question, code and section in the language, else the English fallback, else the id', () => {
    const q = instrument.questions.get('sk_issuer')!;
    expect(questionLabel(q, 'id')).toBe('Penerbit SK');
    expect(questionLabel(q, 'en')).toBe('Who issued the SK');
    expect(questionLabel(instrument.questions.get('remark')!, 'id')).toBe('Remark');
    const [camat, villageHead] = definition.codeLists.issuer;
    expect(codeLabel(camat, 'id')).toBe('Camat');
    expect(codeLabel(villageHead, 'en')).toBe('Village head');
    expect(sectionLabel(instrument, 'regulation', 'id')).toBe('Regulasi (SK)');
    expect(sectionLabel(instrument, 'regulation', 'en')).toBe('Regulation (SK)');
    expect(sectionLabel(instrument, 'family_planning', 'en')).toBe('family_planning');
    expect(sectionLabel(instrument, 'population', 'id')).toBe('population');
  });
});
