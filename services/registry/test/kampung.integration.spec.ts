import { Role, TestRun } from '@kkb/testing';
import { KampungController } from '../src/kampung/kampung.controller';
import { seroja, startRegistry, type Registry } from './registry.fixtures';

interface Problem {
  status: number;
  detail?: string;
  errors?: { field: string; reason: string }[];
  currentEtag?: string;
}
interface Kampung {
  id: string;
  villageCode: string;
  name: string;
  version: number;
  active: boolean;
  mergedInto: string | null;
  modelRegency: boolean;
  pokja: { members: { name: string }[]; trained: boolean; skIssuer: string | null };
  fieldOfficer: { name: string } | null;
  [k: string]: unknown;
}

describe(KampungController.name, () => {
  const run = new TestRun();
  let reg: Registry;
  const p16 = () => run.token(Role.province, '16');

  beforeAll(async () => {
    reg = await startRegistry(run);
  });
  afterAll(async () => {
    await reg?.svc.close();
    await run.cleanup();
  });

  const call = async <T = Kampung>(
    method: string,
    url: string,
    payload?: unknown,
    opts: { token?: string; headers?: Record<string, string> } = {},
  ) => {
    const res = await reg.svc.request({
      method,
      url,
      payload,
      token: opts.token ?? p16(),
      headers: opts.headers,
    });
    return { status: res.statusCode, headers: res.headers, body: res.json() as T };
  };
  const events = (type: string, id: string) =>
    reg.ds.query(
      `SELECT subject, payload FROM "${reg.schema}".outbox WHERE type = $1 AND payload->>'subject' = $2`,
      [type, `kampung/${id}`],
    );

  let serojaId = '';

  it('should register a kampung with its Pokja, field officer and coordinates, and publish it with the province token', async () => {
    const res = await call('POST', '/api/v1/kampung', seroja);
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers.location).toBe(`/api/v1/kampung/${res.body.id}`);
    serojaId = res.body.id;
    const got = await call('GET', `/api/v1/kampung/${serojaId}`, undefined, {
      token: run.token(Role.regency, '1610'),
    });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      villageCode: '16.10.05.2041',
      villageKind: 'desa',
      name: 'Kampung KB Seroja',
      latitude: -3.1234,
      longitude: 104.7654,
      selectionCriteria: ['bantaran_sungai', 'keluarga_miskin'],
      modelProvince: true,
      modelRegency: true,
      active: true,
      version: 1,
      pokja: { skNumber: '140/12/SK/2017', skIssuer: 'kepala_desa', trained: true },
      fieldOfficer: { nip: '198705122010011003', name: 'Hendra Wijaya' },
    });
    expect(got.body.pokja.members.map((m) => m.name)).toEqual([
      'Siti Aminah',
      'Budi Santoso',
      'Dewi Lestari',
    ]);
    const [ev] = await events('kkb.registry.kampung.registered.v1', serojaId);
    expect(ev.subject).toBe(`${run.subjectRoot}.registry.kampung.registered.v1.16`);
    expect(ev.payload.data).toMatchObject({
      kampungId: serojaId,
      villageCode: '16.10.05.2041',
      modelProvince: true,
      latitude: -3.1234,
      longitude: 104.7654,
      version: 1,
    });
  });

  it('should accept a compact village code', async () => {
    const res = await call('POST', '/api/v1/kampung', {
      villageCode: '1610052040',
      name: 'Kampung KB Melati',
      launchDate: '2019-01-02',
    });
    expect(res.status).toBe(201);
    expect(res.body.villageCode).toBe('16.10.05.2040');
  });

  it.each([
    ['an unknown village code', { villageCode: '16.10.05.2999' }, 400, 'villageCode', /not a known village/],
    [
      'a district code where a village is needed',
      { villageCode: '16.10.05' },
      400,
      'villageCode',
      /kecamatan code, not a village/,
    ],
    ['a compact regency code', { villageCode: '1610' }, 400, 'villageCode', /kabupaten code, not a village/],
    ['a malformed code', { villageCode: '16.10.05.20x1' }, 400, 'villageCode', /must be a village code/],
    [
      'a future launch date',
      { villageCode: '16.10.05.2039', launchDate: '2999-01-01' },
      400,
      'launchDate',
      /future/,
    ],
    [
      'a second active kampung in one village',
      { villageCode: '16.10.05.2041' },
      409,
      'villageCode',
      /already has an active/,
    ],
    [
      'a second model kampung in the regency',
      { villageCode: '16.10.05.2039', modelRegency: true },
      409,
      'modelRegency',
      /regency 16.10/,
    ],
    [
      'a second model kampung in the province',
      { villageCode: '16.71.01.1001', modelProvince: true },
      409,
      'modelProvince',
      /province 16/,
    ],
    [
      'an unknown selection criterion',
      { villageCode: '16.10.05.2039', selectionCriteria: ['volcano'] },
      400,
      'selectionCriteria',
      /must be one of/,
    ],
    [
      'an unknown seksi',
      { villageCode: '16.10.05.2039', pokja: { members: [{ name: 'A', position: 'B', seksi: 'x' }] } },
      400,
      'pokja.members.0.seksi',
      /must be one of/,
    ],
    [
      'a bad NIP',
      { villageCode: '16.10.05.2039', fieldOfficer: { name: 'A', nip: '12' } },
      400,
      'fieldOfficer.nip',
      /18-digit/,
    ],
    ['a latitude out of range', { villageCode: '16.10.05.2039', latitude: 123 }, 400, 'latitude', /90/],
  ])(
    'should refuse %s with a problem naming the field, and write nothing',
    async (_what, patch, status, field, reason) => {
      const before = await reg.counts();
      const res = await call<Problem>('POST', '/api/v1/kampung', {
        ...{ villageCode: '16.10.05.2039', name: 'Kampung KB Uji', launchDate: '2020-05-05' },
        ...patch,
      });
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field, reason: expect.stringMatching(reason) })]),
      );
      expect(await reg.counts()).toEqual(before);
    },
  );

  it('should answer a non-JSON body with 400 and an oversized one with 413', async () => {
    const bad = await reg.svc.request({
      method: 'POST',
      url: '/api/v1/kampung',
      payload: '{"villageCode": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
    const big = await reg.svc.request({
      method: 'POST',
      url: '/api/v1/kampung',
      payload: { ...seroja, description: 'x'.repeat(2_000_000) },
    });
    expect(big.statusCode).toBe(413);
  });

  it('should update with If-Match, refuse a stale or missing one, and record what changed', async () => {
    const missing = await call<Problem>('PATCH', `/api/v1/kampung/${serojaId}`, { name: 'X' });
    expect(missing.status).toBe(428);
    const ok = await call(
      'PATCH',
      `/api/v1/kampung/${serojaId}`,
      { name: 'Kampung KB Seroja Indah', fieldOfficer: null },
      { headers: { 'if-match': '"1"' } },
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    expect(ok.body).toMatchObject({ name: 'Kampung KB Seroja Indah', version: 2, fieldOfficer: null });
    expect(ok.body.pokja.members).toHaveLength(3);
    const stale = await call<Problem>(
      'PATCH',
      `/api/v1/kampung/${serojaId}`,
      { name: 'Lost update' },
      { headers: { 'if-match': '"1"' } },
    );
    expect(stale.status).toBe(412);
    expect(stale.body.currentEtag).toBe('"2"');
    expect((await call('GET', `/api/v1/kampung/${serojaId}`)).body.name).toBe('Kampung KB Seroja Indah');
    const [ev] = await events('kkb.registry.kampung.updated.v1', serojaId);
    expect(ev.payload.data).toMatchObject({ version: 2, name: 'Kampung KB Seroja Indah' });
    expect(ev.payload.data.changed.sort()).toEqual(['fieldOfficer', 'name']);

    // Replacing the Pokja replaces its members.
    const pokja = await call(
      'PATCH',
      `/api/v1/kampung/${serojaId}`,
      { pokja: { trained: false, skIssuer: 'camat', members: [{ name: 'Rina', position: 'Ketua' }] } },
      { headers: { 'if-match': 'W/"2"' } },
    );
    expect(pokja.body.pokja).toMatchObject({
      trained: false,
      skIssuer: 'camat',
      skNumber: null,
      members: [{ name: 'Rina', position: 'Ketua', seksi: null }],
    });

    // Sending what is already there changes nothing: no new version, no event.
    const before = await reg.counts();
    const same = await call(
      'PATCH',
      `/api/v1/kampung/${serojaId}`,
      { name: 'Kampung KB Seroja Indah' },
      { headers: { 'if-match': '"3"' } },
    );
    expect(same.body.version).toBe(3);
    expect(same.headers.etag).toBe('"3"');
    expect(await reg.counts()).toEqual(before);
    // ... and the stored version is not bumped either (it was, behind a response showing 3).
    const after = await call('GET', `/api/v1/kampung/${serojaId}`);
    expect(after.body.version).toBe(3);
    expect(after.headers.etag).toBe('"3"');
  });

  it('should refuse to make a second model kampung of a regency by update', async () => {
    const other = await call('POST', '/api/v1/kampung', {
      villageCode: '16.10.05.2038',
      name: 'Kampung KB Kenanga',
      launchDate: '2020-01-01',
    });
    const res = await call<Problem>(
      'PATCH',
      `/api/v1/kampung/${other.body.id}`,
      { modelRegency: true },
      { headers: { 'if-match': '"1"' } },
    );
    expect(res.status).toBe(409);
    expect(res.body.errors?.[0].field).toBe('modelRegency');
    expect((await call('GET', `/api/v1/kampung/${other.body.id}`)).body.version).toBe(1);
  });

  it('should deactivate and reactivate with a reason, and refuse a reactivation that breaks a rule', async () => {
    const k = await call('POST', '/api/v1/kampung', {
      villageCode: '16.10.05.2037',
      name: 'Kampung KB Teratai',
      launchDate: '2018-08-08',
    });
    const off = await call('POST', `/api/v1/kampung/${k.body.id}/deactivate`, { reason: 'Pokja dissolved' });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ active: false, statusReason: 'Pokja dissolved', version: 2 });
    expect(
      (await call<Problem>('POST', `/api/v1/kampung/${k.body.id}/deactivate`, { reason: 'again' })).status,
    ).toBe(409);
    expect(
      (await call<Problem>('POST', `/api/v1/kampung/${k.body.id}/deactivate`, {})).body.errors?.[0].field,
    ).toBe('reason');
    const [ev] = await events('kkb.registry.kampung.deactivated.v1', k.body.id);
    expect(ev.payload.data).toMatchObject({ active: false, reason: 'Pokja dissolved' });

    // Meanwhile the village got a new kampung: reactivating the old one would make two.
    const newer = await call('POST', '/api/v1/kampung', {
      villageCode: '16.10.05.2037',
      name: 'Kampung KB Teratai Baru',
      launchDate: '2021-01-01',
    });
    expect(newer.status).toBe(201);
    const blocked = await call<Problem>('POST', `/api/v1/kampung/${k.body.id}/reactivate`, {
      reason: 'Pokja back',
    });
    expect(blocked.status).toBe(409);
    expect(blocked.body.errors?.[0].field).toBe('villageCode');
    await call('POST', `/api/v1/kampung/${newer.body.id}/deactivate`, { reason: 'registered by mistake' });
    const on = await call(
      'POST',
      `/api/v1/kampung/${k.body.id}/reactivate`,
      { reason: 'Pokja back' },
      { headers: { 'if-match': '"2"' } },
    );
    expect(on.body).toMatchObject({ active: true, version: 3, statusReason: 'Pokja back' });
    expect(await events('kkb.registry.kampung.reactivated.v1', k.body.id)).toHaveLength(1);
  });

  it('should merge a duplicate into a survivor, which it then points to', async () => {
    const dup = await call('POST', '/api/v1/kampung', {
      villageCode: '16.10.05.2036',
      name: 'Kampung KB Seroja (double)',
      launchDate: '2017-04-26',
    });
    expect(
      (
        await call<Problem>('POST', `/api/v1/kampung/${dup.body.id}/merge`, {
          survivorId: dup.body.id,
          reason: 'x',
        })
      ).status,
    ).toBe(400);
    const merged = await call('POST', `/api/v1/kampung/${dup.body.id}/merge`, {
      survivorId: serojaId,
      reason: 'Registered twice',
    });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ active: false, mergedInto: serojaId });
    const [ev] = await events('kkb.registry.kampung.merged.v1', dup.body.id);
    expect(ev.payload.data).toMatchObject({ survivorId: serojaId, mergedInto: serojaId, active: false });
    expect(
      (await call<Problem>('POST', `/api/v1/kampung/${dup.body.id}/reactivate`, { reason: 'x' })).status,
    ).toBe(409);
    expect(
      (
        await call<Problem>(
          'PATCH',
          `/api/v1/kampung/${dup.body.id}`,
          { name: 'x' },
          { headers: { 'if-match': '*' } },
        )
      ).status,
    ).toBe(409);
    const inactive = await call('POST', '/api/v1/kampung', {
      villageCode: '16.10.05.2035',
      name: 'Kampung KB Asoka',
      launchDate: '2017-04-26',
    });
    await call('POST', `/api/v1/kampung/${inactive.body.id}/deactivate`, { reason: 'x' });
    const intoInactive = await call<Problem>('POST', `/api/v1/kampung/${serojaId}/merge`, {
      survivorId: inactive.body.id,
      reason: 'x',
    });
    expect(intoInactive.status).toBe(400);
    expect(intoInactive.body.errors?.[0].field).toBe('survivorId');
  });

  it('should keep an audit history of who changed what, when and why', async () => {
    const res = await call<{
      items: {
        action: string;
        actor: string;
        actorRole: string;
        changes: Record<string, { from: unknown; to: unknown }>;
        version: number;
      }[];
    }>('GET', `/api/v1/kampung/${serojaId}/history`);
    expect(res.body.items.map((a) => a.action)).toEqual(['registered', 'updated', 'updated']);
    expect(res.body.items[1]).toMatchObject({ actor: 'test-province', actorRole: 'province', version: 2 });
    expect(res.body.items[1].changes.name).toEqual({
      from: 'Kampung KB Seroja',
      to: 'Kampung KB Seroja Indah',
    });
    const page = await call<{ items: unknown[]; nextCursor: string }>(
      'GET',
      `/api/v1/kampung/${serojaId}/history?limit=2`,
    );
    expect(page.body.items).toHaveLength(2);
    const rest = await call<{ items: { action: string }[]; nextCursor: null }>(
      'GET',
      `/api/v1/kampung/${serojaId}/history?limit=2&cursor=${page.body.nextCursor}`,
    );
    expect(rest.body.items).toHaveLength(1);
    expect(rest.body.nextCursor).toBeNull();
  });

  it('should keep every officer inside their region and integrators read-only', async () => {
    const lampung = { villageCode: '18.01.01.2001', name: 'Kampung KB Lampung', launchDate: '2020-01-01' };
    const before = await reg.counts();
    expect((await call('POST', '/api/v1/kampung', lampung)).status).toBe(403);
    expect(
      (await call('POST', '/api/v1/kampung', seroja, { token: run.token(Role.regency, '1671') })).status,
    ).toBe(403);
    expect(
      (await call('POST', '/api/v1/kampung', lampung, { token: run.token(Role.integrator, '') })).status,
    ).toBe(403);
    expect(
      (await call('POST', '/api/v1/kampung', lampung, { token: run.token(Role.field_officer, '18') })).status,
    ).toBe(403);
    expect(await reg.counts()).toEqual(before);
    expect(
      (await call('GET', `/api/v1/kampung/${serojaId}`, undefined, { token: run.token(Role.province, '18') }))
        .status,
    ).toBe(403);
    expect(
      (
        await call(
          'PATCH',
          `/api/v1/kampung/${serojaId}`,
          { name: 'x' },
          { token: run.token(Role.regency, '1671'), headers: { 'if-match': '*' } },
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await call('GET', `/api/v1/kampung/${serojaId}`, undefined, {
          token: run.token(Role.integrator, '16'),
        })
      ).status,
    ).toBe(200);
    const listed = await call<{ items: { villageCode: string }[] }>(
      'GET',
      '/api/v1/kampung?limit=100',
      undefined,
      { token: run.token(Role.regency, '1610') },
    );
    expect(listed.body.items.length).toBeGreaterThan(3);
    expect(listed.body.items.every((k) => k.villageCode.startsWith('16.10.'))).toBe(true);
    expect(
      (await call('GET', '/api/v1/kampung?region=18', undefined, { token: run.token(Role.regency, '1610') }))
        .status,
    ).toBe(403);
  });

  it('should refuse null for what cannot be null, off-calendar dates and sub-micro coordinates as 400s naming the field, writing nothing', async () => {
    const before = await reg.counts();
    const base = { villageCode: '16.10.05.2036', name: 'Kampung KB Melati', launchDate: '2021-05-05' };
    const fieldsOf = (b: Problem) => [...new Set((b.errors ?? []).map((e) => e.field))].sort();
    const created = [
      [
        { ...base, modelRegency: null, modelProvince: null, selectionCriteria: null },
        ['modelProvince', 'modelRegency', 'selectionCriteria'],
      ],
      [{ ...base, pokja: null }, ['pokja']],
      [{ ...base, pokja: { members: null, trained: null } }, ['pokja.members', 'pokja.trained']],
      [{ ...base, launchDate: '2023-W01' }, ['launchDate']],
      [{ ...base, launchDate: '2023-02-29' }, ['launchDate']],
      [{ ...base, latitude: 1e-7, longitude: 1e308 }, ['latitude', 'longitude']],
    ] as const;
    for (const [payload, fields] of created) {
      const res = await call<Problem>('POST', '/api/v1/kampung', payload);
      expect({ payload, status: res.status, fields: fieldsOf(res.body) }).toEqual({
        payload,
        status: 400,
        fields: [...fields],
      });
    }
    expect(await reg.counts()).toEqual(before);

    const k = await call<Kampung>('POST', '/api/v1/kampung', { ...base, latitude: -3.141593 });
    expect(k.status).toBe(201);
    const after = await reg.counts();
    for (const [payload, fields] of [
      [{ name: null, launchDate: null }, ['launchDate', 'name']],
      [{ modelRegency: null, pokja: null }, ['modelRegency', 'pokja']],
    ] as const) {
      const res = await call<Problem>('PATCH', `/api/v1/kampung/${k.body.id}`, payload, {
        headers: { 'if-match': '"1"' },
      });
      expect({ payload, status: res.status, fields: fieldsOf(res.body) }).toEqual({
        payload,
        status: 400,
        fields: [...fields],
      });
    }
    expect(await reg.counts()).toEqual(after);
    // null still clears what may be cleared.
    const cleared = await call<Kampung>(
      'PATCH',
      `/api/v1/kampung/${k.body.id}`,
      { description: null, fieldOfficer: null },
      { headers: { 'if-match': '"1"' } },
    );
    expect(cleared.status).toBe(200);
  });
});
