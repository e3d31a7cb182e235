import { INT32_MAX } from '../limits';
import 'reflect-metadata'; // class-transformer's @Type reads design:type when the class is declared
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsUUID, Matches, Max, Min, ValidateNested } from 'class-validator';
import { VILLAGE_CODE } from '../registry/kampung-state';

/** What a submission answers: the kampung profile snapshot or the monthly programme report. */
export const SUBMISSION_KINDS = ['profile', 'monthly-report'] as const;
export type SubmissionKind = (typeof SUBMISSION_KINDS)[number];

/** Instrument codes: lower-case words joined by hyphens, e.g. `monthly-report`. */
export const INSTRUMENT_CODE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * One answer of a submission, keyed by the instrument's stable question id: a number (integer
 * and decimal questions), a boolean, a string (text, date as `YYYY-MM-DD`, single choice code)
 * or a list of codes (multiple choice).
 */
export type SurveyAnswer = number | boolean | string | string[];
export type SurveyAnswers = Record<string, SurveyAnswer>;

/** The month a submission is about. A profile is a snapshot as of that month. */
export class PeriodV1 {
  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;

  @IsInt()
  @Min(1)
  @Max(12)
  month!: number;
}

/** What every submission event carries: which submission, of which kampung, answering what, for when. */
export class SubmissionRefV1 {
  /** The client-made submission id (a UUID made on the device). */
  @IsUUID()
  submissionId!: string;

  @IsUUID()
  kampungId!: string;

  @Matches(VILLAGE_CODE, {
    message: 'villageCode must be a dotted 10-digit village code such as 16.10.05.2041',
  })
  villageCode!: string;

  /** `kampung-profile` or `monthly-report` (or a later instrument). */
  @Matches(INSTRUMENT_CODE, { message: 'instrumentCode must be lower-case words joined by hyphens' })
  instrumentCode!: string;

  /** The published instrument version the answers were given against. */
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  instrumentVersion!: number;

  @IsIn(SUBMISSION_KINDS)
  kind!: SubmissionKind;

  @IsObject() // @ValidateNested alone lets a missing value (or an array) through
  @ValidateNested()
  @Type(() => PeriodV1)
  period!: PeriodV1;
}
