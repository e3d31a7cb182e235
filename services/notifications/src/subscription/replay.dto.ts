import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601 } from 'class-validator';

export class ReplayDto {
  @ApiProperty({
    example: '2025-03-01T00:00:00Z',
    description: 'Events that occurred at or after this instant',
  })
  @IsISO8601({ strict: true })
  from!: string;

  @ApiProperty({ example: '2025-03-02T00:00:00Z', description: 'and before this one' })
  @IsISO8601({ strict: true })
  to!: string;
}
