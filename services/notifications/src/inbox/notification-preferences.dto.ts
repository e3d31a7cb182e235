import { Omittable } from '@kkb/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, MaxLength, ValidateIf } from 'class-validator';

export class NotificationPreferencesDto {
  @ApiPropertyOptional({ nullable: true, example: 'siti.aminah@bkkbn.example' })
  @ValidateIf((o: NotificationPreferencesDto) => o.email !== null && o.email !== undefined)
  @IsEmail()
  @MaxLength(254)
  email?: string | null;

  @ApiProperty({ description: 'Send a digest of new inbox items by e-mail at the configured interval' })
  @Omittable()
  @IsBoolean()
  digest: boolean = false;
}
