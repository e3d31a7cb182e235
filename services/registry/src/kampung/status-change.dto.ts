import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';

export class StatusChangeDto {
  @ApiProperty({ example: 'The Pokja was dissolved by the village head' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export class MergeKampungDto extends StatusChangeDto {
  @ApiProperty({ description: 'The kampung this duplicate is merged into' })
  @IsUUID()
  survivorId!: string;
}
