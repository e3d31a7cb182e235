import {
  provinceOf,
  submissionRejectedV1,
  submissionSubmittedV1,
  submissionSupersededV1,
  submissionVerifiedV1,
  type EventContract,
  type SubmissionRefV1,
} from '@kkb/contracts';
import type { NewEvent } from '@kkb/messaging';
import type { Submission } from './submission.model';

export interface OutboxItem {
  contract: EventContract<object>;
  event: NewEvent<object>;
}

/** A timestamp the state guarantees (e.g. verifiedAt of a verified submission). */
function at(d: Date | null, what: string): string {
  if (!d) throw new Error(`submission has no ${what}`);
  return d.toISOString();
}

function text(v: string | null, what: string): string {
  if (v === null) throw new Error(`submission has no ${what}`);
  return v;
}

function ref(s: Submission): SubmissionRefV1 {
  return {
    submissionId: s.id,
    kampungId: s.kampungId,
    villageCode: s.villageCode,
    instrumentCode: s.instrumentCode,
    instrumentVersion: s.instrumentVersion,
    kind: s.kind,
    period: { year: s.periodYear, month: s.periodMonth },
  };
}

function item<T extends object>(contract: EventContract<T>, s: Submission, data: T): OutboxItem {
  return {
    contract: contract as EventContract<object>,
    event: { subject: `submission/${s.id}`, province: provinceOf(s.villageCode), data },
  };
}

export const submittedEvent = (s: Submission): OutboxItem =>
  item(submissionSubmittedV1, s, {
    ...ref(s),
    submittedAt: s.submittedAt.toISOString(),
    submittedBy: s.submittedBy,
    via: s.via,
    ...(s.supersedes ? { supersedes: s.supersedes } : {}),
  });

export const verifiedEvent = (s: Submission): OutboxItem =>
  item(submissionVerifiedV1, s, {
    ...ref(s),
    verifiedAt: at(s.verifiedAt, 'verifiedAt'),
    verifiedBy: text(s.verifiedBy, 'verifiedBy'),
    answers: s.answers,
  });

export const rejectedEvent = (s: Submission): OutboxItem =>
  item(submissionRejectedV1, s, {
    ...ref(s),
    rejectedAt: at(s.rejectedAt, 'rejectedAt'),
    rejectedBy: text(s.rejectedBy, 'rejectedBy'),
    reason: text(s.rejectionReason, 'rejectionReason'),
  });

export const supersededEvent = (
  s: Submission,
  previousStatus: 'submitted' | 'verified' | 'rejected',
): OutboxItem =>
  item(submissionSupersededV1, s, {
    ...ref(s),
    supersededBy: text(s.supersededBy, 'supersededBy'),
    supersededAt: at(s.supersededAt, 'supersededAt'),
    previousStatus,
  });
