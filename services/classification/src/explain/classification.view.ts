import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { INDEX_NAMES, LEVELS, type IndexName, type Level } from '../rule-set/rule-set.definition';
import { IndexScoresView } from '../common/index-scores.view';

const TRIGGERS = ['submission', 'rule-set'];
const UNITS = ['count', 'percent'];

export class SubmissionUsedView {
  @ApiProperty({ format: 'uuid' })
  submissionId!: string;

  @ApiProperty({ example: '2025-03', description: 'YYYY-MM' })
  period!: string;
}

const ANSWERS = {
  type: 'object',
  additionalProperties: true,
  nullable: true,
  description: 'Answers keyed by stable question id',
} as const;

export class EvaluationInputsView {
  @ApiProperty(ANSWERS)
  profile!: Record<string, unknown> | null;

  @ApiProperty(ANSWERS)
  report!: Record<string, unknown> | null;
}

export class BandExplainedView {
  @ApiProperty({ example: '[30, 40)', description: 'The band as an interval of the real line' })
  interval!: string;

  @ApiProperty()
  score!: number;

  @ApiProperty()
  label!: string;
}

export class IndicatorExplainedView {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: UNITS })
  unit!: 'count' | 'percent';

  @ApiProperty({ type: Number, nullable: true })
  value!: number | null;

  @ApiPropertyOptional({ description: 'Why the value could not be computed' })
  missing?: string;

  @ApiProperty({ type: String, nullable: true })
  band!: string | null;

  @ApiProperty()
  score!: number;

  @ApiProperty()
  maxScore!: number;

  @ApiProperty({ type: [BandExplainedView] })
  bands!: BandExplainedView[];
}

export class IndexExplainedView {
  @ApiProperty({ description: 'Mean of the indicator scores, two decimals' })
  value!: number;

  @ApiProperty()
  passes!: boolean;

  @ApiProperty()
  passMark!: number;

  @ApiProperty({ type: [IndicatorExplainedView] })
  indicators!: IndicatorExplainedView[];
}

export class IndicesExplainedView {
  @ApiProperty({ type: IndexExplainedView })
  input!: IndexExplainedView;

  @ApiProperty({ type: IndexExplainedView })
  process!: IndexExplainedView;

  @ApiProperty({ type: IndexExplainedView })
  output!: IndexExplainedView;
}

export class ValueTargetView {
  @ApiProperty({ enum: ['>=', '>', '<', '<='] })
  op!: '>=' | '>' | '<' | '<=';

  @ApiProperty()
  value!: number;
}

export class IndicatorMoveView {
  @ApiProperty()
  indicator!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: UNITS })
  unit!: 'count' | 'percent';

  @ApiProperty()
  fromScore!: number;

  @ApiProperty()
  toScore!: number;

  @ApiProperty({ type: Number, nullable: true })
  fromValue!: number | null;

  @ApiProperty({ description: 'The band reached' })
  toBand!: string;

  @ApiProperty({ type: ValueTargetView, nullable: true })
  target!: ValueTargetView | null;

  @ApiProperty({ type: Number, nullable: true, description: 'target − current value' })
  change!: number | null;
}

export class IndexLiftView {
  @ApiProperty({ enum: INDEX_NAMES })
  index!: IndexName;

  @ApiProperty()
  value!: number;

  @ApiProperty()
  passMark!: number;

  @ApiProperty({ description: 'Score points still missing to pass' })
  pointsNeeded!: number;

  @ApiProperty({ type: [IndicatorMoveView] })
  moves!: IndicatorMoveView[];
}

export class LevelLiftView {
  @ApiProperty({ enum: LEVELS })
  level!: Level;

  @ApiProperty({ enum: INDEX_NAMES, isArray: true })
  indices!: IndexName[];

  @ApiProperty({ type: [IndicatorMoveView] })
  moves!: IndicatorMoveView[];
}

export class LiftAnalysisView {
  @ApiProperty({ type: [IndexLiftView] })
  failing!: IndexLiftView[];

  @ApiProperty({
    type: LevelLiftView,
    nullable: true,
    description: 'null at the top or when none is reachable',
  })
  nextLevel!: LevelLiftView | null;
}

export class ClassificationView {
  @ApiProperty({ format: 'uuid' })
  kampungId!: string;

  @ApiProperty()
  villageCode!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: ['assessed', 'not_assessed'] })
  status!: 'assessed' | 'not_assessed';

  @ApiProperty({ enum: LEVELS, nullable: true })
  level!: Level | null;

  @ApiPropertyOptional({ description: 'Why there is no level, when not assessed' })
  reason?: string;

  @ApiPropertyOptional({ enum: LEVELS, nullable: true })
  previousLevel?: Level | null;

  @ApiPropertyOptional({ format: 'uuid' })
  evaluationId?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  evaluatedAt?: string;

  @ApiPropertyOptional({ enum: TRIGGERS })
  trigger?: string;

  @ApiPropertyOptional()
  ruleSetVersion?: number;

  @ApiProperty({ type: SubmissionUsedView, nullable: true })
  profile!: SubmissionUsedView | null;

  @ApiProperty({ type: SubmissionUsedView, nullable: true })
  report!: SubmissionUsedView | null;

  @ApiPropertyOptional({ type: EvaluationInputsView, description: 'The answers the rule set read' })
  inputs?: EvaluationInputsView;

  @ApiPropertyOptional({ type: IndicesExplainedView })
  indices?: IndicesExplainedView;

  @ApiPropertyOptional({ type: LiftAnalysisView })
  lift?: LiftAnalysisView;
}

export class EvaluationSummaryView {
  @ApiProperty({ format: 'uuid' })
  evaluationId!: string;

  @ApiProperty({ enum: LEVELS })
  level!: Level;

  @ApiProperty({ enum: LEVELS, nullable: true })
  previousLevel!: Level | null;

  @ApiProperty()
  changed!: boolean;

  @ApiProperty()
  ruleSetVersion!: number;

  @ApiProperty({ type: IndexScoresView })
  indices!: IndexScoresView;

  @ApiProperty({ enum: TRIGGERS })
  trigger!: string;

  @ApiProperty({ type: SubmissionUsedView })
  profile!: SubmissionUsedView;

  @ApiProperty({ type: SubmissionUsedView, nullable: true })
  report!: SubmissionUsedView | null;

  @ApiProperty({ format: 'date-time' })
  evaluatedAt!: string;
}

export class EvaluationPageView {
  @ApiProperty({ type: [EvaluationSummaryView] })
  items!: EvaluationSummaryView[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}
