import type { DataSource, EntityManager } from 'typeorm';
import { ForbiddenException } from '@nestjs/common';
import { Role, type Principal } from '@kkb/auth';
import { submissionSubmittedV1, submissionVerifiedV1 } from '@kkb/contracts';
import type { KampungProjectionRepository, ProjectedKampung } from '@kkb/kampung-projection';
import type { OutboxService } from '@kkb/messaging';
import type { ProblemException } from '@kkb/platform';
import { reportAnswers, reportSubmission } from '../../test/factories';
import type { Clock } from '../common/clock';
import type { Instrument } from '../instrument/instrument.model';
import type { InstrumentRepository } from '../instrument/instrument.repository';
import { InstrumentService } from '../instrument/instrument.service';
import { MONTHLY_REPORT_CODE, monthlyReportV1 } from '../instrument/seed/monthly-report.v1';
import type { OutboxItem } from './submission.events';
import type { PreparedSubmission, Submission } from './submission.model';
import type { BatchWrite, SubmissionRepository } from './submission.repository';
import { SubmissionService } from './submission.service';
import { problemOf } from '@kkb/testing';

/**
 * Use-case tests: SubmissionService built directly on in-memory fakes, no Nest app, no database.
 * The instrument service is the real one (its "which field is at fault" rule is domain logic)
 * over an in-memory instrument repository; the submission repository (SQL only) is an in-memory
 * stand-in, and the fake DataSource's transaction hands every callback the one fake manager, so
 * a test can see that the writes and the outbox events share it.
 */

const KAMPUNG = '0b6f7c2e-8d1a-4c3b-9e5f-1a2b3c4d5e6f';
const VILLAGE = '16.10.05.2041';
const NOW = new Date('2026-06-15T03:00:00.000Z');
const officer: Principal = { sub: 'officer-1610', role: Role.field_officer, scope: '1610' };
const verifier: Principal = { sub: 'verifier-16', role: Role.verifier, scope: '16' };
const elsewhere: Principal = { sub: 'verifier-31', role: Role.verifier, scope: '31' };

