import type { CloudEvent } from '@kkb/contracts';
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

type Data = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const period = (p: unknown) => {
  const { year, month } = (p ?? {}) as { year?: number; month?: number };
  return year && month ? `${year}-${String(month).padStart(2, '0')}` : '';
};

/**
 * The inbox item an event makes for the officers of its region, or null for an event that does
 * not concern them: a kampung registered, a level changed, a submission rejected, a monthly
 * report overdue. Matched by type name, so a contract that does not exist yet costs nothing.
 */
export function inboxItemFor(event: CloudEvent<unknown>): NewInboxItem | null {
  const d = (event.data ?? {}) as Data;
  const base = {
    dedupeKey: event.id,
    region: regionOfEvent(event),
    recipient: null,
    occurredAt: new Date(event.time),
  };
  const ref = {
    eventId: event.id,
    type: event.type,
    subject: event.subject,
    kampungId: d.kampungId,
    villageCode: d.villageCode,
  };
  switch (event.type) {
    case 'kkb.registry.kampung.registered.v1':
      return {
        ...base,
        kind: 'kampung-registered',
        title: `Kampung KB registered: ${str(d.name)}`,
        body: `${str(d.name)} was registered in village ${str(d.villageCode)} (launched ${str(d.launchDate)}).`,
        data: { ...ref, name: d.name },
      };
    case 'kkb.classification.kampung.classified.v1':
      if (d.changed !== true) return null;
      return {
        ...base,
        kind: 'level-changed',
        title: `Level changed: ${str(d.previousLevel) || 'none'} -> ${str(d.level)}`,
        body: `Kampung ${str(d.villageCode)} is now ${str(d.level)}${d.previousLevel ? ` (was ${str(d.previousLevel)})` : ''}.`,
        data: { ...ref, previousLevel: d.previousLevel ?? null, level: d.level },
      };
    case 'kkb.survey.submission.rejected.v1':
      return {
        ...base,
        kind: 'submission-rejected',
        title: `Submission rejected: ${str(d.kind)} ${period(d.period)}`,
        body: `The ${str(d.kind)} for ${period(d.period)} of kampung ${str(d.villageCode)} was rejected: ${str(d.reason)}`,
        data: { ...ref, submissionId: d.submissionId, reason: d.reason, period: d.period },
      };
    case 'kkb.survey.report.overdue.v1':
      return {
        ...base,
        kind: 'report-overdue',
        title: `Monthly report overdue: ${period(d.period)}`,
        body: `The monthly report of kampung ${str(d.villageCode)} for ${period(d.period)} was due on ${str(d.dueDate)}.`,
        data: { ...ref, period: d.period, dueDate: d.dueDate },
      };
    default:
      return null;
  }
}
