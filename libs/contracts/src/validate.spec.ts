import 'reflect-metadata';
import { kampungRegisteredV1, KampungRegisteredV1 } from './registry/kampung-registered.v1';
import { kampungUpdatedV1 } from './registry/kampung-updated.v1';
import { regionsImportedV1 } from './registry/regions-imported.v1';
import { checkEvent, flattenValidationErrors, type FieldProblem } from './validate';

const KAMPUNG_ID = '6f1c2b0e-3d4a-4c55-9a1e-2f7b8c9d0e1f';

function kampungRegistered(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    id: '0b7e2f4c-5a1d-4e8b-9c3f-1d2e3f4a5b6c',
    source: '/kkb/registry',
    type: 'kkb.registry.kampung.registered.v1',
    subject: `kampung/${KAMPUNG_ID}`,
    time: '2025-03-12T08:15:30.123Z',
    datacontenttype: 'application/json',
    correlationid: '3c9a1f7e-2b4d-4f6a-8e1c-5d7b9a0c2e4f',
    province: '16',
    data: {
      kampungId: KAMPUNG_ID,
      villageCode: '16.10.05.2041',
      name: 'Kampung KB Sukamaju',
      launchDate: '2019-03-12',
      active: true,
      modelRegency: false,
      modelProvince: false,
      version: 1,
      ...data,
    },
    ...overrides,
  };
}

function regionsImportedEvent(data: Record<string, unknown> = {}) {
  return {
    ...kampungRegistered({ type: 'kkb.registry.regions.imported.v1', subject: 'regions', province: '00' }),
    data: {
      source: 'idn-area-data@4.0.1',
      active: { provinces: 38, regencies: 514, districts: 7277, villages: 83763 },
      inserted: 83763,
      updated: 0,
      deactivated: 0,
      ...data,
    },
  };
}

async function problemsOf(raw: unknown): Promise<FieldProblem[]> {
  const result = await checkEvent(raw);
  if (result.ok) throw new Error('expected the event to be rejected');
  return result.problems;
}

function fields(problems: FieldProblem[]): string[] {
  return [...new Set(problems.map((p) => p.field))];
}

