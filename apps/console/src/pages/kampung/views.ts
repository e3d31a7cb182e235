// The response shapes the kampung, verification, inbox and national pages read, as the services
// build them (registry kampung-view.ts and kampung-query.service.ts, survey submission.view.ts,
// classification explain.service.ts and lift.ts, notifications inbox.repository.ts). The calls
// go through the generated openapi-fetch clients; `body()` reads a result as one of these shapes
// where the OpenAPI document has no (or only a loose) schema for it yet.
import { data } from '../../api/client';
import type { Level } from '../../levels';

/** The body of an openapi-fetch result (errors were already thrown by the client's middleware). */
export function body<T>(result: { data?: unknown; error?: unknown }): T {
  return data<unknown>(result) as T;
}

/** A list as the services page it. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A list that is either `{ items }` or a bare array (older list endpoints). */
export function itemsOf<T>(value: Page<T> | T[] | null | undefined): T[] {
  if (!value) return [];
  return Array.isArray(value) ? value : (value.items ?? []);
}

// ---- registry ----

export interface PokjaMember {
  name: string;
  position: string;
  seksi: string | null;
}

export interface KampungDetail {
  id: string;
  villageCode: string;
  villageName: string;
  villageKind: string;
  name: string;
  launchDate: string;
  description: string | null;
  rw: string | null;
  latitude: number | null;
  longitude: number | null;
  selectionCriteria: string[];
  active: boolean;
  modelRegency: boolean;
  modelProvince: boolean;
  mergedInto: string | null;
  statusReason: string | null;
  pokja: {
    skNumber: string | null;
    skDate: string | null;
    skIssuer: string | null;
    trained: boolean;
    members: PokjaMember[];
  };
  fieldOfficer: { nip: string | null; name: string; contact: string | null } | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface AuditEntry {
  id: string;
  version: number;
  action: 'registered' | 'updated' | 'deactivated' | 'reactivated' | 'merged' | string;
  actor: string;
  actorRole: string | null;
  at: string;
  changes: Record<string, { from: unknown; to: unknown }>;
  reason: string | null;
  correlationId: string | null;
}

// ---- survey ----

export type SubmissionStatus = 'submitted' | 'verified' | 'rejected' | 'superseded';
export type SubmissionKind = 'profile' | 'monthly-report';

export interface Submission {
  id: string;
  kampungId: string;
  kampungName?: string | null;
  villageCode: string;
  instrumentCode: string;
  instrumentVersion: number;
  kind: SubmissionKind;
  period: { year: number; month: number };
  status: SubmissionStatus;
  answers: Record<string, unknown>;
  via: 'api' | 'import';
  importId: string | null;
  submittedAt: string;
  submittedBy: string;
  supersedes: string | null;
  supersededBy: string | null;
  supersededAt: string | null;
  verifiedAt: string | null;
  verifiedBy: string | null;
  rejectedAt: string | null;
  rejectedBy: string | null;
  rejectionReason: string | null;
}

/** `{ year, month }` as 'YYYY-MM' for formatMonth. */
export function periodOf(p: { year: number; month: number } | null | undefined): string | null {
  return p ? `${p.year}-${String(p.month).padStart(2, '0')}` : null;
}

export interface Question {
  id: string;
  type: 'integer' | 'decimal' | 'boolean' | 'date' | 'text' | 'single_choice' | 'multiple_choice';
  label: string;
  section?: string;
  required: boolean;
  relevantIf?: { question: string; equals: boolean | string };
  codeList?: string;
}

export interface Instrument {
  code: string;
  version: number;
  kind: SubmissionKind;
  title: string;
  definition: {
    codeLists: Record<string, { code: string; label: string }[]>;
    questions: Question[];
  };
}

// ---- classification ----

export type IndexName = 'input' | 'process' | 'output';
export const INDEX_NAMES: readonly IndexName[] = ['input', 'process', 'output'];

export interface SubmissionUsed {
  submissionId: string;
  period: string;
}

export interface IndicatorExplained {
  id: string;
  name: string;
  unit: 'count' | 'percent';
  value: number | null;
  missing?: string;
  band: string | null;
  score: number;
  maxScore: number;
  bands: { interval: string; score: number; label: string }[];
}

export interface IndexExplained {
  value: number;
  passes: boolean;
  passMark: number;
  indicators: IndicatorExplained[];
}

export interface IndicatorMove {
  indicator: string;
  name: string;
  unit: 'count' | 'percent';
  fromScore: number;
  toScore: number;
  fromValue: number | null;
  toBand: string;
  target: { op: '>=' | '>' | '<' | '<='; value: number } | null;
  change: number | null;
}

export interface IndexLift {
  index: IndexName;
  value: number;
  passMark: number;
  pointsNeeded: number;
  moves: IndicatorMove[];
}

export interface Classification {
  kampungId: string;
  villageCode: string;
  name: string;
  status: 'assessed' | 'not_assessed';
  level: Level | null;
  reason?: string;
  previousLevel?: Level | null;
  evaluationId?: string;
  evaluatedAt?: string;
  trigger?: string;
  ruleSetVersion?: number;
  profile: SubmissionUsed | null;
  report: SubmissionUsed | null;
  inputs?: { profile: Record<string, unknown> | null; report: Record<string, unknown> | null };
  indices?: Record<IndexName, IndexExplained>;
  lift?: {
    failing: IndexLift[];
    nextLevel: { level: Level; indices: IndexName[]; moves: IndicatorMove[] } | null;
  };
}

export interface Evaluation {
  evaluationId: string;
  level: Level;
  previousLevel: Level | null;
  changed: boolean;
  ruleSetVersion: number;
  indices: Record<IndexName, number>;
  trigger: string;
  profile: SubmissionUsed;
  report: SubmissionUsed | null;
  evaluatedAt: string;
}
