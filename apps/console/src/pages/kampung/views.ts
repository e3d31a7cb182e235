// The response shapes the kampung, verification, inbox and national pages read: the generated
// OpenAPI schemas where the services' documents have them (so a change in a service shows up
// here as a type error), and the services' own shapes where they do not yet.
import type { components as Registry } from '../../api/generated/registry';
import type { components as Survey } from '../../api/generated/survey';
import type { components as Classification_ } from '../../api/generated/classification';

type R = Registry['schemas'];
type S = Survey['schemas'];
type C = Classification_['schemas'];

/** A list as the services page it. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A list that is either `{ items }` or a bare array (older list endpoints). */
export function itemsOf<T>(value: { items: T[] } | T[] | null | undefined): T[] {
  if (!value) return [];
  return Array.isArray(value) ? value : (value.items ?? []);
}

// ---- registry ----
export type KampungDetail = R['KampungView'];
export type AuditEntry = R['AuditEntryView'];
export type AuditPage = R['AuditPage'];

// ---- survey ----
export type Submission = S['SubmissionListItemView'];
export type SubmissionStatus = Submission['status'];
export type SubmissionKind = Submission['kind'];
export type Instrument = S['InstrumentView'];
export type Question = S['QuestionView'];

/** `{ year, month }` as 'YYYY-MM' for formatMonth. */
export function periodOf(p: { year: number; month: number } | null | undefined): string | null {
  return p ? `${p.year}-${String(p.month).padStart(2, '0')}` : null;
}

// ---- classification ----
export type IndexName = 'input' | 'process' | 'output';
export const INDEX_NAMES: readonly IndexName[] = ['input', 'process', 'output'];
export type Classification = C['ClassificationView'];
export type IndicatorMove = C['IndicatorMoveView'];
export type Evaluation = C['EvaluationSummaryView'];
export type EvaluationPage = C['EvaluationPageView'];
export type RuleSetSummary = C['RuleSetSummaryView'];
export type RuleSet = C['RuleSetView'];
export type IndicatorDefinition = C['IndicatorDefinitionView'];
export type RecomputeJob = C['RecomputeJobView'];
export type RecomputeJobPage = C['RecomputeJobPageView'];
