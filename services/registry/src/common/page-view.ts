import type { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import type { Page } from '@kkb/platform';

/**
 * The OpenAPI shape of a `Page<T>` (`{ items, nextCursor }`): extend it to name the page,
 * `export class RegionPage extends PageOf(RegionView) {}`.
 */
export function PageOf<T>(item: Type<T>): Type<Page<T>> {
  class PageOfItems implements Page<T> {
    @ApiProperty({ type: [item] })
    items!: T[];

    @ApiProperty({
      type: String,
      nullable: true,
      description: 'Pass as `cursor` for the next page; null on the last page',
    })
    nextCursor!: string | null;
  }
  return PageOfItems;
}
