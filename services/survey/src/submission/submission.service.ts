import { ForbiddenException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { DataSource, EntityManager } from 'typeorm';
import { assertInScope, compactRegionCode, regionInScope, scopePrefix, type Principal } from '@kkb/auth';
import { ProblemException, validationErrorsToFields, type FieldError } from '@kkb/platform';
import { bodyHash } from '../common/body-hash';
import { CLOCK, type Clock } from '../common/clock';
import { isFuturePeriod, monthIndex, periodOfDate } from '../common/period';
import { normaliseAnswers, validateAnswers } from '@kkb/instrument-rules';
import { KampungProjectionRepository, type ProjectedKampung } from '@kkb/kampung-projection';
import { OutboxService } from '@kkb/messaging';
import { InstrumentService } from '../instrument/instrument.service';
import type { ListSubmissionsQuery } from './list-submissions.query';
import {
  rejectedEvent,
  submittedEvent,
  supersededEvent,
  verifiedEvent,
  type OutboxItem,
} from './submission.events';
import type { PreparedSubmission, Submission, SubmissionStatus, WriteOutcome } from './submission.model';
import { lostCurrentRace, SubmissionRepository } from './submission.repository';
import { SubmitSubmissionDto } from './submit-submission.dto';

/** The outcome of checking one submission before anything is written. */
export type PrepareResult =
  | { ok: true; value: PreparedSubmission }
  | { ok: false; forbidden: string; errors?: undefined }
  | { ok: false; errors: FieldError[]; forbidden?: undefined };

const VALIDATE = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } as const;

/** Tries of one write that keeps losing the race for a period's current submission. */
const MAX_ATTEMPTS = 10;

/** Thrown inside a write's transaction to roll it back and start it over. */
class StartOver extends Error {}

