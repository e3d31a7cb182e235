import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsString, MaxLength } from 'class-validator';

/** A new draft. The definition is checked in depth by validateRuleSet (bands, level mapping...). */
export class CreateRuleSetDto {
  @ApiProperty({ example: 'Kampung KB classification 2026' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({
    description:
      'passMark, indicators (formula, bands, missingScore) and levelMapping: see the service README',
    type: 'object',
    additionalProperties: true,
  })
  @IsObject()
  definition!: Record<string, unknown>;
}
