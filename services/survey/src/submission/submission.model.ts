import type { SubmissionKind, SurveyAnswers } from '@kkb/contracts';

export type SubmissionStatus = 'submitted' | 'verified' | 'rejected' | 'superseded';
export const SUBMISSION_STATUSES: readonly SubmissionStatus[] = [
  'submitted',
  'verified',
  'rejected',
  'superseded',
];

/**
 * A kampung profile or monthly report, keyed by the id the client made. The submission table's
 * rows map onto it in one place: submissionFromRow in submission.repository.ts.
 */
export interface Submission {
  id: string;
  kampungId: string;
  villageCode: string;
  regionCode: string;
  instrumentCode: string;
  instrumentVersion: number;
  kind: SubmissionKind;
  periodYear: number;
  periodMonth: number;
  answers: SurveyAnswers;
  bodyHash: string;
  status: SubmissionStatus;
  via: 'api' | 'import';
  importId: string | null;
  submittedAt: Date;
  submittedBy: string;
  supersedes: string | null;
  supersededBy: string | null;
  supersededAt: Date | null;
  verifiedAt: Date | null;
  verifiedBy: string | null;
  rejectedAt: Date | null;
  rejectedBy: string | null;
  rejectionReason: string | null;
}

/** A submission that passed validation and scope, ready to be written. */
export interface PreparedSubmission extends Pick<
  Submission,
  | 'id'
  | 'kampungId'
  | 'villageCode'
  | 'regionCode'
  | 'instrumentCode'
  | 'instrumentVersion'
  | 'kind'
  | 'answers'
  | 'bodyHash'
  | 'submittedBy'
  | 'via'
> {
  period: { year: number; month: number };
  importId?: string;
}

/** What writing one prepared submission came to. */
export type WriteOutcome =
  | { outcome: 'created'; submission: Submission; superseded?: Submission }
  | { outcome: 'unchanged'; submission: Submission }
  | { outcome: 'conflict'; submission: Submission };