describe(checkEvent.name, () => {
  it('should accept a valid kampung registered event and resolve its contract', async () => {
    const result = await checkEvent(kampungRegistered());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.contract).toBe(kampungRegisteredV1);
    expect(result.event.data).toBeInstanceOf(KampungRegisteredV1);
    expect(result.event.id).toBe('0b7e2f4c-5a1d-4e8b-9c3f-1d2e3f4a5b6c');
    expect(result.event.province).toBe('16');
  });

  it('should accept the optional causationid and mergedInto when present and valid', async () => {
    const result = await checkEvent(
      kampungRegistered({ causationid: 'req-42' }, { mergedInto: '8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b' }),
    );
    expect(result.ok).toBe(true);
  });

  it('should accept fields it does not know, so additive changes within a major do not break consumers', async () => {
    const result = await checkEvent(
      kampungRegistered({ traceparent: '00-abc-def-01' }, { pokja: 'Pokja Sukamaju' }),
    );
    expect(result.ok).toBe(true);
  });

  it('should accept a valid event checked against an explicit contract', async () => {
    const result = await checkEvent(kampungRegistered(), kampungRegisteredV1);
    expect(result.ok).toBe(true);
  });

  it('should reject a value that is not a JSON object', async () => {
    for (const raw of [null, undefined, 'event', 42, true, [kampungRegistered()]]) {
      const result = await checkEvent(raw);
      expect(result).toEqual({ ok: false, problems: [{ field: '', reason: 'event must be a JSON object' }] });
    }
  });

  it('should reject an event without an id', async () => {
    const { id: _id, ...raw } = kampungRegistered();
    void _id;
    expect(fields(await problemsOf(raw))).toEqual(['id']);
  });

  it('should reject an empty or over-long id', async () => {
    expect(fields(await problemsOf(kampungRegistered({ id: '' })))).toEqual(['id']);
    expect(fields(await problemsOf(kampungRegistered({ id: 'x'.repeat(129) })))).toEqual(['id']);
  });

  it('should reject a specversion other than 1.0', async () => {
    expect(fields(await problemsOf(kampungRegistered({ specversion: '0.3' })))).toEqual(['specversion']);
    expect(fields(await problemsOf(kampungRegistered({ specversion: 1 })))).toEqual(['specversion']);
  });

  it('should reject a type that does not follow the kkb.<producer>.<aggregate>.<past-verb>.v<major> pattern', async () => {
    for (const type of [
      'kkb.registry.kampung.registered',
      'registry.kampung.registered.v1',
      'kkb.registry.Kampung.registered.v1',
      'kkb.registry.kampung.registered.1',
    ]) {
      const problems = await problemsOf(kampungRegistered({ type }));
      expect(fields(problems)).toEqual(['type']);
      expect(problems[0].reason).toMatch(/kkb\.<producer>/);
    }
  });

  it('should reject a well-formed type that no contract defines', async () => {
    const problems = await problemsOf(kampungRegistered({ type: 'kkb.registry.kampung.exploded.v1' }));
    expect(problems).toEqual([
      { field: 'type', reason: 'unknown event type kkb.registry.kampung.exploded.v1' },
    ]);
  });

  it('should reject a newer major of a known event as unknown until its contract exists', async () => {
    const problems = await problemsOf(kampungRegistered({ type: 'kkb.registry.kampung.registered.v2' }));
    expect(fields(problems)).toEqual(['type']);
  });

  it('should reject an event whose type differs from the explicit contract', async () => {
    const result = await checkEvent(kampungRegistered(), kampungUpdatedV1);
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          field: 'type',
          reason: 'expected kkb.registry.kampung.updated.v1, got kkb.registry.kampung.registered.v1',
        },
      ],
    });
  });

  it('should reject a province token that is not exactly two digits', async () => {
    for (const province of ['1', '161', 'ab', '', 16]) {
      const problems = await problemsOf(kampungRegistered({ province }));
      expect(fields(problems)).toEqual(['province']);
    }
  });

  it('should accept the national province token 00', async () => {
    expect((await checkEvent(kampungRegistered({ province: '00' }))).ok).toBe(true);
  });

  it('should reject a bad villageCode in data and report the field as data.villageCode', async () => {
    for (const villageCode of ['1610052041', '16.10.05.204', '16.10.5.2041', 1610052041]) {
      const problems = await problemsOf(kampungRegistered({}, { villageCode }));
      expect(problems).toEqual([
        {
          field: 'data.villageCode',
          reason: 'villageCode must be a dotted 10-digit village code such as 16.10.05.2041',
        },
      ]);
    }
  });

  it('should accept coordinates within range or none at all, and reject them out of range or not numbers', async () => {
    expect((await checkEvent(kampungRegistered({}, { latitude: -3.2415, longitude: 104.6518 }))).ok).toBe(
      true,
    );
    expect((await checkEvent(kampungRegistered({}, { latitude: -90, longitude: 180 }))).ok).toBe(true);
    expect((await checkEvent(kampungRegistered())).ok).toBe(true);
    const problems = await problemsOf(kampungRegistered({}, { latitude: 90.5, longitude: '104.6' }));
    expect(fields(problems).sort()).toEqual(['data.latitude', 'data.longitude']);
    expect(fields(await problemsOf(kampungRegistered({}, { longitude: -181 })))).toEqual(['data.longitude']);
  });

  it('should report every bad payload field with its data. path', async () => {
    const problems = await problemsOf(
      kampungRegistered({}, { kampungId: 'not-a-uuid', active: 'yes', version: 0 }),
    );
    expect(fields(problems).sort()).toEqual(['data.active', 'data.kampungId', 'data.version']);
  });

  it('should reject a time that is not ISO 8601', async () => {
    for (const time of ['yesterday', '12/03/2025 08:15', '2025-02-30T00:00:00Z', 1741767330123]) {
      const problems = await problemsOf(kampungRegistered({ time }));
      expect(fields(problems)).toEqual(['time']);
    }
  });

  it('should reject an envelope without data or with non-object data', async () => {
    const { data: _data, ...withoutData } = kampungRegistered();
    void _data;
    expect(fields(await problemsOf(withoutData))).toEqual(['data']);
    expect(fields(await problemsOf(kampungRegistered({ data: 'x' })))).toEqual(['data']);
    expect(fields(await problemsOf(kampungRegistered({ data: [] })))).toEqual(['data']);
  });

  it('should reject a datacontenttype other than application/json', async () => {
    expect(fields(await problemsOf(kampungRegistered({ datacontenttype: 'application/xml' })))).toEqual([
      'datacontenttype',
    ]);
  });

  it('should reject an event without a correlationid', async () => {
    const { correlationid: _c, ...raw } = kampungRegistered();
    void _c;
    expect(fields(await problemsOf(raw))).toEqual(['correlationid']);
  });

  it('should accept a valid regions imported event', async () => {
    const result = await checkEvent(regionsImportedEvent());
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.contract).toBe(regionsImportedV1);
  });

  it('should validate the nested regions imported counts and report a negative one by its path', async () => {
    const problems = await problemsOf(
      regionsImportedEvent({ active: { provinces: 38, regencies: 514, districts: 7277, villages: -1 } }),
    );
    expect(problems).toEqual([{ field: 'data.active.villages', reason: 'villages must not be less than 0' }]);
  });

  it('should reject nested regions imported counts that are missing, not integers, or not an object', async () => {
    expect(
      fields(
        await problemsOf(
          regionsImportedEvent({ active: { provinces: 38, regencies: 514, districts: 7277 } }),
        ),
      ),
    ).toEqual(['data.active.villages']);
    expect(
      fields(
        await problemsOf(
          regionsImportedEvent({ active: { provinces: 38.5, regencies: 514, districts: 7277, villages: 1 } }),
        ),
      ),
    ).toEqual(['data.active.provinces']);
    expect(fields(await problemsOf(regionsImportedEvent({ active: null })))).toEqual(['data.active']);
    expect(fields(await problemsOf(regionsImportedEvent({ active: undefined })))).toEqual(['data.active']);
    expect(fields(await problemsOf(regionsImportedEvent({ active: [] })))).toEqual(['data.active']);
  });

  it('should reject negative top-level regions imported counts', async () => {
    expect(fields(await problemsOf(regionsImportedEvent({ inserted: -5 })))).toEqual(['data.inserted']);
  });
});

describe(flattenValidationErrors.name, () => {
  it('should flatten nested errors into dotted field paths under a prefix', () => {
    const problems = flattenValidationErrors(
      [
        {
          property: 'active',
          constraints: {},
          children: [
            { property: 'villages', constraints: { min: 'villages must not be less than 0' }, children: [] },
          ],
        },
        {
          property: 'source',
          constraints: { isString: 'source must be a string', isNotEmpty: 'source should not be empty' },
        },
      ],
      'data',
    );
    expect(problems).toEqual([
      { field: 'data.active.villages', reason: 'villages must not be less than 0' },
      { field: 'data.source', reason: 'source must be a string' },
      { field: 'data.source', reason: 'source should not be empty' },
    ]);
  });
});
