import { INT32_MAX } from '../limits';
import { IsTimestamp } from '../dates';
import 'reflect-metadata'; // class-transformer's @Type reads design:type when the class is declared
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { defineEvent } from '../event-contract';
import { VILLAGE_CODE } from '../registry/kampung-state';
import { PeriodV1 } from '../survey/submission-ref';

/** The Kampung KB levels, lowest first. A kampung with no verified profile has none (not assessed). */
export const KAMPUNG_LEVELS = ['dasar', 'berkembang', 'mandiri', 'berkelanjutan'] as const;
export type KampungLevel = (typeof KAMPUNG_LEVELS)[number];

/** What made the classification service evaluate: a verified submission, or a newly published rule set. */
export const CLASSIFICATION_TRIGGERS = ['submission', 'rule-set'] as const;
export type ClassificationTrigger = (typeof CLASSIFICATION_TRIGGERS)[number];

/** The three index scores: the mean of the indicator scores (1 to 4), two decimals. An index passes at 3. */
export class ClassificationIndicesV1 {
  @Min(1)
  @Max(4)
  input!: number;

  @Min(1)
  @Max(4)
  process!: number;

  @Min(1)
  @Max(4)
  output!: number;
}

/**
 * A kampung was evaluated. Published for every evaluation a verified submission causes, and, when
 * a rule set is published, only for the kampung whose level changed. Events are only about
 * assessed kampung: a kampung without a verified profile is not assessed and gets no event.
 * `previousLevel` is absent on the first evaluation. The why (each indicator) is at
 * `GET /api/v1/kampung/{kampungId}/classification` of the classification service.
 */
export class KampungClassifiedV1 {
  @IsUUID()
  kampungId!: string;

  @Matches(VILLAGE_CODE, {
    message: 'villageCode must be a dotted 10-digit village code such as 16.10.05.2041',
  })
  villageCode!: string;

  @IsUUID()
  evaluationId!: string;

  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  ruleSetVersion!: number;

  @IsIn(KAMPUNG_LEVELS)
  level!: KampungLevel;

  @IsOptional()
  @IsIn(KAMPUNG_LEVELS)
  previousLevel?: KampungLevel;

  @IsBoolean()
  changed!: boolean;

  @IsObject()
  @ValidateNested()
  @Type(() => ClassificationIndicesV1)
  indices!: ClassificationIndicesV1;

  /** The period of the verified profile used. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PeriodV1)
  profilePeriod?: PeriodV1;

  /** The period of the verified monthly report used; absent when there is none yet. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PeriodV1)
  reportPeriod?: PeriodV1;

  @IsTimestamp()
  evaluatedAt!: string;

  @IsIn(CLASSIFICATION_TRIGGERS)
  trigger!: ClassificationTrigger;
}

export const kampungClassifiedV1 = defineEvent({
  producer: 'classification',
  aggregate: 'kampung',
  verb: 'classified',
  major: 1,
  payload: KampungClassifiedV1,
  summary: 'A Kampung KB was evaluated: its level, the previous level and whether it changed.',
});
