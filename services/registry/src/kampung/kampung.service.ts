import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { assertInScope, type Principal } from '@kkb/auth';
import {
  kampungDeactivatedV1,
  kampungMergedV1,
  kampungReactivatedV1,
  kampungRegisteredV1,
  kampungUpdatedV1,
  provinceOf,
} from '@kkb/contracts';
import { OutboxService } from '@kkb/messaging';
import { currentCorrelation, ProblemException, type FieldError } from '@kkb/platform';
import { requireRegionCode } from '../region/region-code';
import { editableSnapshot, kampungState, type KampungView } from './kampung-view';
import { KampungRepository, type AuditEntry, type KampungFields } from './kampung.repository';
import type { RegisterKampungDto } from './register-kampung.dto';
import type { UpdateKampungDto } from './update-kampung.dto';

/** Today in Indonesia's western time zone (WIB, UTC+7), where launch dates are written. */
export function todayInJakarta(now = Date.now()): string {
  return new Date(now + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

/** `"3"`, `W/"3"` or `*`; anything else is not an ETag this API issued. */
export function parseIfMatch(header: string | undefined): number | '*' | undefined {
  if (header === undefined) return undefined;
  const v = header.trim();
  if (v === '*') return '*';
  const m = /^(?:W\/)?"(\d+)"$/.exec(v);
  if (!m)
    throw ProblemException.validation([
      { field: 'If-Match', reason: 'If-Match must be an ETag such as "3"' },
    ]);
  return Number(m[1]);
}

export const etagOf = (k: { version: number }) => `"${k.version}"`;

const CONFLICTS: Record<string, (villageCode: string) => FieldError> = {
  kampung_active_village_key: (v) => ({
    field: 'villageCode',
    reason: `village ${v} already has an active Kampung KB`,
  }),
  kampung_model_regency_key: (v) => ({
    field: 'modelRegency',
    reason: `regency ${v.slice(0, 5)} already has an active model kampung`,
  }),
  kampung_model_province_key: (v) => ({
    field: 'modelProvince',
    reason: `province ${v.slice(0, 2)} already has an active model kampung`,
  }),
};

function diff(before: Record<string, unknown>, after: Record<string, unknown>): AuditEntry['changes'] {
  const out: AuditEntry['changes'] = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      out[key] = { from: before[key] ?? null, to: after[key] ?? null };
  }
  return out;
}

function fieldsOf(k: KampungView): KampungFields {
  return {
    name: k.name,
    launchDate: k.launchDate,
    description: k.description,
    rw: k.rw,
    latitude: k.latitude,
    longitude: k.longitude,
    selectionCriteria: k.selectionCriteria,
    modelRegency: k.modelRegency,
    modelProvince: k.modelProvince,
    pokjaSkNumber: k.pokja.skNumber,
    pokjaSkDate: k.pokja.skDate,
    pokjaSkIssuer: k.pokja.skIssuer,
    pokjaTrained: k.pokja.trained,
    fieldOfficerNip: k.fieldOfficer?.nip ?? null,
    fieldOfficerName: k.fieldOfficer?.name ?? null,
    fieldOfficerContact: k.fieldOfficer?.contact ?? null,
  };
}

/** Overlays what a request gives on the current fields; a given `pokja` replaces the whole Pokja. */
function applyDto(f: KampungFields, dto: UpdateKampungDto): KampungFields {
  const next = { ...f };
  const set = <K extends keyof KampungFields>(key: K, v: KampungFields[K] | undefined) => {
    if (v !== undefined) next[key] = v;
  };
  set('name', dto.name);
  set('launchDate', dto.launchDate);
  set('description', dto.description);
  set('rw', dto.rw);
  set('latitude', dto.latitude);
  set('longitude', dto.longitude);
  set('selectionCriteria', dto.selectionCriteria);
  set('modelRegency', dto.modelRegency);
  set('modelProvince', dto.modelProvince);
  if (dto.pokja) {
    next.pokjaSkNumber = dto.pokja.skNumber ?? null;
    next.pokjaSkDate = dto.pokja.skDate ?? null;
    next.pokjaSkIssuer = dto.pokja.skIssuer ?? null;
    next.pokjaTrained = dto.pokja.trained ?? false;
  }
  if (dto.fieldOfficer !== undefined) {
    next.fieldOfficerNip = dto.fieldOfficer?.nip ?? null;
    next.fieldOfficerName = dto.fieldOfficer?.name ?? null;
    next.fieldOfficerContact = dto.fieldOfficer?.contact ?? null;
  }
  return next;
}

const EMPTY: KampungFields = {
  name: '',
  launchDate: '',
  description: null,
  rw: null,
  latitude: null,
  longitude: null,
  selectionCriteria: [],
  modelRegency: false,
  modelProvince: false,
  pokjaSkNumber: null,
  pokjaSkDate: null,
  pokjaSkIssuer: null,
  pokjaTrained: false,
  fieldOfficerNip: null,
  fieldOfficerName: null,
  fieldOfficerContact: null,
};

/**
 * The Kampung KB register's use cases. Each change, its audit entry and its event commit in one
 * transaction; a change that breaks a rule leaves nothing written.
 */
/** Thrown inside a change's transaction to roll it back when it changed nothing. */
class NoChange extends Error {}

@Injectable()
export class KampungService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: KampungRepository,
    private readonly outbox: OutboxService,
  ) {}

  async register(dto: RegisterKampungDto, user: Principal): Promise<KampungView> {
    const village = requireRegionCode(dto.villageCode, 'villageCode');
    assertInScope(user, village.dotted);
    this.checkLaunchDate(dto.launchDate);
    const id = randomUUID();
    return this.write(village.dotted, async (m) => {
      await this.checkVillage(m, village.dotted);
      await this.repo.insert(
        m,
        id,
        village.dotted,
        applyDto({ ...EMPTY, name: dto.name, launchDate: dto.launchDate }, dto),
      );
      await this.repo.replaceMembers(m, id, this.members(dto));
      const view = await this.repo.get(m, id);
      await this.record(m, view, user, 'registered', diff({}, editableSnapshot(view)));
      await this.outbox.add(m, kampungRegisteredV1, this.event(view, {}));
      return view;
    });
  }

  async update(
    id: string,
    dto: UpdateKampungDto,
    ifMatch: string | undefined,
    user: Principal,
  ): Promise<KampungView> {
    const expected = parseIfMatch(ifMatch);
    if (expected === undefined) {
      throw new ProblemException(
        428,
        'precondition-required',
        'Precondition required',
        'send If-Match with the ETag of the version you changed',
      );
    }
    if (dto.launchDate) this.checkLaunchDate(dto.launchDate);
    return this.change(id, expected, user, async (m, current) => {
      if (current.mergedInto)
        throw ProblemException.conflict(
          `kampung ${id} was merged into ${current.mergedInto}; change the survivor`,
        );
      const fields = applyDto(fieldsOf(current), dto);
      const membersGiven =
        dto.pokja?.members !== undefined || (dto.pokja !== undefined && current.pokja.members.length > 0);
      await this.repo.update(m, id, current.version, fields);
      if (membersGiven) await this.repo.replaceMembers(m, id, this.members(dto));
      const next = await this.repo.get(m, id);
      const changes = diff(editableSnapshot(current), editableSnapshot(next));
      if (!Object.keys(changes).length) return 'unchanged';
      await this.record(m, next, user, 'updated', changes);
      await this.outbox.add(m, kampungUpdatedV1, this.event(next, { changed: Object.keys(changes) }));
      return next;
    });
  }

  async deactivate(
    id: string,
    reason: string,
    ifMatch: string | undefined,
    user: Principal,
  ): Promise<KampungView> {
    return this.change(id, parseIfMatch(ifMatch), user, async (m, current) => {
      if (!current.active) throw ProblemException.conflict(`kampung ${id} is already inactive`);
      await this.repo.setStatus(m, id, current.version, { active: false, reason });
      const next = await this.repo.get(m, id);
      await this.record(m, next, user, 'deactivated', { active: { from: true, to: false } }, reason);
      await this.outbox.add(m, kampungDeactivatedV1, this.event(next, { reason }));
      return next;
    });
  }

  async reactivate(
    id: string,
    reason: string,
    ifMatch: string | undefined,
    user: Principal,
  ): Promise<KampungView> {
    return this.change(id, parseIfMatch(ifMatch), user, async (m, current) => {
      if (current.active) throw ProblemException.conflict(`kampung ${id} is already active`);
      if (current.mergedInto)
        throw ProblemException.conflict(
          `kampung ${id} was merged into ${current.mergedInto} and cannot be reactivated`,
        );
      await this.checkVillage(m, current.villageCode);
      await this.repo.setStatus(m, id, current.version, { active: true, reason });
      const next = await this.repo.get(m, id);
      await this.record(m, next, user, 'reactivated', { active: { from: false, to: true } }, reason);
      await this.outbox.add(m, kampungReactivatedV1, this.event(next, { reason }));
      return next;
    });
  }

  /** The duplicate becomes inactive and points to the survivor; the survivor is unchanged. */
  async merge(
    id: string,
    survivorId: string,
    reason: string,
    ifMatch: string | undefined,
    user: Principal,
  ): Promise<KampungView> {
    if (id === survivorId)
      throw ProblemException.validation([
        { field: 'survivorId', reason: 'a kampung cannot be merged into itself' },
      ]);
    return this.change(id, parseIfMatch(ifMatch), user, async (m, current) => {
      const survivor = await this.repo.find(m, survivorId, { lock: true });
      if (!survivor)
        throw ProblemException.validation([
          { field: 'survivorId', reason: `kampung ${survivorId} does not exist` },
        ]);
      assertInScope(user, survivor.villageCode);
      if (!survivor.active)
        throw ProblemException.validation([
          { field: 'survivorId', reason: 'the survivor must be an active kampung' },
        ]);
      if (current.mergedInto)
        throw ProblemException.conflict(`kampung ${id} was already merged into ${current.mergedInto}`);
      await this.repo.setStatus(m, id, current.version, { active: false, reason, mergedInto: survivorId });
      const next = await this.repo.get(m, id);
      await this.record(
        m,
        next,
        user,
        'merged',
        { active: { from: current.active, to: false }, mergedInto: { from: null, to: survivorId } },
        reason,
      );
      await this.outbox.add(m, kampungMergedV1, this.event(next, { survivorId }));
      return next;
    });
  }

  async get(id: string, user: Principal): Promise<KampungView> {
    const k = await this.repo.find(this.ds.manager, id);
    if (!k) throw ProblemException.notFound(`Kampung ${id}`);
    assertInScope(user, k.villageCode);
    return k;
  }

  /** Loads and locks the kampung, checks scope and If-Match, runs the change in one transaction. */
  private async change(
    id: string,
    expected: number | '*' | undefined,
    user: Principal,
    work: (m: EntityManager, current: KampungView) => Promise<KampungView | 'unchanged'>,
  ): Promise<KampungView> {
    let villageCode = '';
    let unchanged: KampungView | undefined;
    const written = this.write(
      () => villageCode,
      async (m) => {
        const current = await this.repo.find(m, id, { lock: true });
        if (!current) throw ProblemException.notFound(`Kampung ${id}`);
        villageCode = current.villageCode;
        assertInScope(user, current.villageCode);
        if (typeof expected === 'number' && expected !== current.version) {
          throw new ProblemException(
            412,
            'stale-version',
            'Precondition failed',
            `you changed version ${expected}, the kampung is at version ${current.version}: reload it and apply your change again`,
            undefined,
            { currentEtag: etagOf(current) },
          );
        }
        const result = await work(m, current);
        if (result !== 'unchanged') return result;
        // A change that changes nothing is no change: roll the version bump back (no new ETag,
        // no audit row, no event) and answer the kampung as it was.
        unchanged = current;
        throw new NoChange();
      },
    );
    return written.catch((err: unknown) => {
      if (err instanceof NoChange && unchanged) return unchanged;
      throw err;
    });
  }

  /** Runs a write transaction and turns the register's unique rules into 409 problems. */
  private async write<T>(
    villageCode: string | (() => string),
    work: (m: EntityManager) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.ds.transaction(work);
    } catch (err) {
      const constraint = (err as { constraint?: string }).constraint;
      const conflict = constraint ? CONFLICTS[constraint] : undefined;
      if (conflict) {
        const v = typeof villageCode === 'function' ? villageCode() : villageCode;
        const fe = conflict(v);
        throw ProblemException.conflict(fe.reason, [fe]);
      }
      throw err;
    }
  }

  private async checkVillage(m: EntityManager, dotted: string): Promise<void> {
    const region = await this.repo.region(m, dotted);
    if (!region)
      throw ProblemException.validation([
        { field: 'villageCode', reason: `${dotted} is not a known village code` },
      ]);
    if (region.level !== 4) {
      throw ProblemException.validation([
        {
          field: 'villageCode',
          reason: `${dotted} is a ${region.kind} code, not a village (desa/kelurahan)`,
        },
      ]);
    }
    if (!region.active) {
      throw ProblemException.validation([
        { field: 'villageCode', reason: `${dotted} is no longer an active village code` },
      ]);
    }
  }

  private checkLaunchDate(date: string): void {
    if (date > todayInJakarta()) {
      throw ProblemException.validation([
        { field: 'launchDate', reason: `launchDate ${date} is in the future` },
      ]);
    }
  }

  private members(dto: UpdateKampungDto) {
    return (dto.pokja?.members ?? []).map((x) => ({
      name: x.name,
      position: x.position,
      seksi: x.seksi ?? null,
    }));
  }

  private async record(
    m: EntityManager,
    k: KampungView,
    user: Principal,
    action: AuditEntry['action'],
    changes: AuditEntry['changes'],
    reason?: string,
  ) {
    await this.repo.audit(m, {
      kampungId: k.id,
      version: k.version,
      action,
      actor: user.sub,
      actorRole: user.role,
      changes,
      reason,
      correlationId: currentCorrelation()?.correlationId,
    });
  }

  private event<E extends object>(k: KampungView, extra: E) {
    return {
      subject: `kampung/${k.id}`,
      province: provinceOf(k.villageCode),
      data: { ...kampungState(k), ...extra },
    };
  }
}
