import type { Band, Condition, IndicatorDefinition, RuleSetDefinition } from './rule-set.definition';

/**
 * Rule set version 1: the national classification as coded by kampungkb.bkkbn.go.id
 * (`database/sql/statistik/classification/query.sql`), with its band gaps closed.
 *
 * Boundary rule, the same for every indicator: the national code compares whole numbers (counts,
 * and percentages after `ROUND`), so each boundary sits half-way between the last whole number of
 * one band and the first of the next, and a value exactly on a boundary belongs to the band above
 * it (`[lo, hi)`, i.e. round half up). For whole numbers this changes nothing; for a real value it
 * gives the score the national code gives after rounding, and no value falls between two bands
 * (CPR 40.5 → 3, unmet need 12.05 → 2). See services/classification/README.md for the table.
 *
 * Published by migration 1764301100100. Never edit: publish a new version instead.
 */

/** `[[upTo, score, label], ...]`, the last upTo being null; every band is `value < upTo`. */
const bands = (...spec: [number | null, number, string][]): Band[] =>
  spec.map(([upTo, score, label]) => ({ upTo, inclusive: false, score, label }));

const isTrue = (answer: string): Condition => ({ answer, test: 'true' });
const positive = (answer: string): Condition => ({ answer, test: 'positive' });

const POKTAN = ['bkb', 'bkr', 'bkl', 'uppka', 'pik_r'];
const METHODS = ['iud', 'mow', 'mop', 'condom', 'implant', 'injection', 'pill'];
const MKJP = ['iud', 'mow', 'mop', 'implant'];