function fakes() {
  const manager = { fake: 'entity-manager' } as unknown as EntityManager;
  const kampung = new Map<string, ProjectedKampung>([
    [
      KAMPUNG,
      {
        kampungId: KAMPUNG,
        villageCode: VILLAGE,
        launchDate: '2022-03-14',
        active: true,
        mergedInto: null,
      },
    ],
  ]);
  const instruments: Instrument[] = [
    {
      code: MONTHLY_REPORT_CODE,
      version: 1,
      kind: 'monthly-report',
      title: 'Monthly programme report (KKBPK)',
      definition: monthlyReportV1,
      publishedAt: new Date('2026-01-01T00:00:00.000Z'),
      publishedBy: 'migration',
    },
  ];
  const stored = new Map<string, Submission>();
  const outbox = { add: jest.fn(), addMany: jest.fn(async (_m: EntityManager, _items: OutboxItem[]) => []) };

  const ds = {
    manager,
    transaction: jest.fn(<T>(work: (m: EntityManager) => Promise<T>) => work(manager)),
  };

  const instrumentRepo = {
    find: async (_m: EntityManager, code: string, version: number) =>
      instruments.find((i) => i.code === code && i.version === version) ?? null,
    latest: async (_m: EntityManager, code: string) =>
      instruments.filter((i) => i.code === code).sort((a, b) => b.version - a.version)[0] ?? null,
  };

  const projection = {
    findMany: jest.fn(async (_m: EntityManager, ids: string[]) =>
      ids.flatMap((id) => (kampung.has(id) ? [kampung.get(id) as ProjectedKampung] : [])),
    ),
  };

  const toSubmission = (p: PreparedSubmission): Submission => ({
    id: p.id,
    kampungId: p.kampungId,
    villageCode: p.villageCode,
    regionCode: p.regionCode,
    instrumentCode: p.instrumentCode,
    instrumentVersion: p.instrumentVersion,
    kind: p.kind,
    periodYear: p.period.year,
    periodMonth: p.period.month,
    answers: p.answers,
    bodyHash: p.bodyHash,
    status: 'submitted',
    via: p.via,
    importId: p.importId ?? null,
    submittedAt: NOW,
    submittedBy: p.submittedBy,
    supersedes: null,
    supersededBy: null,
    supersededAt: null,
    verifiedAt: null,
    verifiedBy: null,
    rejectedAt: null,
    rejectedBy: null,
    rejectionReason: null,
  });

  const update = (id: string, change: Partial<Submission>): Submission => {
    const current = stored.get(id);
    if (!current) throw new Error(`no submission ${id}`);
    const next = { ...current, ...change };
    stored.set(id, next);
    return next;
  };

  const submissions = {
    // Existing ids are retries (read back); new ones are inserted. No period is taken yet.
    supersedeAndInsert: jest.fn(
      async (_m: EntityManager, items: PreparedSubmission[]): Promise<BatchWrite> => {
        const out: BatchWrite = { superseded: [], inserted: [], existing: [] };
        for (const p of items) {
          const existing = stored.get(p.id);
          if (existing) out.existing.push({ ...existing });
          else {
            const s = toSubmission(p);
            stored.set(s.id, s);
            out.inserted.push({ ...s });
          }
        }
        return out;
      },
    ),
    findMany: jest.fn(async (_m: EntityManager, ids: string[]) =>
      ids.flatMap((id) => (stored.has(id) ? [{ ...(stored.get(id) as Submission) }] : [])),
    ),
    find: jest.fn(async (_m: EntityManager, id: string, _opts?: { lock?: boolean }) => {
      const s = stored.get(id);
      return s ? { ...s } : null;
    }),
    decide: jest.fn(
      async (
        _m: EntityManager,
        id: string,
        scope: string,
        change: { to: 'verified'; by: string } | { to: 'rejected'; by: string; reason: string },
      ) => {
        const s = stored.get(id);
        if (!s || s.status !== 'submitted' || !s.regionCode.startsWith(scope)) return null;
        return change.to === 'verified'
          ? update(id, { status: 'verified', verifiedAt: NOW, verifiedBy: change.by })
          : update(id, {
              status: 'rejected',
              rejectedAt: NOW,
              rejectedBy: change.by,
              rejectionReason: change.reason,
            });
      },
    ),
  };

  const clock: Clock = { now: () => NOW };
  const service = new SubmissionService(
    ds as unknown as DataSource,
    submissions as unknown as SubmissionRepository,
    new InstrumentService(ds as unknown as DataSource, instrumentRepo as unknown as InstrumentRepository),
    clock,
    projection as unknown as KampungProjectionRepository,
    outbox as unknown as OutboxService,
  );
  return { service, ds, manager, kampung, stored, submissions, outbox, projection };
}

const fieldsOf = (p: ProblemException) => (p.errors ?? []).map((e) => e.field);

