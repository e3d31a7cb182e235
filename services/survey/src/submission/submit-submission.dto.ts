import 'reflect-metadata';
import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsObject, IsUUID, Matches, Max, Min, ValidateNested } from 'class-validator';
import { INSTRUMENT_CODE } from '@kkb/contracts';
import { INT32_MAX } from '@kkb/platform';

/**
 * UUIDs are compared as strings here (idempotency, the kampung lookup, the body hash) but Postgres
 * prints them in lower case: devices (iOS among them) make upper-case ones, so each is stored and
 * compared in its one canonical, lower-case form, and a retry in the other case is the same id.
 */
const CanonicalUuid = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value));

export class PeriodDto {
  @ApiProperty({ example: 2025 })
  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;

  @ApiProperty({ example: 3, minimum: 1, maximum: 12 })
  @IsInt()
  @Min(1)
  @Max(12)
  month!: number;
}

/**
 * A kampung profile or monthly report. Validated inside the use case (not by the global pipe), so
 * that shape errors and answer errors come back together in one problem response.
 */
export class SubmitSubmissionDto {
  @ApiProperty({ description: 'UUID made on the device: the idempotency key of the submission' })
  @CanonicalUuid()
  @IsUUID()
  id!: string;

  @ApiProperty({ description: 'The Kampung KB (as registered)' })
  @CanonicalUuid()
  @IsUUID()
  kampungId!: string;

  @ApiProperty({ example: 'monthly-report' })
  @Matches(INSTRUMENT_CODE, { message: 'instrumentCode must be lower-case words joined by hyphens' })
  instrumentCode!: string;

  @ApiProperty({ example: 1, description: 'The published version the answers were given against' })
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  instrumentVersion!: number;

  @ApiProperty({ type: PeriodDto })
  @IsObject()
  @ValidateNested()
  @Type(() => PeriodDto)
  period!: PeriodDto;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Answers keyed by question id, e.g. { "pus": 640, "users_iud": 40, ... }',
  })
  @IsObject()
  answers!: Record<string, unknown>;
}
