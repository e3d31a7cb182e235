import type { InstrumentDefinition, Question } from '@kkb/instrument-rules';

/**
 * Monthly programme report (KKBPK), version 1, as seeded and published by migration
 * 1764300500100. Published versions are immutable: never edit this file; publish a new version
 * through the API instead.
 */
export const MONTHLY_REPORT_CODE = 'monthly-report';

export const POKTAN: readonly { id: string; name: string }[] = [
  { id: 'bkb', name: 'BKB (families with toddlers)' },
  { id: 'bkr', name: 'BKR (families with teens)' },
  { id: 'bkl', name: 'BKL (families with elderly members)' },
  { id: 'uppka', name: 'UPPKA (family income group)' },
  { id: 'pik_r', name: 'PIK-R (youth counselling)' },
];

export const CONTRACEPTIVE_METHODS: readonly { id: string; name: string }[] = [
  { id: 'iud', name: 'IUD' },
  { id: 'mow', name: 'female sterilisation (MOW)' },
  { id: 'mop', name: 'male sterilisation (MOP)' },
  { id: 'condom', name: 'condom' },
  { id: 'implant', name: 'implant' },
  { id: 'injection', name: 'injection' },
  { id: 'pill', name: 'pill' },
];

export const NON_USE_REASONS: readonly { id: string; name: string }[] = [
  { id: 'pregnant', name: 'pregnant' },
  { id: 'want_child_now', name: 'want a child now' },
  { id: 'iat', name: 'want a child later (IAT)' },
  { id: 'tial', name: 'want no more children (TIAL)' },
];

const count = (id: string, label: string, section: string): Question => ({
  id,
  type: 'integer',
  label,
  section,
  required: true,
  min: 0,
  max: 1_000_000,
});

const users = CONTRACEPTIVE_METHODS.map((m) => `users_${m.id}`);
const nonUsers = NON_USE_REASONS.map((r) => `nonusers_${r.id}`);

export const monthlyReportV1: InstrumentDefinition = {
  codeLists: {},
  questions: [
    ...POKTAN.flatMap((p) => [
      count(`${p.id}_participants`, `${p.name}: participating families this month`, 'poktan'),
      count(`${p.id}_target_families`, `${p.name}: target families`, 'poktan'),
    ]),
    count('pus', 'Couples of reproductive age (PUS)', 'family_planning'),
    ...CONTRACEPTIVE_METHODS.map((m) =>
      count(`users_${m.id}`, `PUS using a contraceptive: ${m.name}`, 'family_planning'),
    ),
    ...NON_USE_REASONS.map((r) =>
      count(`nonusers_${r.id}`, `PUS not using one because: ${r.name}`, 'family_planning'),
    ),
    count('bpjs_users', 'Users with health insurance (BPJS/JKN)', 'family_planning'),
  ],
  rules: [
    ...POKTAN.map((p) => ({
      id: `${p.id}_participants_lte_target`,
      rule: 'sum_lte' as const,
      fields: [`${p.id}_participants`],
      limit: `${p.id}_target_families`,
      description: 'participants are some of the target families',
    })),
    {
      id: 'users_lte_pus',
      rule: 'sum_lte',
      fields: users,
      limit: 'pus',
      description: 'contraceptive users by method add up to no more than the PUS',
    },
    {
      id: 'nonusers_lte_pus_minus_users',
      rule: 'sum_lte',
      fields: nonUsers,
      limit: 'pus',
      minus: users,
      description: 'non-users by reason are at most the PUS who use no method',
    },
    {
      id: 'bpjs_users_lte_pus',
      rule: 'sum_lte',
      fields: ['bpjs_users'],
      limit: 'pus',
      description: 'BPJS users are counted among the PUS',
    },
  ],
};
