import { Role } from '@kkb/auth';
import { INDICES, NO_REPORT_OUTPUT, type Indices, type Level } from './answers';
import type { LevelCounts } from './api';

/**
 * The kampung of the province story: where each one is, who registers it and who reports and
 * verifies for it, and the evaluations its verified submissions must cause (worked out in
 * answers.ts). Province 32's kampung are there to be left out of 16's webhook and inbox.
 */

export const JUNE = { year: 2025, month: 6 };
export const JULY = { year: 2025, month: 7 };

/** An evaluation a kampung's verified submissions must cause, in order. */
export interface Expected {
  level: Level;
  previousLevel?: Level;
  indices: Indices;
  reportPeriod: { year: number; month: number } | null;
}

/** A kampung of the story and what must become of it. */
export interface Plan {
  key: string;
  name: string;
  village: string;
  launchDate: string;
  /** Who registers it: role and scope. */
  registrar: [Role, string];
  /** The scopes of the field officer who reports for it and of the verifier who checks. */
  fieldOfficer: string;
  verifier: string;
  evaluations: Expected[];
  /** Submissions a verifier sends back. */
  rejections: number;
}

const weakGood: Indices = { ...INDICES.weak, output: INDICES.good };
const strongPoor: Indices = { ...INDICES.strong, output: INDICES.poor };
const mixedNone: Indices = { ...INDICES.mixed, output: NO_REPORT_OUTPUT };
const mixedGood: Indices = { ...INDICES.mixed, output: INDICES.good };
const strongGood: Indices = { ...INDICES.strong, output: INDICES.good };
const weakNone: Indices = { ...INDICES.weak, output: NO_REPORT_OUTPUT };

export const PLANS: Plan[] = [
  {
    // Output alone passes: still Dasar. A July report re-evaluates it without changing the level.
    key: 'A',
    name: 'Kampung KB Aurstanding',
    village: '16.10.05.2015',
    launchDate: '2019-08-17',
    registrar: [Role.province, '16'],
    fieldOfficer: '16.10.05',
    verifier: '16',
    evaluations: [
      { level: 'dasar', indices: weakGood, reportPeriod: JUNE },
      { level: 'dasar', previousLevel: 'dasar', indices: weakGood, reportPeriod: JULY },
    ],
    rejections: 0,
  },
  {
    // Its first profile is sent back (50 agencies), the correction makes it Berkembang.
    key: 'B',
    name: 'Kampung KB Sukarami',
    village: '16.10.05.2016',
    launchDate: '2020-02-29',
    registrar: [Role.province, '16'],
    fieldOfficer: '16.10.05',
    verifier: '16',
    evaluations: [{ level: 'berkembang', indices: strongPoor, reportPeriod: JUNE }],
    rejections: 1,
  },
  {
    // Registered, a profile submitted but never verified: not assessed.
    key: 'E',
    name: 'Kampung KB Timbangan',
    village: '16.10.07.1016',
    launchDate: '2022-05-10',
    registrar: [Role.province, '16'],
    fieldOfficer: '16.10.07',
    verifier: '16',
    evaluations: [],
    rejections: 0,
  },
  {
    // Profile first (Dasar: no report, output missing), then a report lifts it to Mandiri.
    key: 'C',
    name: 'Kampung KB Tiga Puluh Lima Ilir',
    village: '16.71.01.1001',
    launchDate: '2018-11-01',
    registrar: [Role.province, '16'],
    fieldOfficer: '16.71.01.1001',
    verifier: '16.71',
    evaluations: [
      { level: 'dasar', indices: mixedNone, reportPeriod: null },
      { level: 'mandiri', previousLevel: 'dasar', indices: mixedGood, reportPeriod: JUNE },
    ],
    rejections: 0,
  },
  {
    // Its first report is sent back (injection users doubled); corrected, it is Berkelanjutan.
    key: 'D',
    name: 'Kampung KB Tiga Puluh Dua Ilir',
    village: '16.71.01.1002',
    launchDate: '2021-03-08',
    registrar: [Role.province, '16'],
    fieldOfficer: '16.71',
    verifier: '16',
    evaluations: [{ level: 'berkelanjutan', indices: strongGood, reportPeriod: JUNE }],
    rejections: 1,
  },
  {
    key: 'G',
    name: 'Kampung KB Sukarasa',
    village: '32.73.01.1001',
    launchDate: '2019-06-20',
    registrar: [Role.national, ''],
    fieldOfficer: '32.73.01',
    verifier: '32',
    evaluations: [{ level: 'berkelanjutan', indices: strongGood, reportPeriod: JUNE }],
    rejections: 1,
  },
  {
    key: 'H',
    name: 'Kampung KB Gegerkalong',
    village: '32.73.01.1002',
    launchDate: '2020-10-05',
    registrar: [Role.national, ''],
    fieldOfficer: '32.73.01',
    verifier: '32',
    evaluations: [{ level: 'dasar', indices: weakNone, reportPeriod: null }],
    rejections: 0,
  },
];

export const in16 = (p: Plan) => p.village.startsWith('16.');
export const plan = (key: string) => PLANS.find((p) => p.key === key) as Plan;
export const finalLevel = (p: Plan): Level | null => p.evaluations.at(-1)?.level ?? null;
const LEVEL_NAMES: Level[] = ['dasar', 'berkembang', 'mandiri', 'berkelanjutan'];

/** Kampung per level among plans, as the levels endpoint should count them. */
export function expectedLevels(plans: Plan[]): Omit<LevelCounts, 'region' | 'children'> {
  const levels = Object.fromEntries(LEVEL_NAMES.map((l) => [l, 0])) as Record<Level, number>;
  for (const p of plans) {
    const l = finalLevel(p);
    if (l) levels[l] += 1;
  }
  const assessed = plans.filter((p) => finalLevel(p) !== null).length;
  return {
    kampung: plans.length,
    assessed,
    notAssessed: plans.length - assessed,
    coverage: Math.round((assessed / plans.length) * 10000) / 100,
    levels,
  };
}
