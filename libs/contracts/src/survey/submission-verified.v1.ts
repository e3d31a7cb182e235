import { IsTimestamp } from '../dates';
import { IsNotEmpty, IsObject, IsString, MaxLength } from 'class-validator';
import { defineEvent } from '../event-contract';
import { SubmissionRefV1, type SurveyAnswers } from './submission-ref';

/**
 * A verifier of the kampung's region confirmed a submission. `answers` is the whole answer set,
 * keyed by the instrument's stable question ids (see services/survey/README.md for every id and
 * its meaning). The classification service computes its indicators from these:
 *
 * - kind `profile` (instrument `kampung-profile`): `pokja_exists`, `pokja_members`,
 *   `pokja_trained`, `sk_exists`, `sk_issuer`, `plkb_assigned`, `funding_sources`,
 *   `poktan_services`, `facilities`, `data_sources`, `operating_steps`, `agencies`, population
 *   `population_<m|f>_<band>` and family counts `pus`, `families`, `families_with_toddler`,
 *   `families_with_teen`, `families_with_elderly`;
 * - kind `monthly-report` (instrument `monthly-report`): `<poktan>_participants` and
 *   `<poktan>_target_families` for `bkb`, `bkr`, `bkl`, `uppka`, `pik_r`; `pus`; `users_iud`,
 *   `users_mow`, `users_mop`, `users_condom`, `users_implant`, `users_injection`, `users_pill`;
 *   `nonusers_pregnant`, `nonusers_want_child_now`, `nonusers_iat`, `nonusers_tial`; `bpjs_users`.
 *
 * An optional question left unanswered is absent from `answers`.
 */
export class SubmissionVerifiedV1 extends SubmissionRefV1 {
  @IsTimestamp()
  verifiedAt!: string;

  /** Subject (`sub`) of the verifier's token. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  verifiedBy!: string;

  @IsObject()
  answers!: SurveyAnswers;
}

export const submissionVerifiedV1 = defineEvent({
  producer: 'survey',
  aggregate: 'submission',
  verb: 'verified',
  major: 1,
  payload: SubmissionVerifiedV1,
  summary: 'A submission was verified; it carries every answer, keyed by stable question ids.',
});
