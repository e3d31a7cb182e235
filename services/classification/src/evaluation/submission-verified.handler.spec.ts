import { Logger } from '@nestjs/common';
import {
  kampungClassifiedV1,
  submissionVerifiedV1,
  type CloudEvent,
  type SubmissionVerifiedV1,
  type SurveyAnswers,
} from '@kkb/contracts';
import { EventContext, PermanentEventError, type OutboxService } from '@kkb/messaging';
import type { EntityManager } from 'typeorm';
import { RULE_SET_V1 } from '../rule-set/rule-set-v1';
import type { Level } from '../rule-set/rule-set.definition';
import type { RuleSetService } from '../rule-set/rule-set.service';
import { profileAnswers, reportAnswers } from './evaluation.fixtures';
import type {
  EvaluationRecord,
  EvaluationRepository,
  KampungInputs,
  VerifiedSubmission,
} from './evaluation.repository';
import { EvaluationService, type OutboxItem } from './evaluation.service';
import type { Answers } from './evaluator';
import { SubmissionVerifiedHandler } from './submission-verified.handler';

const KAMPUNG = '6f1c2a3b-0000-4000-8000-000000000001';
const VILLAGE = '16.10.05.2041';

/** The repository's rules over maps: the projection, the latest submission of each kind, the current level. */
class FakeEvaluationRepository {
  readonly projection = new Map<string, string>();
  readonly latest = new Map<string, VerifiedSubmission>();
  readonly levels = new Map<string, Level>();
  readonly written: EvaluationRecord[] = [];

  async lockAndStoreLatest(
    _m: EntityManager,
    s: VerifiedSubmission,
  ): Promise<'unknown-kampung' | 'kept' | 'older'> {
    if (!this.projection.has(s.kampungId)) return 'unknown-kampung';
    const key = `${s.kampungId}/${s.kind}`;
    const cur = this.latest.get(key);
    if (cur && [s.period, s.verifiedAt].join() <= [cur.period, cur.verifiedAt].join()) return 'older';
    this.latest.set(key, s);
    return 'kept';
  }

  async inputs(_m: EntityManager, kampungIds: string[]): Promise<KampungInputs[]> {
    return kampungIds.flatMap((kampungId) => {
      const villageCode = this.projection.get(kampungId);
      const profile = this.latest.get(`${kampungId}/profile`);
      if (!villageCode || !profile) return [];
      const report = this.latest.get(`${kampungId}/monthly-report`);
      return [
        {
          kampungId,
          villageCode,
          profileId: profile.submissionId,
          profilePeriod: profile.period,
          profile: profile.answers,
          reportId: report?.submissionId ?? null,
          reportPeriod: report?.period ?? null,
          report: report?.answers ?? null,
          previousLevel: this.levels.get(kampungId) ?? null,
        },
      ];
    });
  }

  async write(_m: EntityManager, records: EvaluationRecord[]): Promise<void> {
    this.written.push(...records);
    for (const r of records) this.levels.set(r.kampung_id, r.level);
  }
}

function setup() {
  const repo = new FakeEvaluationRepository();
  repo.projection.set(KAMPUNG, VILLAGE);
  const outbox = { addMany: jest.fn(async (_m: EntityManager, items: OutboxItem[]) => items) };
  const ruleSets = { current: jest.fn(async () => ({ version: 1, definition: RULE_SET_V1 })) };
  const evaluations = new EvaluationService(
    repo as unknown as EvaluationRepository,
    outbox as unknown as OutboxService,
  );
  const handler = new SubmissionVerifiedHandler(
    repo as unknown as EvaluationRepository,
    evaluations,
    ruleSets as unknown as RuleSetService,
  );
  const manager = {} as EntityManager;
  const ctx = new EventContext([manager, 1, 'kkb.survey.submission.verified.v1.16']);
  /** The events of every addMany call, in order. */
  const published = () => outbox.addMany.mock.calls.flatMap(([, items]) => items);
  return { repo, outbox, ruleSets, handler, ctx, manager, published };
}

