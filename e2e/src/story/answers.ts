/**
 * Answers of the province story, and what rule set v1 makes of them, worked out by hand from the
 * band table in services/classification/README.md ("Version 1 and its band boundaries"), not
 * from the classification code. An index passes when the sum of its scores reaches 3 × its
 * indicators (input 15 of 5, process 9 of 3, output 12 of 4); indices are means to two decimals.
 */

export type Level = 'dasar' | 'berkembang' | 'mandiri' | 'berkelanjutan';
export type Answers = Record<string, unknown>;

export interface Indices {
  input: number;
  process: number;
  output: number;
}

/** Family counts every profile needs (required integers, each ≤ families). */
const FAMILIES = {
  pus: 400,
  families: 520,
  families_with_toddler: 120,
  families_with_teen: 150,
  families_with_elderly: 90,
};

/** The input side of a well-run kampung. */
const STRONG_INPUT = {
  // Pokja exists, 12 members, trained → ladder value 3 (≥ 2.5) → score 4
  pokja_exists: true,
  pokja_members: 12,
  pokja_trained: true,
  // SK and PLKB → 2 (≥ 1.5) → score 3
  sk_exists: true,
  sk_issuer: 'village_head',
  plkb_assigned: true,
  // 3 funding sources → [1.5, 4.5) → score 3
  funding_sources: ['apbd', 'dana_desa', 'swadaya'],
  // 5 poktan/services → ≥ 4.5 → score 4
  poktan_services: ['bkb', 'bkr', 'bkl', 'uppka', 'pik_r'],
  // 2 facilities → ≥ 1.5 → score 3
  facilities: ['secretariat', 'rumah_dataku'],
  // input: 4 + 3 + 3 + 4 + 3 = 17 ≥ 15 → passes, mean 3.4
};

export const PROFILE = {
  /** Input passes (3.4); process 4 + 4 + 3 = 11 ≥ 9 passes (3.67). */
  strong: {
    ...STRONG_INPUT,
    // 4 data sources → ≥ 3.5 → 4; all 5 operating steps → ≥ 4.5 → 4; 5 agencies → [3.5, 6.5) → 3
    data_sources: ['pk', 'bkkbn_routine', 'village_potential', 'sectoral'],
    operating_steps: [
      'planning_meeting',
      'coordination',
      'socialisation',
      'monitoring_evaluation',
      'reporting',
    ],
    agencies: 5,
    ...FAMILIES,
  } as Answers,
  /** Input passes (3.4); process 2 + 2 + 2 = 6 < 9 fails (2). */
  mixed: {
    ...STRONG_INPUT,
    // 1 data source → [0.5, 1.5) → 2; 2 steps → [0.5, 2.5) → 2; 3 agencies → [0.5, 3.5) → 2
    data_sources: ['pk'],
    operating_steps: ['coordination', 'socialisation'],
    agencies: 3,
    ...FAMILIES,
  } as Answers,
  /** Input 1 + 2 + 2 + 1 + 2 = 8 fails (1.6); process 6 fails (2). */
  weak: {
    // no Pokja → 0 → 1 (its members and training must then be left unanswered)
    pokja_exists: false,
    // SK none, PLKB yes → 1 → 2
    sk_exists: false,
    plkb_assigned: true,
    // 1 funding source → 2; 2 poktan/services → [0.5, 2.5) → 2; no facility → 1
    funding_sources: ['dana_desa'],
    poktan_services: ['bkb', 'kb_kr_service'],
    facilities: [],
    // 1 data source → 2; 2 steps → 2; 2 agencies → 2
    data_sources: ['pk'],
    operating_steps: ['planning_meeting', 'reporting'],
    agencies: 2,
    ...FAMILIES,
  } as Answers,
};

export const REPORT = {
  /**
   * Output 4 + 4 + 4 + 4 = 16 passes (4).
   * Participation: 40/100, 35/100, 30/100, 20/50, 10/40 = 40, 35, 30, 40, 25 % → mean 34 ≥ 30.5 → 4.
   * Users 40 + 10 + 2 + 20 + 30 + 80 + 50 = 232 of PUS 400 → CPR 58 % ≥ 50.5 → 4.
   * MKJP (IUD 40 + MOW 10 + MOP 2 + implant 30) = 82 of 232 → 35.3 % ≥ 24.5 → 4.
   * Unmet need (IAT 10 + TIAL 6) = 16 of 400 → 4 % < 6.5 → 4.
   */
  good: {
    bkb_participants: 40,
    bkb_target_families: 100,
    bkr_participants: 35,
    bkr_target_families: 100,
    bkl_participants: 30,
    bkl_target_families: 100,
    uppka_participants: 20,
    uppka_target_families: 50,
    pik_r_participants: 10,
    pik_r_target_families: 40,
    pus: 400,
    users_iud: 40,
    users_mow: 10,
    users_mop: 2,
    users_condom: 20,
    users_implant: 30,
    users_injection: 80,
    users_pill: 50,
    nonusers_pregnant: 10,
    nonusers_want_child_now: 8,
    nonusers_iat: 10,
    nonusers_tial: 6,
    bpjs_users: 150,
  } as Answers,
  /**
   * Output 1 + 2 + 1 + 1 = 5 fails (1.25).
   * Participation: 5/100, 0/50, 3/60, 2/40, 0/0 = 5, 0, 5, 5, 0 % (no target counts as 0 %) → 3 → 1.
   * Users 2 + 0 + 0 + 20 + 3 + 40 + 35 = 100 of PUS 300 → CPR 33.3 % in [29.5, 40.5) → 2.
   * MKJP (2 + 0 + 0 + 3) = 5 of 100 → 5 % → 1.
   * Unmet need (25 + 20) = 45 of 300 → 15 % ≥ 12.5 → 1.
   */
  poor: {
    bkb_participants: 5,
    bkb_target_families: 100,
    bkr_participants: 0,
    bkr_target_families: 50,
    bkl_participants: 3,
    bkl_target_families: 60,
    uppka_participants: 2,
    uppka_target_families: 40,
    pik_r_participants: 0,
    pik_r_target_families: 0,
    pus: 300,
    users_iud: 2,
    users_mow: 0,
    users_mop: 0,
    users_condom: 20,
    users_implant: 3,
    users_injection: 40,
    users_pill: 35,
    nonusers_pregnant: 10,
    nonusers_want_child_now: 10,
    nonusers_iat: 25,
    nonusers_tial: 20,
    bpjs_users: 90,
  } as Answers,
};

/** Versions a verifier sends back: valid answers, implausible values. */
export const MISTAKEN = {
  /** 50 agencies in a village: a typo for 5. */
  profileAgencies: { ...PROFILE.strong, agencies: 50 } as Answers,
  /** Facilities left empty although the kampung has both. */
  profileFacilities: { ...PROFILE.strong, facilities: [] } as Answers,
  /** Injection users counted twice (160 for 80): still ≤ PUS, so only a person can tell. */
  reportInjection: { ...REPORT.good, users_injection: 160 } as Answers,
};

/** With no verified report every output indicator is missing: score 1 each, output 1. */
export const NO_REPORT_OUTPUT = 1;

export const INDICES = {
  strong: { input: 3.4, process: 3.67 },
  mixed: { input: 3.4, process: 2 },
  weak: { input: 1.6, process: 2 },
  good: 4,
  poor: 1.25,
};
