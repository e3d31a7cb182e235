import { Omittable } from '@kkb/platform';
import { IsCalendarDate } from '@kkb/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { SEKSI_CODES, SK_ISSUER_CODES, type Seksi, type SkIssuer } from './code-lists';

export class PokjaMemberDto {
  @ApiProperty({ example: 'Siti Aminah' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 'Ketua', description: 'Position in the Pokja (chair, secretary, member...)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  position!: string;

  @ApiPropertyOptional({ enum: SEKSI_CODES, description: 'The family-function section the member leads' })
  @IsOptional()
  @IsIn(SEKSI_CODES)
  seksi?: Seksi;
}

/** The Pokja (working group) set up by a decree (SK). */
export class PokjaDto {
  @ApiPropertyOptional({ example: '140/12/SK/2022' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  skNumber?: string;

  @ApiPropertyOptional({ example: '2022-02-01' })
  @IsOptional()
  @IsCalendarDate({ message: 'skDate must be a calendar date such as 2022-02-01' })
  skDate?: string;

  @ApiPropertyOptional({ enum: SK_ISSUER_CODES })
  @IsOptional()
  @IsIn(SK_ISSUER_CODES)
  skIssuer?: SkIssuer;

  @ApiPropertyOptional({ description: 'The Pokja has been trained' })
  @Omittable()
  @IsBoolean()
  trained?: boolean;

  @ApiPropertyOptional({ type: [PokjaMemberDto] })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(200)
  @IsObject({ each: true, message: 'each of members must be an object { name, position, seksi }' })
  @ValidateNested({ each: true })
  @Type(() => PokjaMemberDto)
  members?: PokjaMemberDto[];
}

/** The field officer (PLKB/PKB) who accompanies the kampung. */
export class FieldOfficerDto {
  @ApiPropertyOptional({ example: '198705122010011003', description: 'Civil-servant id number (NIP)' })
  @IsOptional()
  @Matches(/^\d{18}$/, { message: 'nip must be an 18-digit NIP' })
  nip?: string;

  @ApiProperty({ example: 'Budi Santoso' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ example: '+62 812 3456 7890' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  contact?: string;
}
