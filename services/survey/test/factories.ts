import { randomUUID } from 'node:crypto';
import type { SurveyAnswers } from '@kkb/contracts';

/** A monthly report that passes every rule of monthly-report v1; override what a test is about. */
export function reportAnswers(over: Partial<Record<string, unknown>> = {}): SurveyAnswers {
  return {
    bkb_participants: 40,
    bkb_target_families: 120,
    bkr_participants: 25,
    bkr_target_families: 90,
    bkl_participants: 18,
    bkl_target_families: 60,
    uppka_participants: 12,
    uppka_target_families: 30,
    pik_r_participants: 35,
    pik_r_target_families: 80,
    pus: 640,
    users_iud: 40,
    users_mow: 12,
    users_mop: 2,
    users_condom: 20,
    users_implant: 70,
    users_injection: 200,
    users_pill: 60,
    nonusers_pregnant: 30,
    nonusers_want_child_now: 40,
    nonusers_iat: 35,
    nonusers_tial: 28,
    bpjs_users: 310,
    ...over,
  } as SurveyAnswers;
}

/** A kampung profile that passes every rule of kampung-profile v1. */
export function profileAnswers(over: Partial<Record<string, unknown>> = {}): SurveyAnswers {
  return {
    pokja_exists: true,
    pokja_members: 12,
    pokja_trained: true,
    sk_exists: true,
    sk_issuer: 'village_head',
    plkb_assigned: true,
    funding_sources: ['apbd', 'dana_desa'],
    poktan_services: ['bkb', 'bkr', 'bkl', 'kb_kr_service'],
    facilities: ['secretariat'],
    data_sources: ['pk', 'bkkbn_routine'],
    operating_steps: ['planning_meeting', 'coordination', 'reporting'],
    agencies: 5,
    population_m_0_4: 120,
    population_f_0_4: 115,
    pus: 640,
    families: 900,
    families_with_toddler: 210,
    families_with_teen: 260,
    families_with_elderly: 180,
    ...over,
  } as SurveyAnswers;
}

export interface SubmissionBody {
  id: string;
  kampungId: string;
  instrumentCode: string;
  instrumentVersion: number;
  period: { year: number; month: number };
  answers: Record<string, unknown>;
}

export function reportSubmission(
  kampungId: string,
  period: { year: number; month: number },
  over: Partial<SubmissionBody> = {},
): SubmissionBody {
  return {
    id: randomUUID(),
    kampungId,
    instrumentCode: 'monthly-report',
    instrumentVersion: 1,
    period,
    answers: reportAnswers(),
    ...over,
  };
}

export function profileSubmission(
  kampungId: string,
  period: { year: number; month: number },
  over: Partial<SubmissionBody> = {},
): SubmissionBody {
  return {
    id: randomUUID(),
    kampungId,
    instrumentCode: 'kampung-profile',
    instrumentVersion: 1,
    period,
    answers: profileAnswers(),
    ...over,
  };
}
