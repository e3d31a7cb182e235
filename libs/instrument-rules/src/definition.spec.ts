import { checkDefinition, type InstrumentDefinition } from './definition';

const base = (): InstrumentDefinition => ({
  codeLists: {
    issuer: [
      { code: 'camat', label: 'District head (camat)' },
      { code: 'village_head', label: 'Village head' },
    ],
  },
  questions: [
    {
      id: 'sk_issuer',
      type: 'single_choice',
      label: 'Who issued the SK',
      section: 'regulation',
      required: true,
      codeList: 'issuer',
    },
    { id: 'pus', type: 'integer', label: 'PUS', section: 'family_planning', required: true, min: 0 },
    {
      id: 'users_iud',
      type: 'integer',
      label: 'IUD users',
      section: 'family_planning',
      required: true,
      min: 0,
    },
  ],
  rules: [
    {
      id: 'users_lte_pus',
      rule: 'sum_lte',
      fields: ['users_iud'],
      limit: 'pus',
      description: 'users are some of the PUS',
    },
  ],
});

/** `base()` with words in both languages on everything, and section headings. */
const withWords = (): InstrumentDefinition => {
  const d = base();
  return {
    codeLists: {
      issuer: d.codeLists.issuer.map((e) => ({ ...e, labels: { id: `id ${e.code}`, en: e.label } })),
    },
    questions: d.questions.map((q) => ({ ...q, labels: { id: `id ${q.id}`, en: q.label } })),
    rules: d.rules.map((r) => ({
      ...r,
      descriptions: { id: 'Peserta KB per metode tidak boleh melebihi PUS', en: 'users are some of the PUS' },
    })),
    sections: [
      { id: 'regulation', labels: { id: 'Regulasi (SK)', en: 'Regulation (SK)' } },
      { id: 'family_planning', labels: { id: 'Keluarga Berencana (KB)', en: 'Family planning' } },
    ],
  };
};

/** A JSON copy of a definition, as a client could send it: anything may be put anywhere. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the point is to send what the types forbid
type Json = Record<string, any>;

/** The definition with `change` applied to a JSON copy. */
const changed = (change: (d: Json) => void): unknown => {
  const d = JSON.parse(JSON.stringify(withWords())) as Json;
  change(d);
  return d;
};

describe(checkDefinition.name, () => {
  it('should accept a definition without any words by language (as version 1)', () => {
    expect(checkDefinition(base())).toEqual([]);
  });

  it('should accept labels, descriptions and sections in both languages', () => {
    expect(checkDefinition(withWords())).toEqual([]);
  });

  it('should accept words in one language only, and sections for only some of the sections used', () => {
    const d = changed((x) => {
      x.questions[0].labels = { id: 'Penerbit SK' };
      x.codeLists.issuer[1].labels = { en: 'Village head' };
      x.rules[0].descriptions = { id: 'Peserta KB per metode tidak boleh melebihi PUS' };
      x.sections = [{ id: 'family_planning', labels: { id: 'Keluarga Berencana (KB)' } }];
    });
    expect(checkDefinition(d)).toEqual([]);
    expect(checkDefinition(changed((x) => (x.sections = [])))).toEqual([]);
  });

  it('should refuse an unknown language, wherever words are', () => {
    const d = changed((x) => {
      x.questions[1].labels.jv = 'PUS';
      x.codeLists.issuer[0].labels.fr = 'Chef de district';
      x.rules[0].descriptions.ms = 'Pengguna KB';
      x.sections[0].labels.ID = 'Regulasi';
    });
    expect(checkDefinition(d)).toEqual([
      { field: 'definition.codeLists.issuer[0].labels.fr', reason: 'language must be one of id, en' },
      { field: 'definition.questions[1].labels.jv', reason: 'language must be one of id, en' },
      { field: 'definition.rules[0].descriptions.ms', reason: 'language must be one of id, en' },
      { field: 'definition.sections[0].labels.ID', reason: 'language must be one of id, en' },
    ]);
  });

  it('should refuse empty, blank, too long or non-text words', () => {
    const reason = 'words are non-empty text of at most 500 characters';
    const d = changed((x) => {
      x.questions[0].labels.id = '';
      x.questions[1].labels.en = '   ';
      x.questions[2].labels.id = 'x'.repeat(501);
      x.codeLists.issuer[1].labels.id = 7;
      x.rules[0].descriptions.en = null;
      x.sections[1].labels.id = '';
    });
    expect(checkDefinition(d)).toEqual([
      { field: 'definition.codeLists.issuer[1].labels.id', reason },
      { field: 'definition.questions[0].labels.id', reason },
      { field: 'definition.questions[1].labels.en', reason },
      { field: 'definition.questions[2].labels.id', reason },
      { field: 'definition.rules[0].descriptions.en', reason },
      { field: 'definition.sections[1].labels.id', reason },
    ]);
    expect(checkDefinition(changed((x) => (x.questions[0].labels.id = 'x'.repeat(500))))).toEqual([]);
  });

  it('should refuse labels and descriptions that are not objects of words', () => {
    const reason = 'labels is an object of words by language (id, en)';
    const d = changed((x) => {
      x.questions[0].labels = 'Penerbit SK';
      x.codeLists.issuer[0].labels = ['Camat'];
      x.rules[0].descriptions = null;
    });
    expect(checkDefinition(d)).toEqual([
      { field: 'definition.codeLists.issuer[0].labels', reason },
      { field: 'definition.questions[0].labels', reason },
      { field: 'definition.rules[0].descriptions', reason },
    ]);
  });

  it('should refuse a bad section: not a list, a bad or repeated id, missing words, unknown properties', () => {
    expect(checkDefinition(changed((x) => (x.sections = { regulation: 'Regulasi' })))).toEqual([
      { field: 'definition.sections', reason: 'sections is an array of { id, labels }' },
    ]);
    const d = changed((x) => {
      x.sections = [
        { id: 'Regulation', labels: { id: 'Regulasi' } },
        'family_planning',
        { id: 'family_planning', labels: { id: 'KB' } },
        { id: 'family_planning', labels: { id: 'KB lagi' } },
        { id: 'population' },
        { id: 'funding', labels: { id: 'Pendanaan' }, order: 3 },
      ];
    });
    const shape = 'a section is { id, labels } with a lower-case snake_case id';
    expect(checkDefinition(d)).toEqual([
      { field: 'definition.sections[0].id', reason: shape },
      { field: 'definition.sections[1].id', reason: shape },
      { field: 'definition.sections[3].id', reason: 'duplicate section family_planning' },
      { field: 'definition.sections[4].labels', reason: 'labels is an object of words by language (id, en)' },
      { field: 'definition.sections[5].order', reason: 'unknown property order' },
    ]);
  });

  it('should refuse properties it does not know beside the words', () => {
    const d = changed((x) => {
      x.questions[0].label_id = 'Penerbit SK';
      x.codeLists.issuer[0].description = 'Camat';
      x.rules[0].description_id = 'Peserta KB';
      x.headings = [];
    });
    expect(checkDefinition(d)).toEqual([
      { field: 'definition.headings', reason: 'unknown property headings' },
      { field: 'definition.codeLists.issuer[0].description', reason: 'unknown property description' },
      { field: 'definition.questions[0].label_id', reason: 'unknown property label_id' },
      { field: 'definition.rules[0].description_id', reason: 'unknown property description_id' },
    ]);
  });
});
