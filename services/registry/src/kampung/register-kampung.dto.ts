import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsISO8601, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { VILLAGE_CODE } from '@kkb/contracts';

export class RegisterKampungDto {
  @ApiProperty({ example: '16.10.05.2041', description: 'Dotted Kemendagri village code' })
  @Matches(VILLAGE_CODE, {
    message: 'villageCode must be a dotted 10-digit village code such as 16.10.05.2041',
  })
  villageCode!: string;

  @ApiProperty({ example: 'Kampung KB Seroja' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: '2022-03-14', description: 'Date of the pencanangan (launch); not in the future' })
  @IsISO8601({ strict: true }, { message: 'launchDate must be a date such as 2022-03-14' })
  launchDate!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  description?: string;

  @ApiPropertyOptional({ description: 'Model (percontohan) kampung of its regency' })
  @IsOptional()
  @IsBoolean()
  modelRegency?: boolean;

  @ApiPropertyOptional({ description: 'Model (percontohan) kampung of its province' })
  @IsOptional()
  @IsBoolean()
  modelProvince?: boolean;
}
