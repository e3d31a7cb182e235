import type { Answers } from './evaluator';

/**
 * Answers as the survey instruments `kampung-profile` v1 and `monthly-report` v1 send them, for
 * unit tests, integration tests and the bench. The defaults give a kampung that passes every index.
 */
export function profileAnswers(overrides: Answers = {}): Answers {
  return {
    pokja_exists: true,
    pokja_members: 12,
    pokja_trained: true,
    sk_exists: true,
    sk_issuer: 'village_head',
    plkb_assigned: true,
    funding_sources: ['apbd', 'dana_desa', 'swadaya'],
    poktan_services: ['bkb', 'bkr', 'bkl', 'uppka', 'pik_r'],
    facilities: ['secretariat', 'rumah_dataku'],
    data_sources: ['pk', 'bkkbn_routine', 'village_potential', 'sectoral'],
    operating_steps: [
      'planning_meeting',
      'coordination',
      'socialisation',
      'monitoring_evaluation',
      'reporting',
    ],
    agencies: 8,
    pus: 400,
    families: 900,
    families_with_toddler: 200,
    families_with_teen: 250,
    families_with_elderly: 150,
    ...overrides,
  };
}

const POKTAN = ['bkb', 'bkr', 'bkl', 'uppka', 'pik_r'];

/** A report with the given CPR, MKJP share, unmet need and poktan participation (percent, PUS = 2000). */
export function reportAnswers(
  opts: { cpr?: number; mkjp?: number; unmet?: number; participation?: number; pus?: number } = {},
  overrides: Answers = {},
): Answers {
  const pus = opts.pus ?? 2000;
  const users = Math.round(((opts.cpr ?? 60) * pus) / 100);
  const mkjp = Math.round(((opts.mkjp ?? 30) * users) / 100);
  const unmet = Math.round(((opts.unmet ?? 5) * pus) / 100);
  const participation = opts.participation ?? 40;
  const poktan: Answers = {};
  for (const p of POKTAN) {
    poktan[`${p}_participants`] = Math.round(participation * 20);
    poktan[`${p}_target_families`] = 2000;
  }
  return {
    ...poktan,
    pus,
    users_iud: mkjp,
    users_mow: 0,
    users_mop: 0,
    users_implant: 0,
    users_condom: 0,
    users_injection: users - mkjp,
    users_pill: 0,
    nonusers_pregnant: 0,
    nonusers_want_child_now: 0,
    nonusers_iat: unmet,
    nonusers_tial: 0,
    bpjs_users: 0,
    ...overrides,
  };
}
