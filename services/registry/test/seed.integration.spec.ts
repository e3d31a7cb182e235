import { Role, TestRun } from '@kkb/testing';
import { KampungService } from '../src/kampung/kampung.service';
import type { RegisterKampungDto } from '../src/kampung/register-kampung.dto';
import { demoCoordinates, SEROJA_COORDINATES, SOUTH_SUMATRA_REGENCIES } from '../src/seed/coordinates';
import { describeSeed, SouthSumatraSeed, type SeedResult } from '../src/seed/south-sumatra.seed';
import { startRegistry, type Registry } from './registry.fixtures';

interface Row {
  village_code: string;
  name: string;
  latitude: number | null;
  longitude: number | null;
  model_regency: boolean;
  model_province: boolean;
  created_by?: string;
}

/**
 * The demo seed meets a register people have already used (the README's "Register one" example,
 * a regency's own model kampung, a registration racing the seed): it skips, says so, goes on.
 */
describe(`${SouthSumatraSeed.name} on a register already in use`, () => {
  const run = new TestRun();
  let reg: Registry;
  let first: SeedResult;
  const p16 = () => run.token(Role.province, '16');
  /** The village registered by someone else while the seed runs (picked from the plan). */
  let raced = '';

  const register = async (body: Record<string, unknown>) => {
    const res = await reg.svc.request({
      method: 'POST',
      url: '/api/v1/kampung',
      token: p16(),
      payload: body,
    });
    expect(res.statusCode).toBe(201);
  };
  const rows = async (): Promise<Row[]> =>
    reg.ds.query(
      `SELECT village_code, name, latitude::float8 AS latitude, longitude::float8 AS longitude, model_regency, model_province
         FROM "${reg.schema}".kampung WHERE active ORDER BY village_code`,
    );

  beforeAll(async () => {
    reg = await startRegistry(run);
    // The README's "Register one", before any seed.
    await register({
      villageCode: '16.10.05.2040',
      name: 'Kampung KB Melati',
      launchDate: '2023-01-10',
      pokja: {
        skIssuer: 'kepala_desa',
        trained: true,
        members: [{ name: 'Siti Aminah', position: 'Ketua' }],
      },
      fieldOfficer: { name: 'Hendra Wijaya', nip: '198705122010011003' },
    });
    // Kota Palembang chose its own model kampung; the seed would make another one.
    await register({
      villageCode: '16.71.01.1001',
      name: 'Kampung KB Palembang Percontohan',
      launchDate: '2019-05-02',
      modelRegency: true,
    });
    // Someone registers in the 10th planned village just before the seed gets to it.
    const kampung = reg.svc.app.get(KampungService);
    const original = kampung.register.bind(kampung);
    let calls = 0;
    jest.spyOn(kampung, 'register').mockImplementation(async (dto: RegisterKampungDto, user) => {
      if (++calls === 10) {
        raced = dto.villageCode;
        await original(
          { villageCode: dto.villageCode, name: 'Kampung KB Dahulu', launchDate: '2020-02-02' },
          user,
        );
      }
      return original(dto, user);
    });
    first = await reg.svc.app.get(SouthSumatraSeed).run();
    jest.restoreAllMocks();
  }, 120000);

  afterAll(async () => {
    await reg?.svc.close();
    await run.cleanup();
  });

  it('should skip villages that already have a kampung, count them, and register the rest', async () => {
    expect(first.failed).toBe(0);
    expect(first.skippedVillages).toEqual(expect.arrayContaining(['16.10.05.2040', raced]));
    expect(first.alreadyThere).toBe(first.skippedVillages.length);
    expect(first.registered).toBeGreaterThan(450);
    expect(describeSeed(first)).toMatch(/kampung registered; \d+ villages skipped \(already a Kampung KB: /);
    const all = await rows();
    expect(all).toHaveLength(2 + 1 + first.registered);
    expect(new Set(all.map((r) => r.village_code)).size).toBe(all.length);
    expect(all.find((r) => r.village_code === '16.10.05.2040')?.name).toBe('Kampung KB Melati');
    expect(all.find((r) => r.village_code === raced)?.name).toBe('Kampung KB Dahulu');
  });

  it('should leave a model flag off where the regency already has its model, and keep one model per regency', async () => {
    expect(first.modelFlagsDropped).toBe(1);
    const all = await rows();
    const models = all.filter((r) => r.model_regency).map((r) => r.village_code.slice(0, 5));
    expect(new Set(models).size).toBe(models.length);
    expect(models.sort()).toEqual(Object.keys(SOUTH_SUMATRA_REGENCIES).sort());
    expect(all.find((r) => r.village_code.startsWith('16.71') && r.model_regency)?.name).toBe(
      'Kampung KB Palembang Percontohan',
    );
  });

  it('should give every seeded kampung plausible coordinates in its regency, and Seroja its own', async () => {
    const all = await rows();
    const seroja = all.find((r) => r.village_code === '16.10.05.2041');
    expect(seroja).toMatchObject({
      name: 'Kampung KB Seroja',
      model_province: true,
      model_regency: true,
      latitude: SEROJA_COORDINATES.latitude,
      longitude: SEROJA_COORDINATES.longitude,
    });
    const seeded = all.filter((r) => r.name.startsWith('Kampung KB ') && r.latitude !== null);
    expect(seeded).toHaveLength(first.registered);
    for (const r of seeded.filter((s) => s !== seroja)) {
      expect({ lat: Number(r.latitude), lon: Number(r.longitude) }).toEqual({
        lat: demoCoordinates(r.village_code)?.latitude,
        lon: demoCoordinates(r.village_code)?.longitude,
      });
      const c = SOUTH_SUMATRA_REGENCIES[r.village_code.slice(0, 5)];
      expect(Math.hypot(Number(r.latitude) - c.lat, Number(r.longitude) - c.lon)).toBeLessThanOrEqual(
        c.radius,
      );
    }
    // Kampung registered by people keep what they gave (no coordinates here).
    expect(all.find((r) => r.village_code === '16.10.05.2040')?.latitude).toBeNull();
  });

  it('should register nothing on a second run and skip every planned village', async () => {
    const before = await reg.counts();
    const again = await reg.svc.app.get(SouthSumatraSeed).run();
    expect(again).toMatchObject({ registered: 0, failed: 0, modelFlagsDropped: 0 });
    expect(again.alreadyThere).toBe(first.registered + first.alreadyThere);
    expect(await reg.counts()).toEqual(before);
  });
});
