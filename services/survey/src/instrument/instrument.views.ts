import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SUBMISSION_KINDS, type SubmissionKind } from '@kkb/contracts';
import { LANGUAGES, QUESTION_TYPES, RULE_TYPES, type Labels, type QuestionType } from '@kkb/instrument-rules';

const NUMBER_OR_DATE = { oneOf: [{ type: 'number' }, { type: 'string', format: 'date' }] };

/** Words by language (`LANGUAGES`: id = Bahasa Indonesia, en = English), as an OpenAPI schema. */
const WORDS = {
  type: 'object',
  properties: Object.fromEntries(
    LANGUAGES.map((lang) => [
      lang,
      { type: 'string', description: lang === 'id' ? 'Bahasa Indonesia' : 'English', maxLength: 500 },
    ]),
  ),
  additionalProperties: false,
};

export class SectionView {
  @ApiProperty({ description: "A section id used by the questions' `section`", example: 'family_planning' })
  id!: string;
  @ApiProperty({
    ...WORDS,
    description: 'The heading by language',
    example: { id: 'Keluarga Berencana (KB)', en: 'Family planning' },
  } as never)
  labels!: Labels;
}

export class RelevantIfView {
  @ApiProperty({ description: 'Id of a boolean or single-choice question' }) question!: string;
  @ApiProperty({ oneOf: [{ type: 'boolean' }, { type: 'string' }] }) equals!: boolean | string;
}

export class QuestionView {
  @ApiProperty({ description: 'Stable snake_case id: the key of the answer', example: 'pus' }) id!: string;
  @ApiProperty({ enum: QUESTION_TYPES }) type!: QuestionType;
  @ApiProperty({ description: 'The question in English (the fallback when `labels` lacks a language)' })
  label!: string;
  @ApiPropertyOptional({
    ...WORDS,
    description: 'The question by language (version 2 on); a form shows the reader’s, else `label`',
    example: { id: 'Jumlah Pasangan Usia Subur (PUS)', en: 'Couples of reproductive age (PUS)' },
  } as never)
  labels?: Labels;
  @ApiPropertyOptional({
    description: 'Section id; its heading is in the definition’s `sections`',
    example: 'population',
  })
  section?: string;
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
  @ApiPropertyOptional({ description: 'The rule in English words, also in the problem’s reason' })
  description?: string;
  @ApiPropertyOptional({
    ...WORDS,
    description: 'The rule in words by language (version 2 on)',
    example: {
      id: 'Peserta KB per metode tidak boleh melebihi PUS',
      en: 'contraceptive users by method add up to no more than the PUS',
    },
  } as never)
  descriptions?: Labels;
}

export class InstrumentDefinitionView {
  @ApiProperty({
    description:
      'Code lists by name: [{ code, label, labels? }]: `label` in English, `labels` by language (version 2 on)',
    type: 'object',
    additionalProperties: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          code: { type: 'string' },
          label: { type: 'string', description: 'English (the fallback when `labels` lacks a language)' },
          labels: { ...WORDS, description: 'The code by language' },
        },
        required: ['code', 'label'],
      },
    },
  })
  codeLists!: Record<string, { code: string; label: string; labels?: Labels }[]>;
  @ApiProperty({ type: [QuestionView] }) questions!: QuestionView[];
  @ApiProperty({ type: [CrossFieldRuleView] }) rules!: CrossFieldRuleView[];
  @ApiPropertyOptional({
    type: [SectionView],
    description:
      'Section headings by language, in form order (version 2 on); a section not listed is headed by its id',
  })
  sections?: SectionView[];
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
