import { PageOf } from '@kkb/platform';
import { ApiProperty } from '@nestjs/swagger';
import type { InboxKind } from './inbox-item';

export const INBOX_KINDS: readonly InboxKind[] = [
  'kampung-registered',
  'level-changed',
  'submission-rejected',
  'report-overdue',
  'subscription-paused',
];

/** One inbox item, with the caller's read state. */
export class InboxItemView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: INBOX_KINDS }) kind!: InboxKind;
  @ApiProperty({
    description: "Dotted region code of what happened; '' is the whole country",
    example: '16.10',
  })
  region!: string;
  @ApiProperty() title!: string;
  @ApiProperty() body!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'References for links: eventId, type, subject, kampungId, villageCode and per-kind fields',
  })
  data!: Record<string, unknown>;
  @ApiProperty({ description: 'When the event happened' }) occurredAt!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() read!: boolean;
}

export class InboxPage extends PageOf(InboxItemView) {
  @ApiProperty({ description: 'Items the caller has not read, over the whole inbox' })
  unread!: number;
}

export class NotificationPreferencesView {
  @ApiProperty({ type: String, nullable: true, example: 'siti.aminah@bkkbn.example' }) email!: string | null;
  @ApiProperty({ description: 'E-mail digests of new inbox items' }) digest!: boolean;
}
