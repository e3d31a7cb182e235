import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  kampungClassifiedV1,
  provinceOf,
  type ClassificationTrigger,
  type EventContract,
  type KampungClassifiedV1,
} from '@kkb/contracts';
import { OutboxService, type NewEvent } from '@kkb/messaging';
import { periodOf } from '../common/schema';
import type { LoadedRuleSet } from '../rule-set/rule-set.service';
import { evaluate } from './evaluator';
import { EvaluationRepository, type EvaluationRecord, type KampungInputs } from './evaluation.repository';

export interface OutboxItem {
  contract: EventContract<object>;
  event: NewEvent<object>;
}

/** The `kampung classified` event of a stored evaluation; its id is the evaluation id. */
export function classifiedEvent(r: EvaluationRecord): OutboxItem {
  const profilePeriod = periodOf(r.profile_period);
  const reportPeriod = periodOf(r.report_period);
  const data: KampungClassifiedV1 = {
    kampungId: r.kampung_id,
    villageCode: r.village_code,
    evaluationId: r.id,
    ruleSetVersion: r.rule_set_version,
    level: r.level,
    ...(r.previous_level ? { previousLevel: r.previous_level } : {}),
    changed: r.changed,
    indices: {
      input: r.indices.input.value,
      process: r.indices.process.value,
      output: r.indices.output.value,
    },
    ...(profilePeriod ? { profilePeriod } : {}),
    ...(reportPeriod ? { reportPeriod } : {}),
    evaluatedAt: r.evaluated_at,
    trigger: r.trigger,
  };
  return {
    contract: kampungClassifiedV1 as EventContract<object>,
    event: { id: r.id, subject: `kampung/${r.kampung_id}`, province: provinceOf(r.village_code), data },
  };
}

/** Evaluates kampung with a rule set and stores the results; shared by the event path and the recomputation. */
@Injectable()
export class EvaluationService {
  constructor(
    private readonly repo: EvaluationRepository,
    private readonly outbox: OutboxService,
  ) {}

  /** Pure: the records for already loaded inputs. */
  records(
    inputs: KampungInputs[],
    ruleSet: LoadedRuleSet,
    trigger: ClassificationTrigger,
    jobId: string | null,
    evaluatedAt: string,
  ): EvaluationRecord[] {
    return inputs.map((k) => {
      const r = evaluate(ruleSet.definition, { profile: k.profile, report: k.report });
      return {
        id: randomUUID(),
        kampung_id: k.kampungId,
        village_code: k.villageCode,
        rule_set_version: ruleSet.version,
        level: r.level,
        previous_level: k.previousLevel,
        changed: r.level !== k.previousLevel,
        indices: r.indices,
        indicators: r.indicators.map(({ id, value, band, score, missing }) => ({
          id,
          value,
          band,
          score,
          ...(missing ? { missing } : {}),
        })),
        profile_submission_id: k.profileId,
        profile_period: k.profilePeriod,
        report_submission_id: k.reportId,
        report_period: k.reportPeriod,
        trigger,
        job_id: jobId,
        evaluated_at: evaluatedAt,
      };
    });
  }

  /**
   * Evaluates and stores, and adds the `kampung classified` events of the records `publish`
   * selects, all in the caller's transaction. The outbox validates every event in JS, which takes
   * about as long as Postgres takes to write a batch: the events are built while the write is in
   * flight on the connection (the statements still run in order: evaluations, then outbox).
   * Kampung without a verified profile are skipped.
   */
  async evaluateAndStore(
    m: EntityManager,
    kampungIds: string[],
    ruleSet: LoadedRuleSet,
    trigger: ClassificationTrigger,
    opts: {
      jobId?: string;
      publish: (r: EvaluationRecord) => boolean;
      /** Resolves when the write may start (a recomputation batch waits for the one before it). */
      writeAfter?: Promise<void>;
      /** Called once the evaluations, levels and month levels are written. */
      written?: () => void;
    },
  ): Promise<EvaluationRecord[]> {
    const inputs = await this.repo.inputs(m, kampungIds);
    const records = this.records(inputs, ruleSet, trigger, opts.jobId ?? null, new Date().toISOString());
    await opts.writeAfter;
    const written = this.repo.write(m, records).then(() => opts.written?.());
    written.catch(() => undefined); // awaited below; this only keeps a rejection during the yield handled
    // Let the write reach the connection before the synchronous event validation starts.
    await new Promise((resolve) => setImmediate(resolve));
    const queued = this.outbox.addMany(m, records.filter(opts.publish).map(classifiedEvent));
    await Promise.all([written, queued]);
    return records;
  }
}
