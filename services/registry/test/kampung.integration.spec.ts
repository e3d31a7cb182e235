import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Role, startTestService, TestRun, type TestService } from '@kkb/testing';
import { KampungController } from '../src/kampung/kampung.controller';
import { registryService } from '../src/service';

describe(KampungController.name, () => {
  const run = new TestRun();
  let registry: TestService;
  let ds: DataSource;
  const schema = run.schema('registry');

  const counts = async () => {
    const [k] = await ds.query(`SELECT count(*)::int AS n FROM "${schema}".kampung`);
    const [o] = await ds.query(`SELECT count(*)::int AS n FROM "${schema}".outbox`);
    return { kampung: k.n, outbox: o.n };
  };

  beforeAll(async () => {
    registry = await startTestService(run, registryService);
    ds = registry.app.get<DataSource>(getDataSourceToken());
  });

  afterAll(async () => {
    await registry?.close();
    await run.cleanup();
  });

  const seroja = {
    villageCode: '16.10.05.2041',
    name: 'Kampung KB Seroja',
    launchDate: '2022-03-14',
    modelProvince: true,
  };

  it('should register a kampung and commit its event in the outbox with it', async () => {
    const res = await registry.request({
      method: 'POST',
      url: '/api/v1/kampung',
      payload: seroja,
      token: run.token(Role.province, '16'),
    });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { id: string; version: number };
    expect(body.version).toBe(1);
    const [row] = await ds.query(
      `SELECT type, subject, payload FROM "${schema}".outbox WHERE payload->'data'->>'kampungId' = $1`,
      [body.id],
    );
    expect(row.type).toBe('kkb.registry.kampung.registered.v1');
    expect(row.subject).toBe(`${run.subjectRoot}.registry.kampung.registered.v1.16`);
    expect(row.payload.province).toBe('16');
    expect(row.payload.correlationid).toBe(res.headers['x-correlation-id']);

    const get = await registry.request({
      method: 'GET',
      url: `/api/v1/kampung/${body.id}`,
      token: run.token(Role.regency, '1610'),
    });
    expect(get.statusCode).toBe(200);
    expect((get.json() as { name: string }).name).toBe('Kampung KB Seroja');
  });

  it('should carry the caller correlation id into the event', async () => {
    const res = await registry.request({
      method: 'POST',
      url: '/api/v1/kampung',
      payload: { ...seroja, villageCode: '16.10.05.2001', modelProvince: false },
      headers: { 'x-correlation-id': 'field-device-42' },
    });
    expect(res.statusCode).toBe(201);
    const [row] = await ds.query(
      `SELECT payload FROM "${schema}".outbox WHERE payload->'data'->>'villageCode' = '16.10.05.2001'`,
    );
    expect(row.payload.correlationid).toBe('field-device-42');
  });

  it.each([
    ['a malformed village code', { ...seroja, villageCode: '16.10.05' }, 'villageCode'],
    ['a missing name', { ...seroja, name: undefined }, 'name'],
    ['a future launch date', { ...seroja, launchDate: '2999-01-01' }, 'launchDate'],
    ['an unknown field', { ...seroja, colour: 'red' }, 'colour'],
    ['a non-boolean model flag', { ...seroja, modelRegency: 'yes' }, 'modelRegency'],
  ])('should refuse %s with a problem naming the field and write nothing', async (_what, payload, field) => {
    const before = await counts();
    const res = await registry.request({
      method: 'POST',
      url: '/api/v1/kampung',
      payload: {
        ...payload,
        villageCode: payload.villageCode === seroja.villageCode ? '16.10.05.2999' : payload.villageCode,
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json() as { status: number; errors: { field: string; reason: string }[] };
    expect(problem.status).toBe(400);
    expect(problem.errors.map((e) => e.field)).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it('should refuse a second active kampung in one village with 409 and write nothing', async () => {
    const before = await counts();
    const res = await registry.request({
      method: 'POST',
      url: '/api/v1/kampung',
      payload: { ...seroja, name: 'Kampung KB Kedua', modelProvince: false },
    });
    expect(res.statusCode).toBe(409);
    expect((res.json() as { errors: { field: string }[] }).errors[0].field).toBe('villageCode');
    expect(await counts()).toEqual(before);
  });

  it('should answer a body that is not JSON with a 400 problem', async () => {
    const res = await registry.request({
      method: 'POST',
      url: '/api/v1/kampung',
      payload: '{"villageCode": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((res.json() as { detail: string }).detail).toMatch(/JSON/);
  });

  it('should answer an oversized body with 413 and an unsupported content type with 415', async () => {
    const big = await registry.request({
      method: 'POST',
      url: '/api/v1/kampung',
      payload: { ...seroja, description: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect(big.statusCode).toBe(413);
    expect(big.headers['content-type']).toMatch(/^application\/problem\+json/);
    const xml = await registry.request({
      method: 'POST',
      url: '/api/v1/kampung',
      payload: '<kampung/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(xml.statusCode).toBe(415);
    expect(xml.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('should keep officers inside their region and integrators read-only', async () => {
    const other = { ...seroja, villageCode: '18.01.01.2001', modelProvince: false };
    const outside = await registry.request({
      method: 'POST',
      url: '/api/v1/kampung',
      payload: other,
      token: run.token(Role.province, '16'),
    });
    expect(outside.statusCode).toBe(403);
    const integrator = await registry.request({
      method: 'POST',
      url: '/api/v1/kampung',
      payload: other,
      token: run.token(Role.integrator, ''),
    });
    expect(integrator.statusCode).toBe(403);
    const anonymous = await registry.app.inject({ method: 'POST', url: '/api/v1/kampung', payload: other });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('should answer 404 as a problem for an unknown kampung and 400 for a malformed id', async () => {
    const missing = await registry.request({
      method: 'GET',
      url: '/api/v1/kampung/3f0c2a8e-2a51-4c1e-9a57-7d1f0b0b9c11',
    });
    expect(missing.statusCode).toBe(404);
    const bad = await registry.request({ method: 'GET', url: '/api/v1/kampung/not-a-uuid' });
    expect(bad.statusCode).toBe(400);
  });

  it('should serve health, metrics and OpenAPI without a token', async () => {
    const live = await registry.app.inject({ method: 'GET', url: '/health/live' });
    expect(live.statusCode).toBe(200);
    const ready = await registry.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, nats: { status: 'up' } },
    });
    const metrics = await registry.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/http_request_duration_seconds_bucket/);
    expect(metrics.body).toMatch(/kkb_outbox_backlog/);
    const docs = await registry.app.inject({ method: 'GET', url: '/docs-json' });
    expect(docs.statusCode).toBe(200);
    expect(Object.keys((docs.json() as { paths: object }).paths)).toContain('/api/v1/kampung');
  });
});
