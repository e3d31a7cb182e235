import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SUBMISSION_KINDS, type SubmissionKind } from '@kkb/contracts';
import { QUESTION_TYPES, RULE_TYPES, type QuestionType } from '@kkb/instrument-rules';

const NUMBER_OR_DATE = { oneOf: [{ type: 'number' }, { type: 'string', format: 'date' }] };

export class RelevantIfView {
  @ApiProperty({ description: 'Id of a boolean or single-choice question' }) question!: string;
  @ApiProperty({ oneOf: [{ type: 'boolean' }, { type: 'string' }] }) equals!: boolean | string;
}

export class QuestionView {
  @ApiProperty({ description: 'Stable snake_case id: the key of the answer', example: 'pus' }) id!: string;
  @ApiProperty({ enum: QUESTION_TYPES }) type!: QuestionType;
  @ApiProperty() label!: string;
  @ApiPropertyOptional({ example: 'population' }) section?: string;
  @ApiProperty({ description: 'Must be answered whenever the question applies' }) required!: boolean;
  @ApiPropertyOptional({ type: RelevantIfView, description: 'Asked only when this holds' })
  relevantIf?: RelevantIfView;
  @ApiPropertyOptional({ ...NUMBER_OR_DATE, description: 'Inclusive lower bound' } as never)
  min?: number | string;
  @ApiPropertyOptional({ ...NUMBER_OR_DATE, description: 'Inclusive upper bound' } as never)
  max?: number | string;
  @ApiPropertyOptional() maxLength?: number;
  @ApiPropertyOptional({ description: 'Name of a code list of the instrument (choice questions)' })
  codeList?: string;
}

export class CrossFieldRuleView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: RULE_TYPES }) rule!: 'sum_lte';
  @ApiProperty({ type: [String] }) fields!: string[];
  @ApiProperty({ description: 'Question id of the limit' }) limit!: string;
  @ApiPropertyOptional({ type: [String] }) minus?: string[];
  @ApiPropertyOptional() description?: string;
}

export class InstrumentDefinitionView {
  @ApiProperty({
    description: 'Code lists by name: [{ code, label }]',
    type: 'object',
    additionalProperties: {
      type: 'array',
      items: {
        type: 'object',
        properties: { code: { type: 'string' }, label: { type: 'string' } },
        required: ['code', 'label'],
      },
    },
  })
  codeLists!: Record<string, { code: string; label: string }[]>;
  @ApiProperty({ type: [QuestionView] }) questions!: QuestionView[];
  @ApiProperty({ type: [CrossFieldRuleView] }) rules!: CrossFieldRuleView[];
}

/** One published version of an instrument, without its definition. */
export class InstrumentSummaryView {
  @ApiProperty({ example: 'monthly-report' }) code!: string;
  @ApiProperty({ example: 1 }) version!: number;
  @ApiProperty({ enum: SUBMISSION_KINDS }) kind!: SubmissionKind;
  @ApiProperty() title!: string;
  @ApiProperty({ type: String, format: 'date-time' }) publishedAt!: Date;
  @ApiProperty() publishedBy!: string;
}

export class InstrumentView extends InstrumentSummaryView {
  @ApiProperty({ type: InstrumentDefinitionView }) definition!: InstrumentDefinitionView;
}
