import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { PageQuery } from '@kkb/platform';

export class ListInboxQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only items not read yet' })
  @IsOptional()
  @Transform(({ obj }: { obj: Record<string, unknown> }) =>
    obj.unread === 'true' ? true : obj.unread === 'false' ? false : obj.unread,
  )
  @IsBoolean()
  unread?: boolean;
}