const indicators: IndicatorDefinition[] = [
  {
    id: 'pokja',
    name: 'Pokja: exists, has members, trained',
    index: 'input',
    source: 'profile',
    formula: {
      kind: 'boolean_ladder',
      gate: isTrue('pokja_exists'),
      steps: [positive('pokja_members'), isTrue('pokja_trained')],
    },
    unit: 'count',
    bands: bands(
      [0.5, 1, 'none'],
      [1.5, 2, 'exists'],
      [2.5, 3, 'exists, with members or trained'],
      [null, 4, 'exists, with members and trained'],
    ),
    missingScore: 1,
  },
  {
    id: 'funding_sources',
    name: 'Funding sources (APBN, APBD, Dana Desa, CSR, swadaya, hibah)',
    index: 'input',
    source: 'profile',
    formula: { kind: 'count_of', answer: 'funding_sources' },
    unit: 'count',
    bands: bands([0.5, 1, '0'], [1.5, 2, '1'], [4.5, 3, '2–4'], [null, 4, '5+']),
    missingScore: 1,
  },
  {
    id: 'poktan_services',
    name: 'Poktan and services present',
    index: 'input',
    source: 'profile',
    formula: { kind: 'count_of', answer: 'poktan_services' },
    unit: 'count',
    bands: bands([0.5, 1, '0'], [2.5, 2, '1–2'], [4.5, 3, '3–4'], [null, 4, '5+']),
    missingScore: 1,
  },
  {
    id: 'facilities',
    name: 'Facilities (secretariat, Rumah DataKu)',
    index: 'input',
    source: 'profile',
    formula: { kind: 'count_of', answer: 'facilities' },
    unit: 'count',
    bands: bands([0.5, 1, '0'], [1.5, 2, '1'], [null, 3, '2']),
    missingScore: 1,
  },
  {
    id: 'plkb_regulation',
    name: 'Field officer (PLKB) assigned and decree (SK) issued',
    index: 'input',
    source: 'profile',
    formula: { kind: 'count_true', conditions: [isTrue('plkb_assigned'), isTrue('sk_exists')] },
    unit: 'count',
    bands: bands([0.5, 1, 'neither'], [1.5, 2, 'one'], [null, 3, 'both']),
    missingScore: 1,
  },
  {
    id: 'data_sources',
    name: 'Data sources used in planning',
    index: 'process',
    source: 'profile',
    formula: { kind: 'count_of', answer: 'data_sources' },
    unit: 'count',
    bands: bands([0.5, 1, '0'], [1.5, 2, '1'], [3.5, 3, '2–3'], [null, 4, '4+']),
    missingScore: 1,
  },
  {
    id: 'operating_steps',
    name: 'Operating steps done (mekanisme operasional)',
    index: 'process',
    source: 'profile',
    formula: { kind: 'count_of', answer: 'operating_steps' },
    unit: 'count',
    bands: bands([0.5, 1, '0'], [2.5, 2, '1–2'], [4.5, 3, '3–4'], [null, 4, '5']),
    missingScore: 1,
  },
  {
    id: 'agencies',
    name: 'Distinct agencies (instansi) in activities',
    index: 'process',
    source: 'profile',
    formula: { kind: 'number', answer: 'agencies' },
    unit: 'count',
    bands: bands([0.5, 1, '0'], [3.5, 2, '1–3'], [6.5, 3, '4–6'], [null, 4, '7+']),
    missingScore: 1,
  },
  {
    id: 'poktan_participation',
    name: 'Poktan participation % (mean over BKB, BKR, BKL, UPPKA, PIK-R of participants ÷ target families)',
    index: 'output',
    source: 'report',
    formula: {
      kind: 'mean_ratio_pct',
      pairs: POKTAN.map((p) => [`${p}_participants`, `${p}_target_families`] as [string, string]),
      zeroDenominator: 'zero',
    },
    unit: 'percent',
    bands: bands([9.5, 1, '< 10'], [20.5, 2, '10–20'], [30.5, 3, '21–30'], [null, 4, '> 30']),
    missingScore: 1,
  },
  {
    id: 'cpr',
    name: 'Contraceptive prevalence (CPR) % (users ÷ PUS)',
    index: 'output',
    source: 'report',
    formula: { kind: 'ratio_pct', numerator: METHODS.map((m) => `users_${m}`), denominator: ['pus'] },
    unit: 'percent',
    bands: bands([29.5, 1, '< 30'], [40.5, 2, '30–40'], [50.5, 3, '41–50'], [null, 4, '> 50']),
    missingScore: 1,
  },
  {
    id: 'mkjp',
    name: 'Long-acting methods (MKJP: IUD, MOW, MOP, implant) % of users',
    index: 'output',
    source: 'report',
    formula: {
      kind: 'ratio_pct',
      numerator: MKJP.map((m) => `users_${m}`),
      denominator: METHODS.map((m) => `users_${m}`),
    },
    unit: 'percent',
    bands: bands([19.5, 1, '< 20'], [22.5, 2, '20–22'], [24.5, 3, '23–24'], [null, 4, '> 24']),
    missingScore: 1,
  },
  {
    id: 'unmet_need',
    name: 'Unmet need % ((IAT + TIAL) ÷ PUS)',
    index: 'output',
    source: 'report',
    formula: { kind: 'ratio_pct', numerator: ['nonusers_iat', 'nonusers_tial'], denominator: ['pus'] },
    unit: 'percent',
    bands: bands([6.5, 4, '≤ 6'], [9.5, 3, '7–9'], [12.5, 2, '10–12'], [null, 1, '≥ 13']),
    missingScore: 1,
  },
];

export const RULE_SET_V1: RuleSetDefinition = {
  passMark: 3,
  indicators,
  levelMapping: [
    { input: false, process: false, output: false, level: 'dasar' },
    { input: true, process: false, output: false, level: 'dasar' },
    { input: false, process: true, output: false, level: 'dasar' },
    { input: false, process: false, output: true, level: 'dasar' },
    { input: true, process: true, output: false, level: 'berkembang' },
    { input: true, process: false, output: true, level: 'mandiri' },
    { input: false, process: true, output: true, level: 'mandiri' },
    { input: true, process: true, output: true, level: 'berkelanjutan' },
  ],
};

export const RULE_SET_V1_NAME = 'Kampung KB classification (national code, gaps closed)';
