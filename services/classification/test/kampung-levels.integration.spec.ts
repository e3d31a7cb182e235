import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import Ajv from 'ajv';
import ExcelJS from 'exceljs';
import { kampungUpdatedV1 } from '@kkb/contracts';
import { eventually, Role, TestRun } from '@kkb/testing';
import { profileAnswers, reportAnswers } from '../src/evaluation/evaluation.fixtures';
import { EXPORT_COLUMNS } from '../src/kampung-levels/kampung-levels.export';
import { KampungLevelsController } from '../src/kampung-levels/kampung-levels.controller';
import { KampungLevelsRepository } from '../src/kampung-levels/kampung-levels.repository';
import { LEVELS, type Level } from '../src/rule-set/rule-set.definition';
import { startClassification, type Classification } from './classification.fixtures';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

const FUNDING_5 = ['apbn', 'apbd', 'dana_desa', 'csr', 'swadaya'];
const HEADERS = EXPORT_COLUMNS.map((c) => c.header);

/** A tiny RFC 4180 reader: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field || row.length) throw new Error('the CSV does not end with CRLF');
  return rows;
}

/** Bulk rows written as the services would have: projection, one evaluation each, current level. */
interface Bulk {
  id: string;
  villageCode: string;
  name: string;
  level: Level | null;
  evaluatedAt: string | null;
  model: boolean;
  latitude: number | null;
  longitude: number | null;
  active: boolean;
}

