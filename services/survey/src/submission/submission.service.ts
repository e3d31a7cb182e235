import { ForbiddenException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { DataSource, EntityManager } from 'typeorm';
import { assertInScope, compactRegionCode, regionInScope, type Principal } from '@kkb/auth';
import { ProblemException, validationErrorsToFields, type FieldError } from '@kkb/platform';
import { bodyHash } from '../common/body-hash';
import { CLOCK, type Clock } from '../common/clock';
import { isFuturePeriod, monthIndex, periodOfDate } from '../common/period';
import { normaliseAnswers, validateAnswers } from '../instrument/answers.validator';
import { InstrumentRepository } from '../instrument/instrument.repository';
import type { Submission } from './submission.entity';
import { rejectedEvent, verifiedEvent } from './submission.events';
import { SubmissionRepository, type PreparedSubmission, type WriteOutcome } from './submission.repository';
import { SubmitSubmissionDto } from './submit-submission.dto';
import { KampungProjectionRepository, type ProjectedKampung } from '@kkb/kampung-projection';

/** The outcome of checking one submission before anything is written. */
export type PrepareResult =
  | { ok: true; value: PreparedSubmission }
  | { ok: false; forbidden: string; errors?: undefined }
  | { ok: false; errors: FieldError[]; forbidden?: undefined };

const VALIDATE = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } as const;

/** Submitting, verifying and rejecting kampung profiles and monthly reports. */
@Injectable()
export class SubmissionService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly submissions: SubmissionRepository,
    private readonly instruments: InstrumentRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly projection: KampungProjectionRepository,
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
    const kampung = new Map((await this.kampung(kampungIds)).map((k) => [k.kampung_id, k]));
    const now = this.clock.now();

    return Promise.all(
      dtos.map(async ({ dto, errors }): Promise<PrepareResult> => {
        if (!dto) return { ok: false, errors };
        const k = bad(errors, 'kampungId') ? undefined : kampung.get(dto.kampungId);
        if (k && !regionInScope(user, k.village_code))
          return { ok: false, forbidden: `kampung ${dto.kampungId} is outside your scope ${user.scope}` };
        if (!bad(errors, 'kampungId')) {
          if (!k)
            errors.push({
              field: 'kampungId',
              reason: 'no Kampung KB with this id is known to the survey service',
            });
          else if (!k.active || k.merged_into)
            errors.push({
              field: 'kampungId',
              reason: 'the Kampung KB is not active (deactivated or merged)',
            });
        }
        const periodOk = !errors.some((e) => e.field.startsWith('period'));
        if (periodOk && isFuturePeriod(dto.period, now))
          errors.push({ field: 'period', reason: 'the period has not begun yet' });
        else if (periodOk && k && monthIndex(dto.period) < monthIndex(periodOfDate(k.launch_date)))
          errors.push({
            field: 'period',
            reason: `the period is before the kampung's launch on ${k.launch_date}`,
          });
        const instrument =
          bad(errors, 'instrumentCode') || bad(errors, 'instrumentVersion')
            ? undefined
            : await this.instruments.version(dto.instrumentCode, dto.instrumentVersion);
        if (instrument === null)
          errors.push(await this.instruments.missingVersion(dto.instrumentCode, dto.instrumentVersion));
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
            kampungId: k.kampung_id,
            villageCode: k.village_code,
            regionCode: compactRegionCode(k.village_code),
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

  /** One submission over HTTP: created, the stored one for a same-body retry, or a problem. */
  async submit(raw: unknown, user: Principal): Promise<WriteOutcome> {
    const [prepared] = await this.prepareMany([raw], user, 'api');
    if (!prepared.ok) {
      if (prepared.forbidden) throw new ForbiddenException(prepared.forbidden);
      throw ProblemException.validation(prepared.errors ?? [], 'The submission has invalid fields.');
    }
    const [outcome] = await this.submissions.writeBatch([prepared.value]);
    if (outcome.outcome === 'conflict') {
      throw ProblemException.conflict(
        `submission ${outcome.submission.id} exists with a different body; a changed submission needs a new id`,
        [{ field: 'id', reason: 'already used for a submission with different content' }],
      );
    }
    return outcome;
  }

  /** Writes prepared submissions (CSV import); `extra` joins their transaction. */
  write(
    items: PreparedSubmission[],
    extra?: (manager: EntityManager, outcomes: WriteOutcome[]) => Promise<void>,
  ): Promise<WriteOutcome[]> {
    return this.submissions.writeBatch(items, extra);
  }

  async get(id: string, user: Principal): Promise<Submission> {
    const s = await this.submissions.get(id);
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

  private async transition(
    id: string,
    user: Principal,
    change: { to: 'verified'; by: string } | { to: 'rejected'; by: string; reason: string },
  ): Promise<Submission> {
    const s = await this.submissions.transition(
      id,
      (current) => {
        assertInScope(user, current.villageCode);
        if (current.status !== 'submitted') {
          throw new ProblemException(
            HttpStatus.CONFLICT,
            'invalid-state',
            'Conflict',
            `submission ${id} is ${current.status}; only a submitted one can be ${change.to}`,
            undefined,
            { submissionStatus: current.status },
          );
        }
      },
      change,
      change.to === 'verified' ? verifiedEvent : rejectedEvent,
    );
    if (!s) throw ProblemException.notFound(`Submission ${id}`);
    return s;
  }

  async activeProfile(kampungId: string, user: Principal): Promise<Submission> {
    const [k] = await this.kampung([kampungId]);
    if (!k) throw ProblemException.notFound(`Kampung ${kampungId}`);
    assertInScope(user, k.village_code);
    const s = await this.submissions.activeProfile(kampungId);
    if (!s) throw ProblemException.notFound(`A verified profile of kampung ${kampungId}`);
    return s;
  }

  private kampung(ids: string[]): Promise<ProjectedKampung[]> {
    return this.projection.findMany(this.ds.manager, ids);
  }
}