describe('SubmissionService.submit', () => {
  it('accepts a valid monthly report and writes it as prepared', async () => {
    const f = fakes();
    const body = reportSubmission(KAMPUNG, { year: 2026, month: 5 });

    const out = await f.service.submit(body, officer);

    expect(out.outcome).toBe('created');
    expect(out.submission).toMatchObject({ id: body.id, status: 'submitted', kind: 'monthly-report' });
    expect(f.ds.transaction).toHaveBeenCalledTimes(1);
    expect(f.submissions.supersedeAndInsert).toHaveBeenCalledTimes(1);
    const [m, [prepared]] = f.submissions.supersedeAndInsert.mock.calls[0];
    expect(m).toBe(f.manager);
    expect(prepared).toMatchObject({
      id: body.id,
      kampungId: KAMPUNG,
      villageCode: VILLAGE,
      regionCode: '1610052041',
      instrumentCode: 'monthly-report',
      instrumentVersion: 1,
      kind: 'monthly-report',
      period: { year: 2026, month: 5 },
      submittedBy: 'officer-1610',
      via: 'api',
    });
    expect(prepared.answers).toEqual(reportAnswers());
    expect(prepared.bodyHash).toMatch(/^[0-9a-f]{16,}$/);
    expect(f.projection.findMany).toHaveBeenCalledWith(f.manager, [KAMPUNG]);
  });

  it('reads the kampung, writes the row and adds its event in one transaction (one commit)', async () => {
    const f = fakes();
    const tx = { fake: 'transaction' } as unknown as EntityManager;
    f.ds.transaction.mockImplementation(<T>(work: (m: EntityManager) => Promise<T>) => work(tx));

    await f.service.submit(reportSubmission(KAMPUNG, { year: 2026, month: 5 }), officer);

    expect(f.ds.transaction).toHaveBeenCalledTimes(1);
    expect(f.projection.findMany).toHaveBeenCalledWith(tx, [KAMPUNG]);
    expect(f.submissions.supersedeAndInsert.mock.calls[0][0]).toBe(tx);
    expect(f.outbox.addMany.mock.calls[0][0]).toBe(tx);
  });

  it('adds submission.submitted.v1 to the outbox in the transaction that wrote the row', async () => {
    const f = fakes();
    const body = reportSubmission(KAMPUNG, { year: 2026, month: 5 });

    await f.service.submit(body, officer);

    expect(f.outbox.addMany).toHaveBeenCalledTimes(1);
    const [m, items] = f.outbox.addMany.mock.calls[0];
    expect(m).toBe(f.manager);
    expect(items.map((i) => i.contract)).toEqual([submissionSubmittedV1]);
    expect(items[0].event).toMatchObject({ subject: `submission/${body.id}`, province: '16' });
  });

  it('answers a retry with the same id and body with the stored submission, and no event', async () => {
    const f = fakes();
    const body = reportSubmission(KAMPUNG, { year: 2026, month: 5 });
    const first = await f.service.submit(body, officer);
    f.outbox.addMany.mockClear();

    const again = await f.service.submit(body, officer);

    expect(again).toEqual({ outcome: 'unchanged', submission: first.submission });
    expect(f.outbox.addMany.mock.calls.flatMap(([, items]) => items)).toEqual([]);
  });

  it('answers 409 to the same id with a different body', async () => {
    const f = fakes();
    const body = reportSubmission(KAMPUNG, { year: 2026, month: 5 });
    await f.service.submit(body, officer);

    const p = await problemOf(f.service.submit({ ...body, answers: reportAnswers({ pus: 641 }) }, officer));

    expect(p.getStatus()).toBe(409);
    expect(p.errors).toEqual([
      { field: 'id', reason: 'already used for a submission with different content' },
    ]);
  });

  it('names instrumentVersion when the instrument has no such published version', async () => {
    const f = fakes();
    const body = reportSubmission(KAMPUNG, { year: 2026, month: 5 }, { instrumentVersion: 9 });
    const p = await problemOf(f.service.submit(body, officer));
    expect(p.getStatus()).toBe(400);
    expect(p.errors).toEqual([
      { field: 'instrumentVersion', reason: 'instrument monthly-report has no published version 9' },
    ]);
    expect(f.submissions.supersedeAndInsert).not.toHaveBeenCalled();
  });

  it('names instrumentCode when no version of the instrument exists', async () => {
    const f = fakes();
    const body = reportSubmission(KAMPUNG, { year: 2026, month: 5 }, { instrumentCode: 'weekly-report' });
    const p = await problemOf(f.service.submit(body, officer));
    expect(p.getStatus()).toBe(400);
    expect(p.errors).toEqual([{ field: 'instrumentCode', reason: 'there is no instrument weekly-report' }]);
  });

  it('names kampungId when the survey service knows no such kampung', async () => {
    const f = fakes();
    const body = reportSubmission('9d3b1c7a-0000-4000-8000-000000000001', { year: 2026, month: 5 });
    const p = await problemOf(f.service.submit(body, officer));
    expect(p.getStatus()).toBe(400);
    expect(p.errors).toEqual([
      { field: 'kampungId', reason: 'no Kampung KB with this id is known to the survey service' },
    ]);
    expect(f.submissions.supersedeAndInsert).not.toHaveBeenCalled();
  });

  it('names kampungId when the kampung is deactivated', async () => {
    const f = fakes();
    f.kampung.set(KAMPUNG, { ...(f.kampung.get(KAMPUNG) as ProjectedKampung), active: false });
    const p = await problemOf(f.service.submit(reportSubmission(KAMPUNG, { year: 2026, month: 5 }), officer));
    expect(p.errors).toEqual([
      { field: 'kampungId', reason: 'the Kampung KB is not active (deactivated or merged)' },
    ]);
  });

  it('reports every failing field at once: a future period and a bad answer', async () => {
    const f = fakes();
    const body = reportSubmission(KAMPUNG, { year: 2026, month: 7 }, { answers: reportAnswers({ pus: -1 }) });
    const p = await problemOf(f.service.submit(body, officer));
    expect(fieldsOf(p)).toEqual(expect.arrayContaining(['period', 'answers.pus']));
    expect(p.errors?.find((e) => e.field === 'period')?.reason).toBe('the period has not begun yet');
  });

  it('answers 403 when the kampung lies outside the caller scope', async () => {
    const f = fakes();
    const err = await f.service
      .submit(reportSubmission(KAMPUNG, { year: 2026, month: 5 }), elsewhere)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenException);
    expect((err as Error).message).toBe(`kampung ${KAMPUNG} is outside your scope 31`);
    expect(f.submissions.supersedeAndInsert).not.toHaveBeenCalled();
  });
});

