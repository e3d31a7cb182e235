import type { InstrumentDefinition, Question } from '@kkb/instrument-rules';

/**
 * Kampung profile, version 1, as seeded and published by migration 1764300500100. Published
 * versions are immutable: never edit this file; publish a new version through the API instead.
 */
export const KAMPUNG_PROFILE_CODE = 'kampung-profile';

/** 5-year age bands of the population table: `0_4` … `70_74`, then `75_plus`. */
export const AGE_BANDS: readonly string[] = [
  ...Array.from({ length: 15 }, (_, i) => `${i * 5}_${i * 5 + 4}`),
  '75_plus',
];

const count = (id: string, label: string, section: string, extra: Partial<Question> = {}): Question => ({
  id,
  type: 'integer',
  label,
  section,
  required: true,
  min: 0,
  max: 1_000_000,
  ...extra,
});

const population: Question[] = AGE_BANDS.flatMap((band) =>
  (['m', 'f'] as const).map((sex) =>
    count(
      `population_${sex}_${band}`,
      `Population, ${sex === 'm' ? 'male' : 'female'}, aged ${band.replace('_plus', '+').replace('_', '–')}`,
      'population',
      { required: false },
    ),
  ),
);

export const kampungProfileV1: InstrumentDefinition = {
  codeLists: {
    regulation_issuer: [
      { code: 'governor', label: 'Governor (gubernur)' },
      { code: 'regent_mayor', label: 'Regent or mayor (bupati/wali kota)' },
      { code: 'camat', label: 'District head (camat)' },
      { code: 'village_head', label: 'Village head (kepala desa/lurah)' },
    ],
    funding_source: [
      { code: 'apbn', label: 'State budget (APBN)' },
      { code: 'apbd', label: 'Regional budget (APBD)' },
      { code: 'dana_desa', label: 'Village fund (Dana Desa)' },
      { code: 'csr', label: 'Corporate social responsibility (CSR)' },
      { code: 'swadaya', label: 'Self-funded by the community (swadaya)' },
      { code: 'hibah', label: 'Grant (hibah)' },
    ],
    poktan_service: [
      { code: 'bkb', label: 'BKB: families with toddlers' },
      { code: 'bkr', label: 'BKR: families with teens' },
      { code: 'bkl', label: 'BKL: families with elderly members' },
      { code: 'uppka', label: 'UPPKA: family income group' },
      { code: 'pik_r', label: 'PIK-R: youth counselling centre' },
      { code: 'kb_kr_service', label: 'Family planning and reproductive health service (KB-KR)' },
      { code: 'population_service', label: 'Population administration service' },
      { code: 'other_sector', label: "Other sectors' services" },
    ],
    facility: [
      { code: 'secretariat', label: 'Secretariat (sekretariat)' },
      { code: 'rumah_dataku', label: 'Village data house (Rumah DataKu)' },
    ],
    data_source: [
      { code: 'pk', label: 'Family census (Pendataan Keluarga, PK)' },
      { code: 'bkkbn_routine', label: 'BKKBN routine data (SIGA)' },
      { code: 'village_potential', label: 'Village potential (Potensi Desa)' },
      { code: 'sectoral', label: 'Sectoral data' },
      { code: 'other', label: 'Other data' },
    ],
    operating_step: [
      { code: 'planning_meeting', label: 'Planning meeting' },
      { code: 'coordination', label: 'Coordination' },
      { code: 'socialisation', label: 'Socialisation' },
      { code: 'monitoring_evaluation', label: 'Monitoring and evaluation' },
      { code: 'reporting', label: 'Reporting' },
    ],
  },
  questions: [
    {
      id: 'pokja_exists',
      type: 'boolean',
      label: 'A Pokja (working group) exists',
      section: 'pokja',
      required: true,
    },
    count('pokja_members', 'Members of the Pokja', 'pokja', {
      max: 500,
      relevantIf: { question: 'pokja_exists', equals: true },
    }),
    {
      id: 'pokja_trained',
      type: 'boolean',
      label: 'The Pokja has been trained',
      section: 'pokja',
      required: true,
      relevantIf: { question: 'pokja_exists', equals: true },
    },
    {
      id: 'sk_exists',
      type: 'boolean',
      label: 'A decree (SK) establishes the Kampung KB and its Pokja',
      section: 'regulation',
      required: true,
    },
    {
      id: 'sk_issuer',
      type: 'single_choice',
      label: 'Who issued the decree (SK)',
      section: 'regulation',
      required: true,
      codeList: 'regulation_issuer',
      relevantIf: { question: 'sk_exists', equals: true },
    },
    {
      id: 'plkb_assigned',
      type: 'boolean',
      label: 'A field officer (PLKB/PKB) is assigned',
      section: 'field_officer',
      required: true,
    },
    {
      id: 'funding_sources',
      type: 'multiple_choice',
      label: 'Funding sources',
      section: 'funding',
      required: true,
      codeList: 'funding_source',
    },
    {
      id: 'poktan_services',
      type: 'multiple_choice',
      label: 'Community groups (poktan) and services present',
      section: 'poktan',
      required: true,
      codeList: 'poktan_service',
    },
    {
      id: 'facilities',
      type: 'multiple_choice',
      label: 'Facilities',
      section: 'facilities',
      required: true,
      codeList: 'facility',
    },
    {
      id: 'data_sources',
      type: 'multiple_choice',
      label: 'Data sources used in planning',
      section: 'planning',
      required: true,
      codeList: 'data_source',
    },
    {
      id: 'operating_steps',
      type: 'multiple_choice',
      label: 'Operating steps done (mekanisme operasional)',
      section: 'operations',
      required: true,
      codeList: 'operating_step',
    },
    count('agencies', 'Distinct agencies (instansi) involved in activities', 'operations', { max: 500 }),
    ...population,
    count('pus', 'Couples of reproductive age (PUS)', 'families'),
    count('families', 'Families', 'families'),
    count('families_with_toddler', 'Families with a toddler', 'families'),
    count('families_with_teen', 'Families with a teen', 'families'),
    count('families_with_elderly', 'Families with an elderly member', 'families'),
  ],
  rules: [
    ...['toddler', 'teen', 'elderly'].map((who) => ({
      id: `families_with_${who}_lte_families`,
      rule: 'sum_lte' as const,
      fields: [`families_with_${who}`],
      limit: 'families',
      description: `families with a ${who} are some of the families`,
    })),
  ],
};
