import type { DataSource, EntityManager } from 'typeorm';
import { ForbiddenException } from '@nestjs/common';
import { Role, type Principal } from '@kkb/auth';
import { kampungRegisteredV1 } from '@kkb/contracts';
import type { OutboxService } from '@kkb/messaging';
import type { KampungView } from './kampung-view';
import type { AuditEntry, KampungFields, KampungRepository } from './kampung.repository';
import { KampungService } from './kampung.service';
import type { RegisterKampungDto } from './register-kampung.dto';
import { problemOf } from '@kkb/testing';

/** Use-case tests: KampungService built directly on in-memory fakes, no Nest app, no database. */

const VILLAGE = '16.10.05.2041';
const regency: Principal = { sub: 'officer-1610', role: Role.regency, scope: '1610' };
const elsewhere: Principal = { sub: 'officer-1611', role: Role.regency, scope: '1611' };

interface Region {
  level: number;
  kind: string;
  active: boolean;
  name: string;
}

/** The register's tables in memory; a transaction that throws leaves them as they were. */
function fakeStore() {
  const manager = { fake: 'entity-manager' } as unknown as EntityManager;
  let kampung = new Map<string, KampungView>();
  let audits: AuditEntry[] = [];
  const regions = new Map<string, Region>([
    [VILLAGE, { level: 4, kind: 'desa', active: true, name: 'Sembadak' }],
    ['16.10.05', { level: 3, kind: 'kecamatan', active: true, name: 'Pemulutan' }],
  ]);

  const view = (id: string, villageCode: string, f: KampungFields, prev?: KampungView): KampungView => ({
    id,
    villageCode,
    villageName: regions.get(villageCode)?.name ?? '?',
    villageKind: regions.get(villageCode)?.kind ?? '?',
    name: f.name,
    launchDate: f.launchDate,
    description: f.description,
    rw: f.rw,
    latitude: f.latitude,
    longitude: f.longitude,
    selectionCriteria: f.selectionCriteria as KampungView['selectionCriteria'],
    active: prev?.active ?? true,
    modelRegency: f.modelRegency,
    modelProvince: f.modelProvince,
    mergedInto: prev?.mergedInto ?? null,
    statusReason: prev?.statusReason ?? null,
    pokja: {
      skNumber: f.pokjaSkNumber,
      skDate: f.pokjaSkDate,
      skIssuer: f.pokjaSkIssuer as KampungView['pokja']['skIssuer'],
      trained: f.pokjaTrained,
      members: prev?.pokja.members ?? [],
    },
    fieldOfficer: f.fieldOfficerName
      ? { nip: f.fieldOfficerNip, name: f.fieldOfficerName, contact: f.fieldOfficerContact }
      : null,
    version: (prev?.version ?? 0) + 1,
    createdAt: prev?.createdAt ?? '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  });

  const repo = {
    insertError: undefined as Error | undefined,
    find: jest.fn(async (_m: EntityManager, id: string) => kampung.get(id) ?? null),
    get: jest.fn(async (_m: EntityManager, id: string) => {
      const k = kampung.get(id);
      if (!k) throw new Error(`kampung ${id} vanished`);
      return structuredClone(k);
    }),
    insert: jest.fn(async (_m: EntityManager, id: string, villageCode: string, f: KampungFields) => {
      if (repo.insertError) throw repo.insertError;
      kampung.set(id, view(id, villageCode, f));
    }),
    update: jest.fn(async (_m: EntityManager, id: string, version: number, f: KampungFields) => {
      const prev = kampung.get(id);
      if (!prev || prev.version !== version) return false;
      kampung.set(id, view(id, prev.villageCode, f, prev));
      return true;
    }),
    replaceMembers: jest.fn(
      async (_m: EntityManager, id: string, members: KampungView['pokja']['members']) => {
        const k = kampung.get(id);
        if (k) k.pokja.members = members;
      },
    ),
    audit: jest.fn(async (_m: EntityManager, e: AuditEntry) => {
      audits.push(e);
    }),
    region: jest.fn(async (_m: EntityManager, code: string) => {
      const r = regions.get(code);
      return r ? { level: r.level, kind: r.kind, active: r.active } : undefined;
    }),
  };

  const ds = {
    manager,
    transaction: jest.fn(async <T>(work: (m: EntityManager) => Promise<T>): Promise<T> => {
      const saved = { kampung: structuredClone(kampung), audits: [...audits] };
      try {
        return await work(manager);
      } catch (err) {
        kampung = saved.kampung;
        audits = saved.audits;
        throw err;
      }
    }),
  };
  const outbox = { add: jest.fn(async () => ({})), addMany: jest.fn(async () => []) };

  const service = new KampungService(
    ds as unknown as DataSource,
    repo as unknown as KampungRepository,
    outbox as unknown as OutboxService,
  );
  return {
    service,
    ds,
    repo,
    outbox,
    manager,
    regions,
    kampung: () => kampung,
    audits: () => audits,
  };
}

const dto = (over: Partial<RegisterKampungDto> = {}): RegisterKampungDto => ({
  villageCode: VILLAGE,
  name: 'Kampung KB Seroja',
  launchDate: '2022-03-14',
  ...over,
});

/** The rejection of `p`, to assert on its status and fields. */
describe('KampungService.register', () => {
  it('adds the kampung, one audit entry and one kampung.registered.v1 event in the transaction', async () => {
    const f = fakeStore();

    const k = await f.service.register(dto({ latitude: -3.1416, longitude: 104.7324 }), regency);

    expect(f.kampung().size).toBe(1);
    expect(f.kampung().get(k.id)).toMatchObject({
      villageCode: VILLAGE,
      name: 'Kampung KB Seroja',
      launchDate: '2022-03-14',
      active: true,
      version: 1,
    });
    expect(f.audits()).toHaveLength(1);
    expect(f.audits()[0]).toMatchObject({
      kampungId: k.id,
      version: 1,
      action: 'registered',
      actor: 'officer-1610',
      actorRole: 'regency',
    });
    expect(f.audits()[0].changes.name).toEqual({ from: null, to: 'Kampung KB Seroja' });
    expect(kampungRegisteredV1.type).toBe('kkb.registry.kampung.registered.v1');
    expect(f.outbox.add).toHaveBeenCalledTimes(1);
    expect(f.outbox.add).toHaveBeenCalledWith(f.manager, kampungRegisteredV1, {
      subject: `kampung/${k.id}`,
      province: '16',
      data: {
        kampungId: k.id,
        villageCode: VILLAGE,
        name: 'Kampung KB Seroja',
        launchDate: '2022-03-14',
        active: true,
        modelRegency: false,
        modelProvince: false,
        version: 1,
        latitude: -3.1416,
        longitude: 104.7324,
      },
    });
  });

  it('accepts the compact form of the village code and stores it dotted', async () => {
    const f = fakeStore();
    const k = await f.service.register(dto({ villageCode: '1610052041' }), regency);
    expect(k.villageCode).toBe(VILLAGE);
  });

  it('refuses a village code no region has, naming villageCode, and writes nothing', async () => {
    const f = fakeStore();
    const p = await problemOf(f.service.register(dto({ villageCode: '16.10.05.9999' }), regency));
    expect(p.getStatus()).toBe(400);
    expect(p.errors).toEqual([{ field: 'villageCode', reason: '16.10.05.9999 is not a known village code' }]);
    expect(f.kampung().size).toBe(0);
    expect(f.outbox.add).not.toHaveBeenCalled();
  });

  it('refuses a district code: not a village (desa/kelurahan)', async () => {
    const f = fakeStore();
    const p = await problemOf(f.service.register(dto({ villageCode: '16.10.05' }), regency));
    expect(p.getStatus()).toBe(400);
    expect(p.errors).toEqual([
      { field: 'villageCode', reason: '16.10.05 is a kecamatan code, not a village (desa/kelurahan)' },
    ]);
    expect(f.repo.insert).not.toHaveBeenCalled();
  });

  it('refuses a village code that is no longer active', async () => {
    const f = fakeStore();
    f.regions.set(VILLAGE, { level: 4, kind: 'desa', active: false, name: 'Sembadak' });
    const p = await problemOf(f.service.register(dto(), regency));
    expect(p.getStatus()).toBe(400);
    expect(p.errors?.[0].field).toBe('villageCode');
    expect(f.kampung().size).toBe(0);
  });

  it('refuses a malformed village code before any transaction', async () => {
    const f = fakeStore();
    const p = await problemOf(f.service.register(dto({ villageCode: '16.1' }), regency));
    expect(p.getStatus()).toBe(400);
    expect(p.errors?.[0].field).toBe('villageCode');
    expect(f.ds.transaction).not.toHaveBeenCalled();
  });

  it('refuses a launch date in the future', async () => {
    const f = fakeStore();
    const p = await problemOf(f.service.register(dto({ launchDate: '2999-01-01' }), regency));
    expect(p.getStatus()).toBe(400);
    expect(p.errors).toEqual([{ field: 'launchDate', reason: 'launchDate 2999-01-01 is in the future' }]);
    expect(f.ds.transaction).not.toHaveBeenCalled();
  });

  it('answers 403 to a caller whose scope does not hold the village', async () => {
    const f = fakeStore();
    const err = await f.service.register(dto(), elsewhere).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenException);
    expect((err as ForbiddenException).getStatus()).toBe(403);
    expect((err as Error).message).toBe('region 1610052041 is outside your scope 1611');
    expect(f.ds.transaction).not.toHaveBeenCalled();
  });

  it('maps the one-active-kampung-per-village constraint to a 409 naming villageCode', async () => {
    const f = fakeStore();
    f.repo.insertError = Object.assign(new Error('duplicate key value violates unique constraint'), {
      code: '23505',
      constraint: 'kampung_active_village_key',
    });
    const p = await problemOf(f.service.register(dto(), regency));
    expect(p.getStatus()).toBe(409);
    expect(p.errors).toEqual([
      { field: 'villageCode', reason: `village ${VILLAGE} already has an active Kampung KB` },
    ]);
    expect(f.outbox.add).not.toHaveBeenCalled();
    expect(f.audits()).toHaveLength(0);
  });

  it('lets a database error with no known constraint through unchanged', async () => {
    const f = fakeStore();
    const boom = Object.assign(new Error('connection lost'), { code: '08006' });
    f.repo.insertError = boom;
    await expect(f.service.register(dto(), regency)).rejects.toBe(boom);
  });
});

describe('KampungService.update', () => {
  it('records a change with one audit entry and one event naming the changed fields', async () => {
    const f = fakeStore();
    const k = await f.service.register(dto(), regency);
    f.outbox.add.mockClear();

    const next = await f.service.update(k.id, { name: 'Kampung KB Melati' }, '"1"', regency);

    expect(next.version).toBe(2);
    expect(next.name).toBe('Kampung KB Melati');
    expect(f.audits().map((a) => a.action)).toEqual(['registered', 'updated']);
    expect(f.audits()[1].changes).toEqual({ name: { from: 'Kampung KB Seroja', to: 'Kampung KB Melati' } });
    expect(f.outbox.add).toHaveBeenCalledTimes(1);
    expect(f.outbox.add.mock.calls[0]).toEqual([
      f.manager,
      expect.objectContaining({ type: 'kkb.registry.kampung.updated.v1' }),
      expect.objectContaining({ data: expect.objectContaining({ version: 2, changed: ['name'] }) }),
    ]);
  });

  it('that changes nothing rolls back: no new version, no audit entry, no event', async () => {
    const f = fakeStore();
    const k = await f.service.register(dto(), regency);
    f.outbox.add.mockClear();
    f.ds.transaction.mockClear();

    const same = await f.service.update(k.id, { name: 'Kampung KB Seroja' }, '"1"', regency);

    expect(same.version).toBe(1);
    expect(f.ds.transaction).toHaveBeenCalledTimes(1);
    await expect(f.ds.transaction.mock.results[0].value).rejects.toHaveProperty(
      'constructor.name',
      'NoChange',
    );
    expect(f.repo.update).toHaveBeenCalledTimes(1);
    expect(f.kampung().get(k.id)?.version).toBe(1);
    expect(f.audits().map((a) => a.action)).toEqual(['registered']);
    expect(f.outbox.add).not.toHaveBeenCalled();
  });

  it('answers 412 with the current ETag to a stale If-Match', async () => {
    const f = fakeStore();
    const k = await f.service.register(dto(), regency);
    const p = await problemOf(f.service.update(k.id, { name: 'X' }, '"7"', regency));
    expect(p.getStatus()).toBe(412);
    expect(p.extensions).toEqual({ currentEtag: '"1"' });
    expect(f.kampung().get(k.id)?.name).toBe('Kampung KB Seroja');
  });
});
