import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '@kkb/auth';
import { NATIONAL_PROVINCE, ruleSetPublishedV1 } from '@kkb/contracts';
import { OutboxService } from '@kkb/messaging';
import { decodeCursor, ProblemException, SERVICE_CONFIG, toPage, type Page } from '@kkb/platform';
import type { ClassificationConfig } from '../config/classification.config';
import { EvaluationService } from '../evaluation/evaluation.service';
import { RuleSetRepository } from '../rule-set/rule-set.repository';
import { RuleSetService } from '../rule-set/rule-set.service';
import type { RecomputeJobsQuery } from './recompute-job.query';
import { RecomputeRepository, type RecomputeJob } from './recompute.repository';

type Step = 'more' | 'stop' | 'busy';

/**
 * Publishing a rule set and re-evaluating every assessed kampung with it. The job walks the
 * kampung in id order, one batch per transaction (evaluations, current levels, month levels,
 * events for changed levels and the job's cursor commit together), so a process that dies
 * midway resumes from the last committed batch, and any replica may run the next batch.
 */
@Injectable()
export class RecomputeService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RecomputeService.name);
  private readonly loops = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: ClassificationConfig,
    private readonly jobs: RecomputeRepository,
    private readonly ruleSetRepo: RuleSetRepository,
    private readonly ruleSets: RuleSetService,
    private readonly evaluations: EvaluationService,
    private readonly outbox: OutboxService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.RECOMPUTE_RESUME) return;
    for (const id of await this.jobs.running(this.ds.manager)) this.start(id);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops.values());
  }

  async get(id: string): Promise<RecomputeJob> {
    const job = await this.jobs.find(this.ds.manager, id);
    if (!job) throw ProblemException.notFound(`Recomputation job ${id}`);
    return job;
  }

  /** Jobs newest first (national officers), paged by (createdAt, id). */
  async list(q: RecomputeJobsQuery): Promise<Page<RecomputeJob>> {
    const key = decodeCursor(q.cursor, ['timestamp', 'uuid']);
    const after = key && { createdAt: key[0], id: key[1] };
    const rows = await this.jobs.list(this.ds.manager, q.status, after, q.limit);
    const page = toPage(rows, q.limit, (r) => [r.k, r.id]);
    return { items: page.items.map(({ k: _k, ...job }) => job), nextCursor: page.nextCursor };
  }

  /** Publishes a draft and starts the national re-evaluation; returns the job at once. */
  async publish(version: number, user: Principal): Promise<RecomputeJob> {
    const job = await this.ds.transaction(async (m) => {
      const row = await this.ruleSetRepo.find(m, version, { lock: true });
      if (!row) throw ProblemException.notFound(`Rule set version ${version}`);
      if (row.status === 'published')
        throw ProblemException.conflict(`Rule set ${version} is already published.`);
      const current = await this.ruleSetRepo.current(m);
      if (current && current.version > version)
        throw ProblemException.conflict(
          `Rule set ${current.version} is already in force; publish a draft with a higher version.`,
        );
      const publishedAt: Date = await this.ruleSetRepo.markPublished(m, version, user.sub);
      const created = await this.jobs.create(m, randomUUID(), version);
      await this.outbox.add(m, ruleSetPublishedV1, {
        subject: `rule-set/${version}`,
        province: NATIONAL_PROVINCE,
        data: {
          version,
          name: row.name,
          publishedAt: new Date(publishedAt).toISOString(),
          publishedBy: user.sub,
          jobId: created.id,
        },
      });
      return created;
    });
    this.start(job.id);
    return job;
  }

  /** Runs a job to its end in the background (no-op if this process already runs it). */
  start(id: string): void {
    if (this.loops.has(id) || this.stopping) return;
    const loop = this.run(id).finally(() => this.loops.delete(id));
    this.loops.set(id, loop);
  }

  /** Resolves when every job this process runs has stopped (tests, the bench). */
  async idle(): Promise<void> {
    while (this.loops.size) await Promise.all(this.loops.values());
  }

  private async run(id: string): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let step: Step;
      try {
        step = await this.step(id);
        failures = 0;
      } catch (err) {
        failures++;
        this.logger.warn(
          { err: (err as Error).message, jobId: id, failures },
          'recomputation batch failed; retrying',
        );
        await this.jobs.fail(this.ds.manager, id, (err as Error).message).catch(() => undefined);
        step = 'busy';
      }
      if (step === 'stop') return;
      if (step === 'busy') await new Promise((r) => setTimeout(r, Math.min(30000, 500 * 2 ** failures)));
    }
  }

  /**
   * One batch in one transaction; during the pass, when the batch is full, the next batch runs
   * alongside in a second transaction (see follow), so that the Node work of one (evaluation,
   * events) and the Postgres work of the other use both cores. Resolves once both are done.
   */
  async step(id: string): Promise<Step> {
    let follower: Promise<void> | undefined;
    let writeDone!: () => void;
    const written = new Promise<void>((resolve) => (writeDone = resolve));
    try {
      return await this.ds.transaction(async (m) => {
        const job = await this.jobs.claim(m, id);
        if (!job) return (await this.jobs.find(m, id)) ? 'busy' : 'stop';
        if (job.status !== 'running') return 'stop';
        const size = this.config.RECOMPUTE_BATCH_SIZE;
        let ids = await this.jobs.nextBatch(m, job.cursor, size);
        const pass = ids.length > 0;
        if (ids.length === size && !this.stopping)
          follower = this.follow(id, job.ruleSetVersion, ids[ids.length - 1], written);
        if (!pass) ids = await this.jobs.stragglers(m, job.ruleSetVersion, size);
        if (!ids.length) {
          await this.jobs.finish(m, id);
          this.logger.log(
            { jobId: id, processed: job.processed, changed: job.changed },
            'recomputation done',
          );
          return 'stop';
        }
        const ruleSet = await this.ruleSets.load(m, job.ruleSetVersion);
        // Events only for the kampung whose level changed.
        const records = await this.evaluations.evaluateAndStore(m, ids, ruleSet, 'rule-set', {
          jobId: id,
          publish: (r) => r.changed,
          written: writeDone,
        });
        const changed = records.filter((r) => r.changed).length;
        await this.jobs.advance(m, id, pass ? ids[ids.length - 1] : null, records.length, changed);
        return 'more';
      });
    } finally {
      writeDone(); // a batch that failed before its write lets its follower go on (to roll back)
      await follower;
    }
  }

  /**
   * The batch after `after`, alongside the batch that ends there, in its own transaction. Its rows
   * are locked at once (disjoint from the other batch's); it writes only once the other batch has
   * written (the level counters of a regency are then locked in the same order by both: no
   * deadlock), and it advances the cursor only after the other batch committed that cursor
   * (advanceAfter waits on the job row), so batches still commit in kampung order and a failure of
   * either rolls this one back: the job resumes from the last committed cursor as before. Never
   * rejects (a failed batch is simply done again by the next step).
   */
  private async follow(id: string, version: number, after: string, writeAfter: Promise<void>): Promise<void> {
    try {
      await this.ds.transaction(async (m) => {
        const ids = await this.jobs.nextBatch(m, after, this.config.RECOMPUTE_BATCH_SIZE);
        if (!ids.length) return;
        const ruleSet = await this.ruleSets.load(m, version);
        const records = await this.evaluations.evaluateAndStore(m, ids, ruleSet, 'rule-set', {
          jobId: id,
          publish: (r) => r.changed,
          writeAfter,
        });
        const changed = records.filter((r) => r.changed).length;
        if (!(await this.jobs.advanceAfter(m, id, after, ids[ids.length - 1], records.length, changed)))
          throw new Error('the batch before did not commit, or the job stopped');
      });
    } catch (err) {
      this.logger.debug({ err: (err as Error).message, jobId: id }, 'recomputation batch rolled back');
    }
  }
}