describe('SubmissionService.verify', () => {
  async function submitted(f: ReturnType<typeof fakes>): Promise<Submission> {
    const out = await f.service.submit(reportSubmission(KAMPUNG, { year: 2026, month: 5 }), officer);
    // Only what verifying adds to the outbox counts below.
    f.outbox.addMany.mockClear();
    f.ds.transaction.mockClear();
    f.submissions.find.mockClear();
    return out.submission;
  }

  it('verifies a submitted report and emits submission.verified.v1 in the same transaction', async () => {
    const f = fakes();
    const s = await submitted(f);

    const v = await f.service.verify(s.id, verifier);

    expect(v).toMatchObject({ id: s.id, status: 'verified', verifiedBy: 'verifier-16', verifiedAt: NOW });
    expect(f.stored.get(s.id)?.status).toBe('verified');
    expect(f.ds.transaction).toHaveBeenCalledTimes(1);
    // One conditional update does it: state and scope are checked in its WHERE clause.
    expect(f.submissions.decide).toHaveBeenCalledWith(f.manager, s.id, '16', {
      to: 'verified',
      by: 'verifier-16',
    });
    expect(f.submissions.find).not.toHaveBeenCalled();
    expect(f.outbox.addMany).toHaveBeenCalledTimes(1);
    const [m, items] = f.outbox.addMany.mock.calls[0];
    expect(m).toBe(f.manager);
    expect(items).toHaveLength(1);
    expect(items[0].contract).toBe(submissionVerifiedV1);
    expect(items[0].contract.type).toBe('kkb.survey.submission.verified.v1');
    expect(items[0].event).toEqual({
      subject: `submission/${s.id}`,
      province: '16',
      data: {
        submissionId: s.id,
        kampungId: KAMPUNG,
        villageCode: VILLAGE,
        instrumentCode: 'monthly-report',
        instrumentVersion: 1,
        kind: 'monthly-report',
        period: { year: 2026, month: 5 },
        verifiedAt: NOW.toISOString(),
        verifiedBy: 'verifier-16',
        answers: reportAnswers(),
      },
    });
  });

  it('answers 409 to verifying twice, with no second event', async () => {
    const f = fakes();
    const s = await submitted(f);
    await f.service.verify(s.id, verifier);

    const p = await problemOf(f.service.verify(s.id, verifier));

    expect(p.getStatus()).toBe(409);
    expect(p.problemType).toBe('invalid-state');
    expect(p.extensions).toEqual({ submissionStatus: 'verified' });
    expect(f.outbox.addMany).toHaveBeenCalledTimes(1);
  });

  it('answers 403 to a verifier of another province and leaves the submission submitted', async () => {
    const f = fakes();
    const s = await submitted(f);
    await expect(f.service.verify(s.id, elsewhere)).rejects.toBeInstanceOf(ForbiddenException);
    expect(f.stored.get(s.id)?.status).toBe('submitted');
    expect(f.outbox.addMany).not.toHaveBeenCalled();
  });

  it('answers 404 to an unknown submission', async () => {
    const f = fakes();
    const p = await problemOf(f.service.verify('9d3b1c7a-0000-4000-8000-000000000002', verifier));
    expect(p.getStatus()).toBe(404);
  });
});
