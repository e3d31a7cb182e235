import type { SubmissionKind, SurveyAnswers } from '@kkb/contracts';
import type { Submission, SubmissionStatus } from './submission.entity';

/** A submission as the API shows it. */
export interface SubmissionView {
  id: string;
  kampungId: string;
  villageCode: string;
  instrumentCode: string;
  instrumentVersion: number;
  kind: SubmissionKind;
  period: { year: number; month: number };
  status: SubmissionStatus;
  answers: SurveyAnswers;
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

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function submissionView(s: Submission): SubmissionView {
  return {
    id: s.id,
    kampungId: s.kampungId,
    villageCode: s.villageCode,
    instrumentCode: s.instrumentCode,
    instrumentVersion: s.instrumentVersion,
    kind: s.kind,
    period: { year: s.periodYear, month: s.periodMonth },
    status: s.status,
    answers: s.answers,
    via: s.via,
    importId: s.importId,
    submittedAt: s.submittedAt.toISOString(),
    submittedBy: s.submittedBy,
    supersedes: s.supersedes,
    supersededBy: s.supersededBy,
    supersededAt: iso(s.supersededAt),
    verifiedAt: iso(s.verifiedAt),
    verifiedBy: s.verifiedBy,
    rejectedAt: iso(s.rejectedAt),
    rejectedBy: s.rejectedBy,
    rejectionReason: s.rejectionReason,
  };
}

/** A timestamp from a row (a Date) or from `to_jsonb` of a row (ISO text). */
function dateOf(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v : new Date(v as string);
}

/** Maps a raw `RETURNING *` / `SELECT *` row (or its `to_jsonb`) of the submission table. */
export function submissionFromRow(r: Record<string, unknown>): Submission {
  return {
    id: r.id as string,
    kampungId: r.kampung_id as string,
    villageCode: r.village_code as string,
    regionCode: r.region_code as string,
    instrumentCode: r.instrument_code as string,
    instrumentVersion: Number(r.instrument_version),
    kind: r.kind as SubmissionKind,
    periodYear: Number(r.period_year),
    periodMonth: Number(r.period_month),
    answers: r.answers as SurveyAnswers,
    bodyHash: r.body_hash as string,
    status: r.status as SubmissionStatus,
    via: r.via as 'api' | 'import',
    importId: (r.import_id as string | null) ?? null,
    submittedAt: dateOf(r.submitted_at) as Date,
    submittedBy: r.submitted_by as string,
    supersedes: (r.supersedes as string | null) ?? null,
    supersededBy: (r.superseded_by as string | null) ?? null,
    supersededAt: dateOf(r.superseded_at),
    verifiedAt: dateOf(r.verified_at),
    verifiedBy: (r.verified_by as string | null) ?? null,
    rejectedAt: dateOf(r.rejected_at),
    rejectedBy: (r.rejected_by as string | null) ?? null,
    rejectionReason: (r.rejection_reason as string | null) ?? null,
  };
}
