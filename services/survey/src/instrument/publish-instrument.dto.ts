import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { SUBMISSION_KINDS, type SubmissionKind } from '@kkb/contracts';

export class PublishInstrumentDto {
  @ApiProperty({ example: 'Monthly programme report (KKBPK), 2026 revision' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({
    enum: SUBMISSION_KINDS,
    description: 'Required for a new instrument code; must match the kind of an existing one',
  })
  @IsOptional()
  @IsIn(SUBMISSION_KINDS)
  kind?: SubmissionKind;

  @ApiProperty({
    description:
      'codeLists ({ code, label, labels? }), questions (id, type, label, labels, required, relevantIf, min, max, maxLength, codeList, section), rules (sum_lte, with description and descriptions) and optional sections ([{ id, labels }], in form order); labels and descriptions are words by language ({ id, en })',
    type: 'object',
    additionalProperties: true,
  })
  @IsObject()
  definition!: Record<string, unknown>;
}
