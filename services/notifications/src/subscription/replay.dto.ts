import { IsTimestamp } from '@kkb/contracts';
import { ApiProperty } from '@nestjs/swagger';

export class ReplayDto {
  @ApiProperty({
    example: '2025-03-01T00:00:00Z',
    description: 'Events that occurred at or after this instant',
  })
  @IsTimestamp()
  from!: string;

  @ApiProperty({ example: '2025-03-02T00:00:00Z', description: 'and before this one' })
  @IsTimestamp()
  to!: string;
}
