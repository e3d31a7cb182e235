import type { InboxItemView } from '../inbox/inbox.repository';

export interface DigestMail {
  subject: string;
  text: string;
}

/** The text of one digest: every item's title, when, where and what, oldest first. */
export function digestMail(items: InboxItemView[]): DigestMail {
  const lines = items.map(
    (i) => `- ${i.title}\n  ${i.occurredAt}${i.region ? `, region ${i.region}` : ''}\n  ${i.body}`,
  );
  return {
    subject: `Kampung KB: ${items.length} new notification${items.length === 1 ? '' : 's'}`,
    text: `New in your Kampung KB inbox since the last digest:\n\n${lines.join('\n\n')}\n\nChange or stop these mails with PUT /api/v1/me/notification-preferences.\n`,
  };
}
