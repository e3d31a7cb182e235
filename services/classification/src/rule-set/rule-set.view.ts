import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { INDEX_NAMES, LEVELS, type IndexName, type Level } from './rule-set.definition';

export class ConditionView {
  @ApiProperty({ description: 'Answer id (stable question id)' })
  answer!: string;

  @ApiProperty({ enum: ['true', 'positive'] })
  test!: 'true' | 'positive';
}

export class BooleanLadderFormulaView {
  @ApiProperty({ enum: ['boolean_ladder'] })
  kind!: 'boolean_ladder';

  @ApiProperty({ type: ConditionView })
  gate!: ConditionView;

  @ApiProperty({ type: [ConditionView] })
  steps!: ConditionView[];
}

export class CountTrueFormulaView {
  @ApiProperty({ enum: ['count_true'] })
  kind!: 'count_true';

  @ApiProperty({ type: [ConditionView] })
  conditions!: ConditionView[];
}

export class CountOfFormulaView {
  @ApiProperty({ enum: ['count_of'] })
  kind!: 'count_of';

  @ApiProperty()
  answer!: string;

  @ApiPropertyOptional({ type: [String] })
  codes?: string[];
}

export class NumberFormulaView {
  @ApiProperty({ enum: ['number'] })
  kind!: 'number';

  @ApiProperty()
  answer!: string;
}

export class RatioPctFormulaView {
  @ApiProperty({ enum: ['ratio_pct'] })
  kind!: 'ratio_pct';

  @ApiProperty({ type: [String] })
  numerator!: string[];

  @ApiProperty({ type: [String] })
  denominator!: string[];
}

export class MeanRatioPctFormulaView {
  @ApiProperty({ enum: ['mean_ratio_pct'] })
  kind!: 'mean_ratio_pct';

  @ApiProperty({
    type: 'array',
    items: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 },
    description: '[participants answer, target answer] pairs',
  })
  pairs!: [string, string][];

  @ApiProperty({ enum: ['zero', 'skip'] })
  zeroDenominator!: 'zero' | 'skip';
}

const FORMULAS = {
  boolean_ladder: BooleanLadderFormulaView,
  count_true: CountTrueFormulaView,
  count_of: CountOfFormulaView,
  number: NumberFormulaView,
  ratio_pct: RatioPctFormulaView,
  mean_ratio_pct: MeanRatioPctFormulaView,
};

export class BandView {
  @ApiProperty({ type: Number, nullable: true, description: 'Upper end; null on the last band' })
  upTo!: number | null;

  @ApiProperty()
  inclusive!: boolean;

  @ApiProperty()
  score!: number;

  @ApiProperty({ example: '30–40' })
  label!: string;
}

@ApiExtraModels(...Object.values(FORMULAS))
export class IndicatorDefinitionView {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: INDEX_NAMES })
  index!: IndexName;

  @ApiProperty({ enum: ['profile', 'report'] })
  source!: 'profile' | 'report';

  @ApiProperty({
    oneOf: Object.values(FORMULAS).map((f) => ({ $ref: getSchemaPath(f) })),
    discriminator: {
      propertyName: 'kind',
      mapping: Object.fromEntries(Object.entries(FORMULAS).map(([k, f]) => [k, getSchemaPath(f)])),
    },
  })
  formula!: (typeof FORMULAS)[keyof typeof FORMULAS]['prototype'];

  @ApiProperty({ enum: ['count', 'percent'] })
  unit!: 'count' | 'percent';

  @ApiProperty({ type: [BandView] })
  bands!: BandView[];

  @ApiProperty()
  missingScore!: number;
}

export class LevelRuleView {
  @ApiProperty()
  input!: boolean;

  @ApiProperty()
  process!: boolean;

  @ApiProperty()
  output!: boolean;

  @ApiProperty({ enum: LEVELS })
  level!: Level;
}

export class RuleSetDefinitionView {
  @ApiProperty({ description: 'An index passes when the mean of its indicator scores is at least this' })
  passMark!: number;

  @ApiProperty({ type: [IndicatorDefinitionView] })
  indicators!: IndicatorDefinitionView[];

  @ApiProperty({ type: [LevelRuleView] })
  levelMapping!: LevelRuleView[];
}

export class RuleSetSummaryView {
  @ApiProperty()
  version!: number;

  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: ['draft', 'published'] })
  status!: 'draft' | 'published';

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty()
  createdBy!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  publishedAt!: Date | null;

  @ApiProperty({ type: String, nullable: true })
  publishedBy!: string | null;
}

export class RuleSetView extends RuleSetSummaryView {
  @ApiProperty({ type: RuleSetDefinitionView })
  definition!: RuleSetDefinitionView;
}
