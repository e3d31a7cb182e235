import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

export class ListEventsQuery {
  @ApiPropertyOptional({ description: 'Event type, e.g. kkb.registry.kampung.registered.v1' })
  @IsOptional()
  @Matches(/^kkb\.[a-z]+\.[a-z-]+\.[a-z-]+\.v\d+$/, {
    message: 'type must be an event type such as kkb.registry.kampung.registered.v1',
  })
  type?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 50;
}