describe(KampungLevelsController.name, () => {
  const run = new TestRun();
  let c: Classification;
  const S = () => `"${c.schema}"`;

  // Kampung that come in through registry events (the projection handler) and verified submissions.
  const seroja = randomUUID(); // 16.10.05, model, coordinates, berkelanjutan
  const melati = randomUUID(); // 16.10.05, coordinates, berkembang
  const mawar = randomUUID(); // 16.71.01, a comma and quotes in its name, no coordinates, not assessed
  const formula = randomUUID(); // 16.10.06, a name a spreadsheet would run, coordinates, not assessed
  const diskon = randomUUID(); // 16.10.05, a % in its name
  const lama = randomUUID(); // 16.10.05, deactivated
  const bandung = randomUUID(); // 32.01.01, coordinates, berkembang
  const sixteen = [seroja, melati, mawar, formula, diskon];

  const get = async (url: string, token = run.token()) => {
    const res = await c.svc.request({ method: 'GET', url, token });
    const json = () => {
      try {
        return res.json() as Json;
      } catch {
        return {} as Json;
      }
    };
    return { status: res.statusCode, headers: res.headers, body: json(), raw: res.body, res };
  };
  const ids = async (url: string, token = run.token()) => {
    const r = await get(url, token);
    expect(r.status).toBe(200);
    return (r.body.items as Json[]).map((i) => i.kampungId as string).sort();
  };
  /** Every page of a list, following nextCursor. */
  const allPages = async (url: string, token = run.token()) => {
    const items: Json[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const sep = url.includes('?') ? '&' : '?';
      const r = await get(`${url}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`, token);
      expect(r.status).toBe(200);
      items.push(...r.body.items);
      cursor = r.body.nextCursor;
      pages++;
      if (pages > 1000) throw new Error('paging does not end');
    } while (cursor);
    return { items, pages };
  };

  const bulk: Bulk[] = [];
  const insertBulk = async (rows: Bulk[]) => {
    const [sub] = await c.ds.query(`SELECT submission_id FROM ${S()}.verified_submission LIMIT 1`);
    await c.ds.query(
      `INSERT INTO ${S()}.kampung_projection (kampung_id, village_code, province_code, name, launch_date, active,
              version, last_event_id, model_regency, model_province, latitude, longitude)
       SELECT id, v, substr(v, 1, 2), n, '2022-01-01', a, 1, 'bulk', m, false, la, lo
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::boolean[], $5::boolean[], $6::float8[], $7::float8[])
           AS t(id, v, n, a, m, la, lo)`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.villageCode),
        rows.map((r) => r.name),
        rows.map((r) => r.active),
        rows.map((r) => r.model),
        rows.map((r) => r.latitude),
        rows.map((r) => r.longitude),
      ],
    );
    const assessed = rows.filter((r) => r.level);
    const evals = assessed.map(() => randomUUID());
    await c.ds.query(
      `INSERT INTO ${S()}.evaluation (id, kampung_id, rule_set_version, level, changed, indices, indicators,
              profile_submission_id, profile_period, trigger, evaluated_at)
       SELECT e, k, 1, l, true, '{"input":{"value":3,"passes":true},"process":{"value":2.5,"passes":false},"output":{"value":1,"passes":false}}',
              '[]', $4, '2025-01-01', 'submission', t
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $5::timestamptz[]) AS x(e, k, l, t)`,
      [
        evals,
        assessed.map((r) => r.id),
        assessed.map((r) => r.level),
        sub.submission_id,
        assessed.map((r) => r.evaluatedAt),
      ],
    );
    await c.ds.query(
      `INSERT INTO ${S()}.kampung_state (kampung_id, village_code, level, evaluation_id, rule_set_version, evaluated_at)
       SELECT e.kampung_id, p.village_code, e.level, e.id, 1, e.evaluated_at
         FROM ${S()}.evaluation e JOIN ${S()}.kampung_projection p ON p.kampung_id = e.kampung_id
        WHERE e.id = ANY($1::uuid[])`,
      [evals],
    );
  };

  beforeAll(async () => {
    c = await startClassification(run);
    await c.register('16.10.05.3001', seroja, {
      name: 'Kampung KB Seroja',
      modelRegency: true,
      modelProvince: true,
      latitude: -3.2415,
      longitude: 104.6518,
    });
    await c.register('16.10.05.3002', melati, {
      name: 'Kampung KB Melati',
      latitude: -3.25,
      longitude: 104.7,
    });
    await c.register('16.71.01.3003', mawar, { name: 'Kampung KB Mawar, "Anggrek"' });
    await c.register('16.10.06.3004', formula, {
      name: '=HYPERLINK("http://x.example")',
      latitude: -3.3,
      longitude: 104.8,
    });
    await c.register('16.10.05.3006', diskon, { name: 'Kampung KB Diskon 50%' });
    await c.register('16.10.05.3007', lama, { name: 'Kampung KB Lama', active: false });
    await c.register('32.01.01.3005', bandung, {
      name: 'Kampung KB Bandung',
      latitude: -6.9,
      longitude: 107.6,
    });
    const projected = async () =>
      Number((await c.ds.query(`SELECT count(*) AS n FROM ${S()}.kampung_projection`))[0].n as string);
    await eventually(projected, { until: (n) => n === 7, what: 'seven kampung projected' });

    await c.publish(
      c.verified(
        seroja,
        '16.10.05.3001',
        'profile',
        { year: 2025, month: 1 },
        profileAnswers({ funding_sources: FUNDING_5 }),
      ),
    );
    await c.publish(
      c.verified(seroja, '16.10.05.3001', 'monthly-report', { year: 2025, month: 3 }, reportAnswers()),
    );
    await c.publish(
      c.verified(melati, '16.10.05.3002', 'profile', { year: 2025, month: 1 }, profileAnswers()),
    );
    await c.publish(
      c.verified(bandung, '32.01.01.3005', 'profile', { year: 2025, month: 1 }, profileAnswers()),
    );
    const levelOf = async (id: string) =>
      (await c.ds.query(`SELECT level FROM ${S()}.kampung_state WHERE kampung_id = $1`, [id]))[0]?.level;
    await eventually(() => levelOf(seroja), {
      until: (l) => l === 'berkelanjutan',
      what: 'seroja evaluated',
    });
    await eventually(() => levelOf(melati), { until: (l) => l === 'berkembang', what: 'melati evaluated' });
    await eventually(() => levelOf(bandung), { until: (l) => l === 'berkembang', what: 'bandung evaluated' });

    // Bengkulu (17): 240 kampung with many equal names, levels and evaluation times (ties for
    // the keyset), microsecond timestamps, a few deactivated.
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const times = [
      '2025-01-05T03:00:00.123456Z',
      '2025-01-05T03:00:00.123457Z',
      '2025-02-10T08:30:00Z',
      '2025-03-01T00:00:00.5Z',
    ];
    for (let i = 0; i < 240; i++) {
      const level = [null, ...LEVELS][rand(5)];
      bulk.push({
        id: randomUUID(),
        villageCode: `17.0${1 + rand(2)}.0${1 + rand(3)}.${String(1000 + i)}`,
        name: `Kampung ${'abc'[rand(3)]}${'abc'[rand(3)]}${'abc'[rand(3)]}`,
        level,
        evaluatedAt: level ? times[rand(times.length)] : null,
        model: rand(10) === 0,
        latitude: rand(3) ? -3.8 + rand(100) / 1000 : null,
        longitude: 102.2 + rand(100) / 1000,
        active: rand(12) !== 0,
      });
    }
    await insertBulk(bulk);
  });

  afterAll(async () => {
    // Keep-alive sockets of the streaming tests' real HTTP requests would hold close() up.
    (c?.svc.app.getHttpServer() as { closeAllConnections?: () => void } | undefined)?.closeAllConnections?.();
    await c?.svc.close();
    await run.cleanup();
  }, 120_000);

  describe('list', () => {
    it('should give each kampung its level, scores, model flags and coordinates from the projection and the current level', async () => {
      const { status, body } = await get('/api/v1/kampung-levels?region=16&sort=village');
      expect(status).toBe(200);
      expect(body.nextCursor).toBeNull();
      expect(body.items.map((i: Json) => i.kampungId)).toEqual([seroja, melati, diskon, formula, mawar]);
      const [evaluated] = await c.ds.query(
        `SELECT evaluated_at FROM ${S()}.kampung_state WHERE kampung_id = $1`,
        [seroja],
      );
      expect(body.items[0]).toEqual({
        kampungId: seroja,
        name: 'Kampung KB Seroja',
        villageCode: '16.10.05.3001',
        level: 'berkelanjutan',
        ruleSetVersion: 1,
        evaluatedAt: new Date(evaluated.evaluated_at).toISOString(),
        scores: { input: 3.6, process: 4, output: 4 },
        modelRegency: true,
        modelProvince: true,
        latitude: -3.2415,
        longitude: 104.6518,
        active: true,
      });
      expect(body.items[4]).toEqual({
        kampungId: mawar,
        name: 'Kampung KB Mawar, "Anggrek"',
        villageCode: '16.71.01.3003',
        level: null,
        ruleSetVersion: null,
        evaluatedAt: null,
        scores: null,
        modelRegency: false,
        modelProvince: false,
        latitude: null,
        longitude: null,
        active: true,
      });
    });

    it('should keep the newest register state: a later update moves the kampung, an older event changes nothing', async () => {
      const update = (version: number, latitude: number) => ({
        specversion: '1.0' as const,
        id: randomUUID(),
        source: '/kkb/registry',
        type: kampungUpdatedV1.type,
        subject: `kampung/${melati}`,
        time: new Date().toISOString(),
        datacontenttype: 'application/json' as const,
        correlationid: randomUUID(),
        province: '16',
        data: {
          kampungId: melati,
          villageCode: '16.10.05.3002',
          name: 'Kampung KB Melati',
          launchDate: '2022-03-14',
          active: true,
          modelRegency: true,
          modelProvince: false,
          version,
          latitude,
          longitude: 104.7,
          changed: ['latitude', 'modelRegency'],
        },
      });
      await c.publish(update(3, -3.26));
      const row = () => get(`/api/v1/kampung-levels?q=Melati`).then((r) => r.body.items[0] as Json);
      await eventually(row, { until: (r) => r.latitude === -3.26, what: 'melati moved' });
      await c.publish(update(2, -3.99));
      const marker = randomUUID();
      await c.register('16.10.05.3099', marker, { name: 'Kampung KB Penanda', active: false });
      await eventually(() => ids('/api/v1/kampung-levels?active=false&region=16'), {
        until: (x) => x.includes(marker),
        what: 'marker projected after the stale update',
      });
      expect(await row()).toMatchObject({ latitude: -3.26, modelRegency: true, level: 'berkembang' });
    });

    it.each([
      ['region=16', sixteen],
      ['region=1610', [seroja, melati, formula, diskon]],
      ['region=16.10.05', [seroja, melati, diskon]],
      ['region=16&level=berkelanjutan,berkembang', [seroja, melati]],
      ['region=16&level=berkembang', [melati]],
      ['region=16&level=dasar&level=berkelanjutan', [seroja]],
      ['region=16&assessed=true', [seroja, melati]],
      ['region=16&assessed=false', [mawar, formula, diskon]],
      ['region=16&model=true', [seroja, melati]],
      ['region=16&model=false', [mawar, formula, diskon]],
      ['q=seroja', [seroja]],
      ['q=16.71', [mawar]],
      ['q=%25', [diskon]],
      ['q=_', []],
      ['region=16&active=false&q=Lama', [lama]],
      ['region=32', [bandung]],
    ])('should filter by %s', async (query, expected) => {
      expect(await ids(`/api/v1/kampung-levels?${query}`)).toEqual([...expected].sort());
    });

    it.each([
      ['level=emas', 'level'],
      ['sort=rank', 'sort'],
      ['order=up', 'order'],
      ['limit=201', 'limit'],
      ['limit=0', 'limit'],
      ['assessed=maybe', 'assessed'],
      ['region=16.1', 'region'],
      ['colour=red', 'colour'],
    ])('should refuse %s naming the field', async (query, field) => {
      const r = await get(`/api/v1/kampung-levels?${query}`);
      expect(r.status).toBe(400);
      expect(String(r.headers['content-type'])).toMatch(/^application\/problem\+json/);
      expect(JSON.stringify(r.body)).toContain(field);
    });

    const active17 = () => bulk.filter((b) => b.active);
    const rank = (l: Level | null) => (l ? LEVELS.indexOf(l) + 1 : 0);
    const keyOf: Record<string, (b: Bulk) => (string | number)[]> = {
      name: (b) => [b.name, b.id],
      village: (b) => [b.villageCode, b.id],
      level: (b) => [rank(b.level), b.name, b.id],
      evaluatedAt: (b) => [
        b.evaluatedAt ? new Date(b.evaluatedAt).getTime() * 1000 + micro(b.evaluatedAt) : -Infinity,
        b.id,
      ],
    };
    function micro(iso: string) {
      const m = /\.\d{3}(\d{1,3})Z$/.exec(iso);
      return m ? Number(m[1].padEnd(3, '0')) : 0;
    }
    const compare = (a: (string | number)[], b: (string | number)[]) => {
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
      return 0;
    };

    it.each(
      ['name', 'village', 'level', 'evaluatedAt'].flatMap((sort) =>
        ['asc', 'desc'].map((order) => [sort, order]),
      ),
    )('should page sort=%s order=%s over many pages without duplicates or gaps', async (sort, order) => {
      const { items, pages } = await allPages(
        `/api/v1/kampung-levels?region=17&sort=${sort}&order=${order}&limit=13`,
      );
      const expected = active17();
      expect(pages).toBe(Math.ceil(expected.length / 13));
      const got = items.map((i) => i.kampungId as string);
      expect(new Set(got).size).toBe(got.length);
      expect([...got].sort()).toEqual(expected.map((b) => b.id).sort());
      const byId = new Map(bulk.map((b) => [b.id, b]));
      const wanted = [...expected].sort(
        (a, b) => compare(keyOf[sort](a), keyOf[sort](b)) * (order === 'asc' ? 1 : -1),
      );
      expect(got).toEqual(wanted.map((b) => b.id));
      expect(items.map((i) => i.level)).toEqual(got.map((id) => byId.get(id)!.level));
    });

    it('should page a filtered list and keep filtering on every page', async () => {
      const { items } = await allPages(
        '/api/v1/kampung-levels?region=17.01&level=dasar,mandiri&sort=evaluatedAt&order=desc&limit=5',
      );
      const expected = bulk.filter(
        (b) =>
          b.active && b.villageCode.startsWith('17.01.') && (b.level === 'dasar' || b.level === 'mandiri'),
      );
      expect(expected.length).toBeGreaterThan(10);
      expect(items.map((i) => i.kampungId).sort()).toEqual(expected.map((b) => b.id).sort());
    });

    it('should refuse a cursor it did not issue, or issued for another sort or order', async () => {
      const first = await get('/api/v1/kampung-levels?region=17&sort=name&limit=5');
      const cursor = first.body.nextCursor as string;
      expect(cursor).toEqual(expect.any(String));
      const enc = (v: unknown) => encodeURIComponent(Buffer.from(JSON.stringify(v)).toString('base64url'));
      for (const bad of [
        `cursor=${cursor}&sort=village`,
        `cursor=${cursor}&order=desc`,
        'cursor=not-a-cursor',
        `cursor=${enc(['name', 'asc', 'x', "1'; DROP TABLE x; --"])}`,
        `cursor=${enc(['name', 'asc', { $gt: '' }, randomUUID()])}`,
        `sort=evaluatedAt&cursor=${enc(['evaluatedAt', 'asc', 'yesterday', randomUUID()])}`,
        `sort=level&cursor=${enc(['level', 'asc', 9, 'x', randomUUID()])}`,
        `sort=village&cursor=${enc(['village', 'asc', "16.10' OR 1=1", randomUUID()])}`,
      ]) {
        const r = await get(`/api/v1/kampung-levels?region=17&limit=5&${bad}`);
        expect({ bad, status: r.status }).toEqual({ bad, status: 400 });
        expect(r.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
      }
      // A well-formed key is only a position: quotes in it are data, and scope still applies.
      const crafted = enc(['name', 'asc', "Kampung a'--", randomUUID()]);
      const ok = await get(`/api/v1/kampung-levels?region=17&limit=200&cursor=${crafted}`);
      expect(ok.status).toBe(200);
      expect(ok.body.items.length).toBeGreaterThan(0);
    });
  });

  describe('scope', () => {
    const province16 = () => run.token(Role.province, '16');

    it('should show a province officer only their province, whatever the filters', async () => {
      expect(await ids('/api/v1/kampung-levels?limit=200', province16())).toEqual([...sixteen].sort());
      expect(await ids('/api/v1/kampung-levels?q=Bandung', province16())).toEqual([]);
      expect(await ids('/api/v1/kampung-levels?limit=200', run.token(Role.regency, '1610'))).toEqual(
        [seroja, melati, formula, diskon].sort(),
      );
      // A national officer's cursor over Bengkulu, replayed by the province officer, stays in 16.
      const national = await get('/api/v1/kampung-levels?region=17&limit=3');
      const replay = await get(
        `/api/v1/kampung-levels?limit=200&cursor=${encodeURIComponent(national.body.nextCursor)}`,
        province16(),
      );
      expect(replay.status).toBe(200);
      expect(replay.body.items.every((i: Json) => i.villageCode.startsWith('16.'))).toBe(true);
    });

    it.each([
      ['/api/v1/kampung-levels?region=32', Role.province, '16'],
      ['/api/v1/kampung-levels?region=17.01', Role.province, '16'],
      ['/api/v1/kampung-levels/points?region=32', Role.province, '16'],
      ['/api/v1/kampung-levels/export?format=csv&region=32', Role.province, '16'],
      ['/api/v1/kampung-levels/export?format=xlsx&region=32.01', Role.province, '16'],
      ['/api/v1/kampung-levels?region=16', Role.regency, '1610'],
      ['/api/v1/kampung-levels?region=16.71', Role.regency, '1610'],
    ])('should refuse %s to a %s officer of %s with a 403 problem', async (url, role, scope) => {
      const r = await get(url, run.token(role, scope));
      expect(r.status).toBe(403);
      expect(String(r.headers['content-type'])).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({ status: 403 });
      expect(r.body.detail).toMatch(/outside your scope/);
      expect(r.headers['content-disposition']).toBeUndefined();
    });
  });

  describe('points', () => {
    it('should give the kampung with coordinates, compact, with their level', async () => {
      const r = await get('/api/v1/kampung-levels/points?region=16', run.token(Role.province, '16'));
      expect(r.status).toBe(200);
      const items = [...(r.body.items as Json[])].sort((a, b) => (a.kampungId < b.kampungId ? -1 : 1));
      const expected = [
        {
          kampungId: seroja,
          name: 'Kampung KB Seroja',
          level: 'berkelanjutan',
          latitude: -3.2415,
          longitude: 104.6518,
        },
        {
          kampungId: melati,
          name: 'Kampung KB Melati',
          level: 'berkembang',
          latitude: -3.26,
          longitude: 104.7,
        },
        {
          kampungId: formula,
          name: '=HYPERLINK("http://x.example")',
          level: null,
          latitude: -3.3,
          longitude: 104.8,
        },
      ].sort((a, b) => (a.kampungId < b.kampungId ? -1 : 1));
      expect(items).toEqual(expected);
      expect(
        await ids('/api/v1/kampung-levels/points?level=berkembang', run.token(Role.province, '16')),
      ).toEqual([melati]);
      const national = await ids('/api/v1/kampung-levels/points?region=17');
      expect(national).toEqual(
        bulk
          .filter((b) => b.active && b.latitude !== null && b.longitude !== null)
          .map((b) => b.id)
          .sort(),
      );
    });
  });

  describe('export', () => {
    it('should stream the filtered list as CSV: attachment, header row, RFC 4180 quoting, formulas defused', async () => {
      const r = await get(
        '/api/v1/kampung-levels/export?format=csv&region=16&sort=village',
        run.token(Role.province, '16'),
      );
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
      expect(r.headers['content-disposition']).toMatch(/^attachment; filename="kampung-kb-16-\d{8}\.csv"$/);
      const rows = parseCsv(r.raw);
      expect(rows[0]).toEqual(HEADERS);
      expect(rows.slice(1).map((x) => x[0])).toEqual([seroja, melati, diskon, formula, mawar]);
      const list = await get('/api/v1/kampung-levels?region=16&sort=village');
      const s = list.body.items[0];
      expect(rows[1]).toEqual([
        seroja,
        'Kampung KB Seroja',
        '16.10.05.3001',
        'Berkelanjutan',
        '1',
        s.evaluatedAt,
        '3.6',
        '4',
        '4',
        'ya',
        'ya',
        '-3.2415',
        '104.6518',
        'ya',
      ]);
      expect(rows[4][1]).toBe(`'=HYPERLINK("http://x.example")`);
      expect(rows[5].slice(1, 4)).toEqual(['Kampung KB Mawar, "Anggrek"', '16.71.01.3003', '']);
      expect(r.raw).toContain('"Kampung KB Mawar, ""Anggrek"""');
      expect(rows.every((x) => x.length === HEADERS.length)).toBe(true);

      const filtered = parseCsv((await get('/api/v1/kampung-levels/export?region=16&level=berkembang')).raw);
      expect(filtered.map((x) => x[0])).toEqual([HEADERS[0], melati]);
    });

    it('should stream the same rows as XLSX, which exceljs reads back', async () => {
      const r = await c.svc.app.inject({
        method: 'GET',
        url: '/api/v1/kampung-levels/export?format=xlsx&region=16&sort=village',
        headers: { authorization: `Bearer ${run.token(Role.province, '16')}` },
      });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe(
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      );
      expect(r.headers['content-disposition']).toMatch(/^attachment; filename="kampung-kb-16-\d{8}\.xlsx"$/);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
      const sheet = wb.worksheets[0];
      const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
      expect(sheet.rowCount).toBe(6);
      expect(values(1)).toEqual(HEADERS);
      expect([2, 3, 4, 5, 6].map((n) => values(n)[0])).toEqual([seroja, melati, diskon, formula, mawar]);
      const list = await get('/api/v1/kampung-levels?region=16&sort=village');
      const row = values(2);
      expect(row.slice(0, 5)).toEqual([seroja, 'Kampung KB Seroja', '16.10.05.3001', 'Berkelanjutan', 1]);
      expect(row[5]).toEqual(new Date(list.body.items[0].evaluatedAt));
      expect(row.slice(6)).toEqual([3.6, 4, 4, 'ya', 'ya', -3.2415, 104.6518, 'ya']);
      expect(values(5)[1]).toBe(`'=HYPERLINK("http://x.example")`);
      expect(values(6)[1]).toBe('Kampung KB Mawar, "Anggrek"');
      expect(values(6)[3]).toBeUndefined();
    });
  });

  describe('national export', () => {
    const N = 83762;
    let base: string;
    let repo: KampungLevelsRepository;

    /** Counts the rows the export reads from its database cursor. */
    const countFetches = () => {
      const original = repo.fetch.bind(repo);
      let rows = 0;
      Object.assign(repo, {
        fetch: async (...args: Parameters<KampungLevelsRepository['fetch']>) => {
          const out = await original(...args);
          rows += out.length;
          return out;
        },
      });
      return { rows: () => rows, restore: () => delete (repo as { fetch?: unknown }).fetch };
    };

    const open = async (format: string, signal?: AbortSignal) => {
      const res = await fetch(`${base}/api/v1/kampung-levels/export?format=${format}&region=94`, {
        headers: { authorization: `Bearer ${run.token()}` },
        signal,
      });
      expect(res.status).toBe(200);
      return res;
    };
    /**
     * The rows read once reading has stopped: the same count twice, half a second apart. A
     * reader that never stops (no backpressure) reads all N, which the callers refuse.
     */
    const stalled = async (rows: () => number): Promise<number> => {
      let previous = -1;
      for (let i = 0; i < 60; i++) {
        const now = rows();
        if (now === previous && now > 0) return now;
        previous = now;
        await new Promise((r) => setTimeout(r, 500));
      }
      return rows();
    };
    /** Database connections the service has checked out of its pool (an open export holds one). */
    const checkedOut = () => {
      const pool = (c.ds.driver as unknown as { master: { totalCount: number; idleCount: number } }).master;
      return pool.totalCount - pool.idleCount;
    };

    beforeAll(async () => {
      // A kampung in every village of the country (all in province 94, so the rest stays small).
      await c.ds.query(
        `INSERT INTO ${S()}.kampung_projection (kampung_id, village_code, province_code, name, launch_date, active,
                version, last_event_id, latitude, longitude)
         SELECT gen_random_uuid(),
                '94.' || lpad((1 + i / 10000)::text, 2, '0') || '.' || lpad((1 + i / 100 % 100)::text, 2, '0')
                  || '.' || lpad((i % 10000)::text, 4, '0'),
                '94', 'Kampung KB ' || i, '2022-01-01', true, 1, 'bulk',
                -4 + (i % 1000) / 1000.0, 138 + (i % 997) / 1000.0
           FROM generate_series(1, $1::int) AS i`,
        [N],
      );
      await c.ds.query(`ANALYZE ${S()}.kampung_projection`);
      await c.svc.app.listen({ port: 0, host: '127.0.0.1' });
      const address = c.svc.app.getHttpServer().address() as { port: number };
      base = `http://127.0.0.1:${address.port}`;
      repo = c.svc.app.get(KampungLevelsRepository);
    }, 120_000);

    it(`should export all ${N} rows as CSV, reading the cursor only as fast as the client reads`, async () => {
      const counter = countFetches();
      let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
      try {
        const res = await open('csv');
        reader = res.body!.getReader();
        const chunks: Uint8Array[] = [];
        const first = await reader.read();
        chunks.push(first.value!);
        // The client has stopped reading: once the socket buffers are full (their size depends
        // on the machine), the export stops reading the cursor rather than reading everything in.
        const stalledAt = await stalled(counter.rows);
        expect(stalledAt).toBeGreaterThan(0);
        expect(stalledAt).toBeLessThan(N);
        let lines = 0;
        let tail = '';
        const decoder = new TextDecoder();
        const count = (bytes: Uint8Array) => {
          const text = tail + decoder.decode(bytes, { stream: true });
          const parts = text.split('\r\n');
          tail = parts.pop()!;
          lines += parts.length;
          return parts;
        };
        const [header] = count(first.value!);
        expect(header).toBe(HEADERS.join(','));
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          count(value);
        }
        expect(tail).toBe('');
        expect(lines).toBe(N + 1);
        expect(counter.rows()).toBe(N);
      } finally {
        counter.restore();
        // A failed assertion must not leave the export holding its connection for the next test.
        await reader?.cancel().catch(() => undefined);
      }
    }, 120_000);

    it(`should export all ${N} rows as XLSX through the streaming writer, readable by exceljs's streaming reader`, async () => {
      const counter = countFetches();
      let body: Readable | undefined;
      try {
        const res = await open('xlsx');
        body = Readable.fromWeb(res.body as never);
        // Whether a paused client stalls the writer is tested without sockets in
        // kampung-levels.export.spec.ts: zipped, 83,762 rows are small enough to fit in the
        // loopback socket buffers of a fast machine, so here the writer may finish before it waits.
        const reader = new ExcelJS.stream.xlsx.WorkbookReader(body, {
          sharedStrings: 'cache',
          worksheets: 'emit',
          styles: 'ignore',
          hyperlinks: 'ignore',
        });
        let rows = 0;
        let last: unknown[] = [];
        for await (const sheet of reader) {
          for await (const row of sheet) {
            rows++;
            if (rows === 1) expect((row.values as unknown[]).slice(1)).toEqual(HEADERS);
            last = (row.values as unknown[]).slice(1);
          }
        }
        body.destroy();
        expect(rows).toBe(N + 1);
        expect(last[1]).toMatch(/^Kampung KB \d+$/);
        expect(counter.rows()).toBe(N);
      } finally {
        counter.restore();
        body?.destroy();
      }
    }, 180_000);

    it.each(['csv', 'xlsx'])(
      'should close the database cursor and give its connection back when the client goes away midway (%s)',
      async (format) => {
        const abort = new AbortController();
        try {
          const res = await open(format, abort.signal);
          const reader = res.body!.getReader();
          await reader.read();
          await reader.read();
          expect(checkedOut()).toBeGreaterThanOrEqual(1);
          abort.abort();
          await eventually(async () => checkedOut(), {
            until: (n) => n === 0,
            what: 'the export connection back in the pool',
            timeoutMs: 10000,
          });
        } finally {
          abort.abort();
        }
      },
      60_000,
    );
  });

  describe('recompute jobs', () => {
    it('should list jobs newest first with their progress, page by cursor, filter by status, for national officers only', async () => {
      const jobs = Array.from({ length: 7 }, (_, i) => ({
        id: randomUUID(),
        status: i % 3 === 0 ? 'running' : 'done',
        // Two pairs with the same start: the id breaks the tie.
        createdAt: [
          '2025-01-01T00:00:00Z',
          '2025-01-01T00:00:00Z',
          '2025-02-01T00:00:00.000001Z',
          '2025-02-01T00:00:00.000001Z',
          '2025-03-01T00:00:00Z',
          '2025-04-01T00:00:00Z',
          '2025-05-01T00:00:00Z',
        ][i],
        processed: i * 10,
      }));
      await c.ds.query(
        `INSERT INTO ${S()}.recompute_job (id, rule_set_version, status, total, processed, changed, created_at, finished_at)
         SELECT id, 1, st, 100, p, 1, t, CASE WHEN st = 'done' THEN t + interval '1 hour' END
           FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::int[]) AS x(id, st, t, p)`,
        [
          jobs.map((j) => j.id),
          jobs.map((j) => j.status),
          jobs.map((j) => j.createdAt),
          jobs.map((j) => j.processed),
        ],
      );
      const expected = [...jobs]
        .sort((a, b) =>
          a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
        )
        .map((j) => j.id);
      const { items, pages } = await allPages('/api/v1/recompute-jobs?limit=2');
      expect(pages).toBe(4);
      expect(items.map((j) => j.id)).toEqual(expected);
      const third = jobs[3];
      expect(items.find((j) => j.id === third.id)).toEqual({
        id: third.id,
        ruleSetVersion: 1,
        status: 'running',
        cursor: null,
        total: 100,
        processed: 30,
        changed: 1,
        createdAt: '2025-02-01T00:00:00.000Z',
        finishedAt: null,
        error: null,
      });
      const running = await allPages('/api/v1/recompute-jobs?status=running&limit=1');
      expect(running.items.map((j) => j.id)).toEqual(
        expected.filter((id) => jobs.find((j) => j.id === id)!.status === 'running'),
      );
      expect((await get('/api/v1/recompute-jobs', run.token(Role.province, '16'))).status).toBe(403);
      expect((await get('/api/v1/recompute-jobs?status=failed')).status).toBe(400);
      const bad = Buffer.from(JSON.stringify(['yesterday', randomUUID()])).toString('base64url');
      expect((await get(`/api/v1/recompute-jobs?cursor=${bad}`)).status).toBe(400);
    });
  });

  describe('OpenAPI', () => {
    let doc: Json;
    let ajv: Ajv;

    /** OpenAPI 3.0 to JSON Schema, strict: nullable as a null alternative, no undeclared properties. */
    const toJsonSchema = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(toJsonSchema);
      if (!node || typeof node !== 'object') return node;
      const { nullable, discriminator: _d, example: _e, ...rest } = node as Json;
      const out: Json = {};
      for (const [k, v] of Object.entries(rest)) {
        out[k] =
          k === '$ref' ? (v as string).replace('#/components/schemas/', '#/definitions/') : toJsonSchema(v);
      }
      if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
      return nullable ? { anyOf: [{ type: 'null' }, out] } : out;
    };
    const responseSchema = (path: string, method: string, status: string) =>
      doc.paths[path]?.[method]?.responses?.[status]?.content?.['application/json']?.schema as
        Json | undefined;
    const expectValid = (path: string, method: string, status: number, body: unknown) => {
      const schema = responseSchema(path, method, String(status));
      expect({ path, schema: schema !== undefined }).toEqual({ path, schema: true });
      const validate = ajv.compile({
        ...(toJsonSchema(schema) as Json),
        definitions: toJsonSchema(doc.components.schemas),
      });
      const ok = validate(body);
      expect({ path, errors: ok ? [] : validate.errors }).toEqual({ path, errors: [] });
    };

    beforeAll(async () => {
      doc = (await get('/docs-json')).body;
      ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    });

    it('should give every success response of the service a named schema (the export a file)', () => {
      const missing: string[] = [];
      for (const [path, ops] of Object.entries(doc.paths as Json)) {
        if (!path.startsWith('/api/v1/') || path.startsWith('/api/v1/projections/')) continue;
        for (const [method, op] of Object.entries(ops as Json)) {
          const ok = Object.entries((op as Json).responses as Json).filter(([code]) => /^2/.test(code));
          if (!ok.length) missing.push(`${method} ${path}: no success response`);
          for (const [code, res] of ok) {
            const content = (res as Json).content as Json | undefined;
            const schema = content?.['application/json']?.schema as Json | undefined;
            const named = schema?.$ref ?? schema?.items?.$ref;
            const file = path.endsWith('/export') && content?.['text/csv']?.schema?.format === 'binary';
            if (!named && !file) missing.push(`${method} ${path} ${code}`);
          }
        }
      }
      expect(missing).toEqual([]);
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/api/v1/kampung-levels',
          '/api/v1/kampung-levels/points',
          '/api/v1/kampung-levels/export',
          '/api/v1/recompute-jobs',
        ]),
      );
    });

    it('should describe exactly what each endpoint returns', async () => {
      const check = async (path: string, url: string, token = run.token()) => {
        const r = await get(url, token);
        expect({ url, status: r.status }).toEqual({ url, status: 200 });
        expectValid(path, 'get', 200, r.body);
        return r.body;
      };
      await check('/api/v1/kampung-levels', '/api/v1/kampung-levels?region=16');
      await check('/api/v1/kampung-levels', '/api/v1/kampung-levels?region=17&limit=3');
      await check('/api/v1/kampung-levels/points', '/api/v1/kampung-levels/points?region=16');
      await check('/api/v1/levels', '/api/v1/levels?region=16&breakdown=true');
      await check('/api/v1/levels', '/api/v1/levels');
      await check('/api/v1/levels/history', '/api/v1/levels/history?region=16&from=2025-01&to=2025-12');
      const assessed = await check(
        '/api/v1/kampung/{id}/classification',
        `/api/v1/kampung/${seroja}/classification`,
      );
      expect(assessed.lift).toBeDefined();
      await check('/api/v1/kampung/{id}/classification', `/api/v1/kampung/${mawar}/classification`);
      await check(
        '/api/v1/kampung/{id}/classification/history',
        `/api/v1/kampung/${seroja}/classification/history`,
      );
      await check('/api/v1/rule-sets', '/api/v1/rule-sets');
      const v1 = await check('/api/v1/rule-sets/{version}', '/api/v1/rule-sets/1');

      const created = await c.svc.request({
        method: 'POST',
        url: '/api/v1/rule-sets',
        payload: { name: 'Aturan 2025 (uji)', definition: v1.definition },
      });
      expect(created.statusCode).toBe(201);
      expectValid('/api/v1/rule-sets', 'post', 201, created.json());
      const version = (created.json() as Json).version;
      const published = await c.svc.request({ method: 'POST', url: `/api/v1/rule-sets/${version}/publish` });
      expect(published.statusCode).toBe(202);
      expectValid('/api/v1/rule-sets/{version}/publish', 'post', 202, published.json());
      const job = published.json() as Json;
      await check('/api/v1/recompute-jobs/{id}', `/api/v1/recompute-jobs/${job.id}`);
      const jobs = await check('/api/v1/recompute-jobs', '/api/v1/recompute-jobs');
      expect(jobs.items[0].id).toBe(job.id);
    });
  });
});
