import {
  isEvent,
  kampungClassifiedV1,
  kampungRegisteredV1,
  reportOverdueV1,
  submissionRejectedV1,
  type CloudEvent,
  type PeriodV1,
} from '@kkb/contracts';
import { regionOfEvent } from '../common/event-matching';

export type InboxKind =
  'kampung-registered' | 'level-changed' | 'submission-rejected' | 'report-overdue' | 'subscription-paused';

export interface NewInboxItem {
  dedupeKey: string;
  kind: InboxKind;
  /** Compact region code; '' is the whole country. */
  region: string;
  /** The one recipient (token subject), or null for every officer whose scope covers `region`. */
  recipient: string | null;
  title: string;
  body: string;
  data: Record<string, unknown>;
  occurredAt: Date;
}

const period = (p: PeriodV1) => `${p.year}-${String(p.month).padStart(2, '0')}`;

/**
 * The inbox item an event makes for the officers of its region, or null for an event that does
 * not concern them: a kampung registered, a level changed, a submission rejected, a monthly
 * report overdue. Matched by contract (`isEvent`), so the data is typed and a renamed contract
 * breaks the build here; the consumer has checked the event against its contract already.
 */
export function inboxItemFor(event: CloudEvent<unknown>): NewInboxItem | null {
  const base = {
    dedupeKey: event.id,
    region: regionOfEvent(event),
    recipient: null,
    occurredAt: new Date(event.time),
  };
  const ref = (d: { kampungId: string; villageCode: string }) => ({
    eventId: event.id,
    type: event.type,
    subject: event.subject,
    kampungId: d.kampungId,
    villageCode: d.villageCode,
  });
  if (isEvent(event, kampungRegisteredV1)) {
    const d = event.data;
    return {
      ...base,
      kind: 'kampung-registered',
      title: `Kampung KB registered: ${d.name}`,
      body: `${d.name} was registered in village ${d.villageCode} (launched ${d.launchDate}).`,
      data: { ...ref(d), name: d.name },
    };
  }
  if (isEvent(event, kampungClassifiedV1)) {
    const d = event.data;
    if (!d.changed) return null;
    return {
      ...base,
      kind: 'level-changed',
      title: `Level changed: ${d.previousLevel ?? 'none'} -> ${d.level}`,
      body: `Kampung ${d.villageCode} is now ${d.level}${d.previousLevel ? ` (was ${d.previousLevel})` : ''}.`,
      data: { ...ref(d), previousLevel: d.previousLevel ?? null, level: d.level },
    };
  }
  if (isEvent(event, submissionRejectedV1)) {
    const d = event.data;
    return {
      ...base,
      kind: 'submission-rejected',
      title: `Submission rejected: ${d.kind} ${period(d.period)}`,
      body: `The ${d.kind} for ${period(d.period)} of kampung ${d.villageCode} was rejected: ${d.reason}`,
      data: { ...ref(d), submissionId: d.submissionId, reason: d.reason, period: d.period },
    };
  }
  if (isEvent(event, reportOverdueV1)) {
    const d = event.data;
    return {
      ...base,
      kind: 'report-overdue',
      title: `Monthly report overdue: ${period(d.period)}`,
      body: `The monthly report of kampung ${d.villageCode} for ${period(d.period)} was due on ${d.dueDate}.`,
      data: { ...ref(d), period: d.period, dueDate: d.dueDate },
    };
  }
  return null;
}
