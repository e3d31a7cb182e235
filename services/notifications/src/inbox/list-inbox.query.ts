import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { PageQuery, QueryBoolean } from '@kkb/platform';

export class ListInboxQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only items not read yet' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  unread?: boolean;
}