/** Submitting, verifying and rejecting kampung profiles and monthly reports. */
@Injectable()
export class SubmissionService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly submissions: SubmissionRepository,
    private readonly instruments: InstrumentService,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly projection: KampungProjectionRepository,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * Checks raw submissions against their shape, the kampung projection, the caller's scope, the
   * period and the instrument version, with one projection query for the whole batch. Every
   * failing field of an item is reported at once.
   */
  async prepareMany(
    raws: unknown[],
    user: Principal,
    via: 'api' | 'import',
    importId?: string,
    manager: EntityManager = this.ds.manager,
  ): Promise<PrepareResult[]> {
    const dtos = raws.map((raw) => {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        return { dto: undefined, errors: [{ field: 'body', reason: 'a submission is a JSON object' }] };
      }
      // The answers are checked against the instrument, not the class: class-transformer need
      // not deep-copy them (that copy was most of the cost of a 100,000-row import).
      const { answers, ...envelope } = raw as Record<string, unknown>;
      const dto = plainToInstance(SubmitSubmissionDto, envelope);
      dto.answers = answers as Record<string, unknown>;
      return { dto, errors: validationErrorsToFields(validateSync(dto, VALIDATE)) };
    });
    const bad = (errors: FieldError[], field: string) => errors.some((e) => e.field === field);
    const kampungIds = [
      ...new Set(dtos.flatMap((d) => (d.dto && !bad(d.errors, 'kampungId') ? [d.dto.kampungId] : []))),
    ];
    const kampung = new Map((await this.kampung(kampungIds, manager)).map((k) => [k.kampungId, k]));
    const now = this.clock.now();

    return Promise.all(
      dtos.map(async ({ dto, errors }): Promise<PrepareResult> => {
        if (!dto) return { ok: false, errors };
        const k = bad(errors, 'kampungId') ? undefined : kampung.get(dto.kampungId);
        if (k && !regionInScope(user, k.villageCode))
          return { ok: false, forbidden: `kampung ${dto.kampungId} is outside your scope ${user.scope}` };
        if (!bad(errors, 'kampungId')) {
          if (!k)
            errors.push({
              field: 'kampungId',
              reason: 'no Kampung KB with this id is known to the survey service',
            });
          else if (!k.active || k.mergedInto)
            errors.push({
              field: 'kampungId',
              reason: 'the Kampung KB is not active (deactivated or merged)',
            });
        }
        const periodOk = !errors.some((e) => e.field.startsWith('period'));
        if (periodOk && isFuturePeriod(dto.period, now))
          errors.push({ field: 'period', reason: 'the period has not begun yet' });
        else if (periodOk && k && monthIndex(dto.period) < monthIndex(periodOfDate(k.launchDate)))
          errors.push({
            field: 'period',
            reason: `the period is before the kampung's launch on ${k.launchDate}`,
          });
        const instrument =
          bad(errors, 'instrumentCode') || bad(errors, 'instrumentVersion')
            ? undefined
            : await this.instruments.load(dto.instrumentCode, dto.instrumentVersion, manager);
        if (instrument === null)
          errors.push(
            await this.instruments.missingVersion(dto.instrumentCode, dto.instrumentVersion, manager),
          );
        if (instrument && !bad(errors, 'answers'))
          errors.push(...validateAnswers(instrument.compiled, dto.answers));
        if (errors.length || !k || !instrument) return { ok: false, errors };
        // Valid answers hold nothing but the instrument's questions, so in the instrument's order
        // they serialise the same whatever order the client sent: that is the canonical body.
        const answers = normaliseAnswers(instrument.compiled, dto.answers);
        return {
          ok: true,
          value: {
            id: dto.id,
            kampungId: k.kampungId,
            villageCode: k.villageCode,
            regionCode: compactRegionCode(k.villageCode),
            instrumentCode: dto.instrumentCode,
            instrumentVersion: dto.instrumentVersion,
            kind: instrument.row.kind,
            period: { year: dto.period.year, month: dto.period.month },
            answers,
            bodyHash: bodyHash([
              dto.kampungId,
              dto.instrumentCode,
              dto.instrumentVersion,
              dto.period.year,
              dto.period.month,
              answers,
            ]),
            submittedBy: user.sub,
            via,
            ...(importId ? { importId } : {}),
          },
        };
      }),
    );
  }

  /**
   * One submission over HTTP: created, the stored one for a same-body retry, or a problem. The
   * kampung is read in the write's transaction: one commit per submission, not two.
   */
  async submit(raw: unknown, user: Principal): Promise<WriteOutcome> {
    const [outcome] = await this.inTransaction(async (m) => {
      const [prepared] = await this.prepareMany([raw], user, 'api', undefined, m);
      if (!prepared.ok) {
        if (prepared.forbidden) throw new ForbiddenException(prepared.forbidden);
        throw ProblemException.validation(prepared.errors ?? [], 'The submission has invalid fields.');
      }
      return this.writeOnce(m, [prepared.value]);
    });
    if (outcome.outcome === 'conflict') {
      throw ProblemException.conflict(
        `submission ${outcome.submission.id} exists with a different body; a changed submission needs a new id`,
        [{ field: 'id', reason: 'already used for a submission with different content' }],
      );
    }
    return outcome;
  }

  /**
   * Writes prepared submissions whose ids and (kampung, kind, period) keys are all distinct, in
   * one transaction of a fixed number of round trips whatever the batch size: the current
   * submission of each period is superseded, new ids are inserted, and an id that exists is a
   * retry: the stored submission for the same body, a conflict for another. The `submitted` and
   * `superseded` events go to the outbox and `extra` (the import's per-row results) joins the same
   * transaction. A concurrent writer taking the same period makes the transaction start over, and
   * this time it supersedes that writer's row.
   */
  async write(
    items: PreparedSubmission[],
    extra?: (manager: EntityManager, outcomes: WriteOutcome[]) => Promise<void>,
  ): Promise<WriteOutcome[]> {
    if (!items.length) return [];
    const ids = new Set(items.map((i) => i.id));
    const keys = new Set(items.map((i) => `${i.kampungId}|${i.kind}|${i.period.year}|${i.period.month}`));
    if (ids.size !== items.length || keys.size !== items.length)
      throw new Error('write needs distinct ids and distinct kampung periods');
    return this.inTransaction((m) => this.writeOnce(m, items, extra));
  }

  /**
   * Runs a write in a transaction, again (up to MAX_ATTEMPTS) when it lost the race for a period's
   * current submission to a concurrent writer.
   */
  private async inTransaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.ds.transaction(work);
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !(err instanceof StartOver || lostCurrentRace(err))) throw err;
        // Writers that collided would collide again at once: spread their next tries (n writers
        // of one period need up to n attempts, each a few milliseconds).
        await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
      }
    }
  }

  private async writeOnce(
    m: EntityManager,
    items: PreparedSubmission[],
    extra?: (manager: EntityManager, outcomes: WriteOutcome[]) => Promise<void>,
  ): Promise<WriteOutcome[]> {
    const written = await this.submissions.supersedeAndInsert(m, items);
    const replaced = new Map<string, { row: Submission; previous: SubmissionStatus }>();
    for (const r of written.superseded)
      replaced.set(r.submission.supersededBy as string, { row: r.submission, previous: r.previousStatus });
    const created = new Map(written.inserted.map((s) => [s.id, s]));
    const stored = new Map(written.existing.map((s) => [s.id, s]));

    const retried = items.filter((i) => !created.has(i.id));
    // The id was committed by a concurrent request after the statement's snapshot: start over,
    // so that nothing is superseded for what is a retry.
    if (retried.some((i) => replaced.has(i.id))) throw new StartOver('retry raced with its original');
    const unseen = retried.filter((i) => !stored.has(i.id));
    if (unseen.length) {
      // Same race, without a row to supersede: read what the other request committed.
      const committed = await this.submissions.findMany(
        m,
        unseen.map((i) => i.id),
      );
      for (const s of committed) stored.set(s.id, s);
    }

    const events: OutboxItem[] = [];
    const outcomes: WriteOutcome[] = items.map((i) => {
      const row = created.get(i.id);
      if (row) {
        const old = replaced.get(i.id);
        if (old) events.push(supersededEvent(old.row, old.previous as 'submitted' | 'verified' | 'rejected'));
        events.push(submittedEvent(row));
        return { outcome: 'created', submission: row, ...(old ? { superseded: old.row } : {}) };
      }
      const existing = stored.get(i.id);
      if (!existing) throw new Error(`submission ${i.id} neither inserted nor found`);
      return existing.bodyHash === i.bodyHash
        ? { outcome: 'unchanged', submission: existing }
        : { outcome: 'conflict', submission: existing };
    });
    await this.outbox.addMany(m, events);
    if (extra) await extra(m, outcomes);
    return outcomes;
  }

  /**
   * Submissions in the caller's region (narrowed by `region`), newest first, each with its
   * kampung's name; `region` outside the caller's scope is a 403.
   */
  async list(
    q: ListSubmissionsQuery,
    user: Principal,
  ): Promise<(Submission & { kampungName: string | null })[]> {
    const scope = scopePrefix(user);
    const region = q.region ? compactRegionCode(q.region) : undefined;
    if (region && !region.startsWith(scope) && !scope.startsWith(region)) {
      throw new ProblemException(
        403,
        'out-of-scope',
        'Forbidden',
        `region ${q.region} is outside your scope ${scope}`,
      );
    }
    return this.submissions.list(this.ds.manager, { ...q, region, regionPrefix: scope });
  }

  async get(id: string, user: Principal): Promise<Submission> {
    const s = await this.submissions.find(this.ds.manager, id);
    if (!s) throw ProblemException.notFound(`Submission ${id}`);
    assertInScope(user, s.villageCode);
    return s;
  }

  verify(id: string, user: Principal): Promise<Submission> {
    return this.transition(id, user, { to: 'verified', by: user.sub });
  }

  reject(id: string, reason: string, user: Principal): Promise<Submission> {
    return this.transition(id, user, { to: 'rejected', by: user.sub, reason });
  }

  /**
   * Moves a `submitted` submission of the caller's scope to verified or rejected, with its event,
   * in one transaction. The usual case is one statement (the conditional update); only when it
   * matches nothing is the row read to answer why: 404, 403 (outside the scope, checked before the
   * state so that the state of another region's submission is not told), or 409.
   */
  private async transition(
    id: string,
    user: Principal,
    change: { to: 'verified'; by: string } | { to: 'rejected'; by: string; reason: string },
  ): Promise<Submission> {
    const s = await this.ds.transaction(async (m) => {
      const next = await this.submissions.decide(m, id, user.scope, change);
      if (!next) {
        const current = await this.submissions.find(m, id);
        if (!current) return null;
        assertInScope(user, current.villageCode);
        throw new ProblemException(
          HttpStatus.CONFLICT,
          'invalid-state',
          'Conflict',
          `submission ${id} is ${current.status}; only a submitted one can be ${change.to}`,
          undefined,
          { submissionStatus: current.status },
        );
      }
      assertInScope(user, next.villageCode);
      await this.outbox.addMany(m, [change.to === 'verified' ? verifiedEvent(next) : rejectedEvent(next)]);
      return next;
    });
    if (!s) throw ProblemException.notFound(`Submission ${id}`);
    return s;
  }

  async activeProfile(kampungId: string, user: Principal): Promise<Submission> {
    const [k] = await this.kampung([kampungId]);
    if (!k) throw ProblemException.notFound(`Kampung ${kampungId}`);
    assertInScope(user, k.villageCode);
    const s = await this.submissions.activeProfile(this.ds.manager, kampungId);
    if (!s) throw ProblemException.notFound(`A verified profile of kampung ${kampungId}`);
    return s;
  }

  private kampung(ids: string[], m: EntityManager = this.ds.manager): Promise<ProjectedKampung[]> {
    return this.projection.findMany(m, ids);
  }
}
