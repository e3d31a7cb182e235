import type { Indices, Level } from './answers';

/** The shapes of the services' answers, as far as the province story reads them. */

export type Service = 'registry' | 'survey' | 'classification' | 'notifications';
export type Instrument = 'kampung-profile' | 'monthly-report';

export interface Reply<T> {
  status: number;
  body: T;
}
export interface Problem {
  status?: number;
  detail?: string;
  submissionStatus?: string;
  errors?: { field: string; reason: string }[];
}
export interface KampungView {
  id: string;
  name: string;
  villageCode: string;
  active: boolean;
}
export interface SubmissionView {
  id: string;
  kampungId: string;
  kind: 'profile' | 'monthly-report';
  period: { year: number; month: number };
  status: 'submitted' | 'verified' | 'rejected' | 'superseded';
  supersedes: string | null;
  supersededBy: string | null;
  rejectionReason: string | null;
  verifiedBy: string | null;
}
export interface IndexView {
  value: number;
  passes: boolean;
  indicators: { id: string; value: number | null; score: number }[];
}
export interface ClassificationView {
  status: 'assessed' | 'not_assessed';
  level: Level | null;
  previousLevel?: Level | null;
  evaluationId?: string;
  profile: { submissionId: string; period: string } | null;
  report: { submissionId: string; period: string } | null;
  indices?: Record<'input' | 'process' | 'output', IndexView>;
}
export interface EvaluationSummary {
  evaluationId: string;
  level: Level;
  previousLevel: Level | null;
  changed: boolean;
  indices: Indices;
  report: { submissionId: string; period: string } | null;
}
export interface LevelCounts {
  region: string | null;
  kampung: number;
  assessed: number;
  notAssessed: number;
  coverage: number;
  levels: Record<Level, number>;
  children?: LevelCounts[];
}
export interface Coverage {
  code: string | null;
  villages: number;
  kampung: number;
  percent: number;
  gap: number;
  children?: Coverage[];
}
export interface Subscription {
  id: string;
  region: string;
  status: string;
  secret?: string;
}
export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
}
export interface InboxItem {
  id: string;
  kind: string;
  region: string;
  title: string;
  data: Record<string, unknown>;
  read: boolean;
}
export interface Inbox {
  items: InboxItem[];
  unread: number;
}
/** A page of the event feed (`GET /api/v1/events`): CloudEvents, and the cursor to read on. */
export interface FeedPage {
  items: { id: string; type: string; province: string }[];
  next: string;
}
