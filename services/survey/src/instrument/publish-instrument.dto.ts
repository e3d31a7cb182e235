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
      'codeLists, questions (id, type, label, required, relevantIf, min, max, maxLength, codeList, section) and rules (sum_lte)',
    type: 'object',
    additionalProperties: true,
  })
  @IsObject()
  definition!: Record<string, unknown>;
}
