import { IsCalendarDate } from '@kkb/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { HasAtMostDecimals, Omittable } from '@kkb/platform';
import { SELECTION_CRITERIA_CODES, type SelectionCriterion } from './code-lists';
import { FieldOfficerDto, PokjaDto } from './kampung-details.dto';

/** Any region code form passes here, so a district code gets the precise answer (not a village) from the service. */
export const REGION_CODE_INPUT = /^(\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?|\d{4}|\d{6}|\d{10})$/;

export class RegisterKampungDto {
  @ApiProperty({ example: '16.10.05.2041', description: 'Village (desa/kelurahan) code, dotted or compact' })
  @Matches(REGION_CODE_INPUT, {
    message: 'villageCode must be a village code such as 16.10.05.2041 or 1610052041',
  })
  villageCode!: string;

  @ApiProperty({ example: 'Kampung KB Seroja' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: '2022-03-14', description: 'Date of the pencanangan (launch); not in the future' })
  @IsCalendarDate({ message: 'launchDate must be a calendar date such as 2022-03-14' })
  launchDate!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  description?: string;

  @ApiPropertyOptional({ example: '003', description: 'RW (neighbourhood unit), when the kampung is one RW' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  rw?: string;

  @ApiPropertyOptional({ example: -3.1416 })
  @IsOptional()
  @HasAtMostDecimals(6)
  @Min(-90)
  @Max(90)
  latitude?: number;

  @ApiPropertyOptional({ example: 104.7324 })
  @IsOptional()
  @HasAtMostDecimals(6)
  @Min(-180)
  @Max(180)
  longitude?: number;

  @ApiPropertyOptional({ enum: SELECTION_CRITERIA_CODES, isArray: true })
  @Omittable()
  @IsArray()
  @ArrayUnique()
  @IsIn(SELECTION_CRITERIA_CODES, { each: true })
  selectionCriteria?: SelectionCriterion[];

  @ApiPropertyOptional({ description: 'Model (percontohan) kampung of its regency; one active per regency' })
  @Omittable()
  @IsBoolean()
  modelRegency?: boolean;

  @ApiPropertyOptional({
    description: 'Model (percontohan) kampung of its province; one active per province',
  })
  @Omittable()
  @IsBoolean()
  modelProvince?: boolean;

  @ApiPropertyOptional({ type: PokjaDto, description: 'Replaces the whole Pokja, members included' })
  @Omittable()
  @ValidateNested()
  @Type(() => PokjaDto)
  pokja?: PokjaDto;

  @ApiPropertyOptional({
    type: FieldOfficerDto,
    nullable: true,
    description: 'null removes the field officer',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => FieldOfficerDto)
  fieldOfficer?: FieldOfficerDto | null;
}
