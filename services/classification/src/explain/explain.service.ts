import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { assertInScope, type Principal } from '@kkb/auth';
import { decodeCursor, ProblemException, toPage, type Page, type PageQuery } from '@kkb/platform';
import {
  inputsRead,
  type EvaluationInputs,
  type IndicatorResult,
  type IndexResult,
} from '../evaluation/evaluator';
import { lift, type LiftAnalysis } from '../evaluation/lift';
import { INDEX_NAMES, type Band, type IndexName, type Level } from '../rule-set/rule-set.definition';
import { RuleSetService } from '../rule-set/rule-set.service';
import { ExplainRepository } from './explain.repository';

export interface SubmissionUsed {
  submissionId: string;
  /** `YYYY-MM`. */
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
  /** Every band of the indicator: its interval on the real line, score and label. */
  bands: { interval: string; score: number; label: string }[];
}

export interface IndexExplained extends IndexResult {
  passMark: number;
  indicators: IndicatorExplained[];
}

export interface ClassificationView {
  kampungId: string;
  villageCode: string;
  name: string;
  status: 'assessed' | 'not_assessed';
  level: Level | null;
  /** Why there is no level, when not assessed. */
  reason?: string;
  previousLevel?: Level | null;
  evaluationId?: string;
  evaluatedAt?: string;
  trigger?: string;
  ruleSetVersion?: number;
  profile: SubmissionUsed | null;
  report: SubmissionUsed | null;
  /** The answers the rule set read from those submissions. */
  inputs?: EvaluationInputs;
  indices?: Record<IndexName, IndexExplained>;
  lift?: LiftAnalysis;
}

export interface EvaluationSummary {
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

const used = (id: string | null, period: string | null): SubmissionUsed | null =>
  id && period ? { submissionId: id, period: period.slice(0, 7) } : null;

/** `[0.5, 1.5)`, `(-∞, 29.5)`, `[50.5, ∞)`. */
export function intervals(bands: Band[]): string[] {
  return bands.map((b, i) => {
    const prev = bands[i - 1];
    const lower = prev ? `${prev.inclusive ? '(' : '['}${prev.upTo}` : '(-∞';
    const upper = b.upTo === null ? '∞)' : `${b.upTo}${b.inclusive ? ']' : ')'}`;
    return `${lower}, ${upper}`;
  });
}

/** Why a kampung has its level, indicator by indicator, what would lift it, and its history. */
@Injectable()
export class ExplainService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly ruleSets: RuleSetService,
    private readonly repo: ExplainRepository,
  ) {}

  private async kampung(id: string, user: Principal) {
    const k = await this.repo.kampung(this.ds.manager, id);
    if (!k) throw ProblemException.notFound(`Kampung ${id}`);
    assertInScope(user, k.villageCode);
    return k;
  }

  async current(id: string, user: Principal): Promise<ClassificationView> {
    const k = await this.kampung(id, user);
    const e = await this.repo.currentEvaluation(this.ds.manager, id);
    if (!e) {
      const report = await this.repo.latestReport(this.ds.manager, id);
      return {
        ...k,
        status: 'not_assessed',
        level: null,
        reason: 'no verified kampung profile yet',
        profile: null,
        report: report ? used(report.id, report.period) : null,
      };
    }
    const ruleSet = await this.ruleSets.load(this.ds.manager, e.rule_set_version);
    const def = ruleSet.definition;
    const answers = await this.repo.verifiedAnswers(
      this.ds.manager,
      [e.profile_submission_id, e.report_submission_id].filter((x): x is string => Boolean(x)),
    );
    const answersOf = (id: string | null) => answers.find((a) => a.id === id)?.answers ?? null;
    const stored = new Map(e.indicators.map((i) => [i.id, i]));
    const results: IndicatorResult[] = def.indicators.map((ind) => ({
      ...(stored.get(ind.id) ?? { id: ind.id, value: null, band: null, score: ind.missingScore }),
      index: ind.index,
      maxScore: Math.max(...ind.bands.map((b) => b.score)),
    }));
    const indices = {} as Record<IndexName, IndexExplained>;
    for (const name of INDEX_NAMES) {
      indices[name] = {
        ...e.indices[name],
        passMark: def.passMark,
        indicators: def.indicators
          .map((ind, i) => ({ ind, r: results[i] }))
          .filter(({ ind }) => ind.index === name)
          .map(({ ind, r }) => {
            const spans = intervals(ind.bands);
            return {
              id: ind.id,
              name: ind.name,
              unit: ind.unit,
              value: r.value,
              ...(r.missing ? { missing: r.missing } : {}),
              band: r.band,
              score: r.score,
              maxScore: r.maxScore,
              bands: ind.bands.map((b, i) => ({ interval: spans[i], score: b.score, label: b.label })),
            };
          }),
      };
    }
    return {
      ...k,
      status: 'assessed',
      level: e.level,
      previousLevel: e.previous_level,
      evaluationId: e.id,
      evaluatedAt: new Date(e.evaluated_at).toISOString(),
      trigger: e.trigger,
      ruleSetVersion: e.rule_set_version,
      profile: used(e.profile_submission_id, e.profile_period),
      report: used(e.report_submission_id, e.report_period),
      inputs: inputsRead(def, {
        profile: answersOf(e.profile_submission_id),
        report: answersOf(e.report_submission_id),
      }),
      indices,
      lift: lift(def, results),
    };
  }

  async history(id: string, q: PageQuery, user: Principal): Promise<Page<EvaluationSummary>> {
    await this.kampung(id, user);
    const cursor = decodeCursor(q.cursor, ['seq']);
    const rows = await this.repo.evaluations(this.ds.manager, id, cursor ? cursor[0] : null, q.limit + 1);
    const page = toPage(rows, q.limit, (r) => [r.seq]);
    return {
      nextCursor: page.nextCursor,
      items: page.items.map((r) => ({
        evaluationId: r.id,
        level: r.level,
        previousLevel: r.previous_level,
        changed: r.changed,
        ruleSetVersion: r.rule_set_version,
        indices: {
          input: r.indices.input.value,
          process: r.indices.process.value,
          output: r.indices.output.value,
        },
        trigger: r.trigger,
        profile: { submissionId: r.profile_submission_id, period: r.profile_period.slice(0, 7) },
        report: used(r.report_submission_id, r.report_period),
        evaluatedAt: new Date(r.evaluated_at).toISOString(),
      })),
    };
  }
}