let seq = 0;
function verified(
  kind: SubmissionVerifiedV1['kind'],
  answers: Answers,
  opts: { month?: number; kampungId?: string } = {},
): CloudEvent<SubmissionVerifiedV1> {
  seq += 1;
  const submissionId = `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`;
  return {
    specversion: '1.0',
    id: `10000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    source: '/kkb/survey',
    type: submissionVerifiedV1.type,
    subject: `submission/${submissionId}`,
    time: '2026-03-10T08:00:00.000Z',
    datacontenttype: 'application/json',
    correlationid: submissionId,
    province: '16',
    data: {
      submissionId,
      kampungId: opts.kampungId ?? KAMPUNG,
      villageCode: VILLAGE,
      instrumentCode: kind === 'profile' ? 'kampung-profile' : 'monthly-report',
      instrumentVersion: 1,
      kind,
      period: { year: 2026, month: opts.month ?? 2 },
      verifiedAt: new Date(Date.UTC(2026, 2, 10) + seq * 60_000).toISOString(),
      verifiedBy: 'verifier-1',
      // The fixtures hold the answers as the instruments send them.
      answers: answers as SurveyAnswers,
    },
  };
}

describe('SubmissionVerifiedHandler (in-memory)', () => {
  it('should classify a kampung from its verified profile alone with the level rule set v1 gives', async () => {
    const { handler, ctx, repo, published } = setup();
    await handler.onVerified(verified('profile', profileAnswers()), ctx);

    // Input and process pass, output fails without a report: berkembang.
    expect(repo.written.map((r) => [r.kampung_id, r.rule_set_version, r.level, r.trigger])).toEqual([
      [KAMPUNG, 1, 'berkembang', 'submission'],
    ]);
    expect(repo.levels.get(KAMPUNG)).toBe('berkembang');
    const events = published();
    expect(events).toHaveLength(1);
    expect(events[0].contract.type).toBe('kkb.classification.kampung.classified.v1');
    expect(events[0].contract).toBe(kampungClassifiedV1);
    expect(events[0].event).toMatchObject({
      id: repo.written[0].id,
      subject: `kampung/${KAMPUNG}`,
      province: '16',
      data: {
        kampungId: KAMPUNG,
        villageCode: VILLAGE,
        level: 'berkembang',
        changed: true,
        ruleSetVersion: 1,
        profilePeriod: { year: 2026, month: 2 },
        trigger: 'submission',
      },
    });
    expect(events[0].event.data).not.toHaveProperty('previousLevel');
    expect(events[0].event.data).not.toHaveProperty('reportPeriod');
  });

  it('should publish changed true with the previous level when a monthly report raises the level', async () => {
    const { handler, ctx, published } = setup();
    await handler.onVerified(verified('profile', profileAnswers()), ctx);
    await handler.onVerified(verified('monthly-report', reportAnswers()), ctx);

    const data = published().map((e) => e.event.data as Record<string, unknown>);
    expect(data.map((d) => [d.level, d.previousLevel, d.changed])).toEqual([
      ['berkembang', undefined, true],
      ['berkelanjutan', 'berkembang', true],
    ]);
    expect(data[1].reportPeriod).toEqual({ year: 2026, month: 2 });
  });

  it('should still publish, with changed false, when a new submission leaves the level as it was', async () => {
    const { handler, ctx, repo, published } = setup();
    await handler.onVerified(verified('profile', profileAnswers()), ctx);
    await handler.onVerified(verified('monthly-report', reportAnswers({ cpr: 10, unmet: 20 })), ctx);

    expect(repo.written.map((r) => [r.level, r.previous_level, r.changed])).toEqual([
      ['berkembang', null, true],
      ['berkembang', 'berkembang', false],
    ]);
    const last = published()[1].event.data;
    expect(last).toMatchObject({ level: 'berkembang', previousLevel: 'berkembang', changed: false });
  });

  it('should lower the level when a later profile fails the input and process indices', async () => {
    const { handler, ctx, repo } = setup();
    await handler.onVerified(verified('profile', profileAnswers()), ctx);
    await handler.onVerified(verified('monthly-report', reportAnswers()), ctx);
    const failing = profileAnswers({
      pokja_exists: false,
      funding_sources: [],
      facilities: [],
      data_sources: [],
      operating_steps: [],
    });
    await handler.onVerified(verified('profile', failing, { month: 3 }), ctx);

    expect(repo.written.map((r) => r.level)).toEqual(['berkembang', 'berkelanjutan', 'dasar']);
    expect(repo.written[2]).toMatchObject({ previous_level: 'berkelanjutan', changed: true });
  });

  it('should evaluate nothing for a submission older than the one in use', async () => {
    const { handler, ctx, repo, outbox, ruleSets } = setup();
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    await handler.onVerified(verified('profile', profileAnswers(), { month: 3 }), ctx);
    await handler.onVerified(verified('profile', profileAnswers({ pokja_exists: false }), { month: 1 }), ctx);

    expect(repo.written).toHaveLength(1);
    expect(outbox.addMany).toHaveBeenCalledTimes(1);
    expect(ruleSets.current).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledTimes(1);
    log.mockRestore();
  });

  it('should throw a retryable error for a kampung not in the projection yet, writing nothing', async () => {
    const { handler, ctx, repo, outbox } = setup();
    const other = '6f1c2a3b-0000-4000-8000-000000000099';
    const attempt = handler.onVerified(verified('profile', profileAnswers(), { kampungId: other }), ctx);

    await expect(attempt).rejects.toThrow(`kampung ${other} is not in the projection yet`);
    await expect(attempt).rejects.not.toBeInstanceOf(PermanentEventError);
    expect(repo.latest.size).toBe(0);
    expect(repo.written).toHaveLength(0);
    expect(outbox.addMany).not.toHaveBeenCalled();
  });

  it('should use the rule set in force and the manager of the consumer transaction', async () => {
    const { handler, ctx, manager, ruleSets, outbox } = setup();
    await handler.onVerified(verified('profile', profileAnswers()), ctx);
    expect(ruleSets.current).toHaveBeenCalledWith(manager);
    expect(outbox.addMany.mock.calls[0][0]).toBe(manager);
  });
});
