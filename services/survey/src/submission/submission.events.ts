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
import type { Submission } from './submission.entity';

export interface OutboxItem {
  contract: EventContract<object>;
  event: NewEvent<object>;
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
    verifiedAt: s.verifiedAt!.toISOString(),
    verifiedBy: s.verifiedBy!,
    answers: s.answers,
  });

export const rejectedEvent = (s: Submission): OutboxItem =>
  item(submissionRejectedV1, s, {
    ...ref(s),
    rejectedAt: s.rejectedAt!.toISOString(),
    rejectedBy: s.rejectedBy!,
    reason: s.rejectionReason!,
  });

export const supersededEvent = (
  s: Submission,
  previousStatus: 'submitted' | 'verified' | 'rejected',
): OutboxItem =>
  item(submissionSupersededV1, s, {
    ...ref(s),
    supersededBy: s.supersededBy!,
    supersededAt: s.supersededAt!.toISOString(),
    previousStatus,
  });
