import { ApiProperty } from '@nestjs/swagger';

/** One page of the event feed. */
export class FeedPageView {
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description:
      'CloudEvents (1.0, structured JSON) as the platform published them, oldest first: id, source, type, subject, time, province, data...',
  })
  items!: Record<string, unknown>[];

  @ApiProperty({
    description: 'Pass as `after` to read on; the same cursor again when the page is empty',
    example: 'WyIxMjMiXQ',
  })
  next!: string;
}
