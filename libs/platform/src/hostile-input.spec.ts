import { Body, Controller, Get, Module, Param, Post, Query, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsArray, IsObject, IsOptional, IsString } from 'class-validator';
import { findUnstorableInput, frameworkErrors, installInputGuard, MAX_JSON_DEPTH } from './hostile-input';
import { ProblemFilter } from './problem.filter';
import { createValidationPipe } from './validation';

const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

describe('findUnstorableInput', () => {
  it('should pass ordinary values, well-formed astral characters and exactly the allowed depth', () => {
    const ok = { name: 'Kampung 😀 Sejahtera', n: 1, flag: true, none: null, list: [{ a: 'x' }] };
    expect(findUnstorableInput(ok, 'body')).toEqual([]);
    expect(findUnstorableInput(JSON.parse(nested(MAX_JSON_DEPTH)), 'body')).toEqual([]);
    expect(findUnstorableInput(undefined, 'body')).toEqual([]);
  });

  it('should name the field of a NUL character or a lone surrogate, in values and property names', () => {
    const body = { a: { b: ['ok', 'x\u0000y'] }, c: '\ud800', d: { 'k\u0000': 1 }, e: 'tail\udfff' };
    expect(findUnstorableInput(body, 'body')).toEqual([
      { field: 'a.b.1', reason: expect.stringContaining('NUL character') },
      { field: 'c', reason: expect.stringContaining('lone UTF-16 surrogate') },
      { field: 'd', reason: expect.stringContaining('property name contains a NUL') },
      { field: 'e', reason: expect.stringContaining('lone UTF-16 surrogate') },
    ]);
    expect(findUnstorableInput('\u0000', 'body')).toEqual([
      { field: 'body', reason: expect.stringContaining('NUL') },
    ]);
    expect(findUnstorableInput({ region: ['16', '1\u00006'] }, 'query')).toEqual([
      { field: 'region.1', reason: expect.stringContaining('NUL') },
    ]);
  });

  it('should refuse nesting one level past the bound, without recursion, at any depth', () => {
    expect(findUnstorableInput(JSON.parse(nested(MAX_JSON_DEPTH + 1)), 'body')).toEqual([
      {
        field: `${'0.'.repeat(MAX_JSON_DEPTH - 1)}0`,
        reason: `nested more than ${MAX_JSON_DEPTH} levels deep`,
      },
    ]);
    const deep = JSON.parse(`{"answers":${nested(200_000)}}`);
    const started = Date.now();
    const [error] = findUnstorableInput(deep, 'body');
    expect(Date.now() - started).toBeLessThan(500);
    expect(error.field.startsWith('answers.0.0.')).toBe(true);
    expect(error.field.length).toBeLessThanOrEqual(129);
  });

  it('should cut long client keys in field names and stop after 20 fields', () => {
    const [long] = findUnstorableInput({ ['k'.repeat(5000)]: '\u0000' }, 'body');
    expect(long.field).toBe(`${'k'.repeat(64)}…`);
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`f${i}`, '\u0000']));
    expect(findUnstorableInput(many, 'body')).toHaveLength(20);
  });

  it('should leave raw bodies and streams to their own parsers', () => {
    expect(findUnstorableInput(Buffer.from('a\u0000b'), 'body')).toEqual([]);
    expect(findUnstorableInput({ pipe: () => undefined, on: () => undefined }, 'body')).toEqual([]);
  });
});

class ThingDto {
  @IsString()
  name!: string;

  @IsOptional()
  @IsArray()
  tags?: unknown[];

  @IsOptional()
  @IsObject()
  extra?: Record<string, unknown>;
}

@Controller('things')
class ThingController {
  @Get(':code')
  get(@Param('code') code: string, @Query('q') q?: string): { code: string; q?: string } {
    return { code, q };
  }

  @Post()
  create(@Body() dto: ThingDto): { name: string } {
    return { name: dto.name };
  }
}

describe('the input guard and router errors on a Nest fastify app', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    @Module({ controllers: [ThingController] })
    class TestModule {}
    const adapter = new FastifyAdapter({ frameworkErrors: frameworkErrors(100) });
    app = await NestFactory.create<NestFastifyApplication>(TestModule as Type, adapter, { logger: false });
    app.useGlobalFilters(new ProblemFilter());
    app.useGlobalPipes(createValidationPipe());
    installInputGuard(app.getHttpAdapter().getInstance());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  const post = (payload: string) =>
    app.inject({ method: 'POST', url: '/things', payload, headers: { 'content-type': 'application/json' } });

  it('should answer a 20,000-deep array under the body limit with a 400 naming the field, quickly', async () => {
    const started = Date.now();
    const res = await post(`{"name":"a","tags":${nested(20_000)}}`);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem.errors).toHaveLength(1);
    expect(problem.errors[0].field).toMatch(/^tags\.0\.0/);
    expect(problem.errors[0].reason).toBe(`nested more than ${MAX_JSON_DEPTH} levels deep`);
  });

  it('should refuse NUL and lone surrogates in body, query and path with a 400 naming the field', async () => {
    const body = await post(JSON.stringify({ name: 'a\u0000', extra: { note: '\ud800' } }));
    expect(body.statusCode).toBe(400);
    expect(body.json().errors.map((e: { field: string }) => e.field)).toEqual(['name', 'extra.note']);

    const query = await app.inject({ method: 'GET', url: '/things/abc?q=x%00y' });
    expect(query.statusCode).toBe(400);
    expect(query.json().errors).toEqual([{ field: 'q', reason: expect.stringContaining('NUL') }]);

    const path = await app.inject({ method: 'GET', url: '/things/ab%00c' });
    expect(path.statusCode).toBe(400);
    expect(path.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(path.json().errors).toEqual([{ field: 'code', reason: expect.stringContaining('NUL') }]);
  });

  it('should still serve ordinary requests', async () => {
    expect((await post(JSON.stringify({ name: 'ok 😀', tags: [[['x']]] }))).json()).toEqual({
      name: 'ok 😀',
    });
    expect((await app.inject({ method: 'GET', url: '/things/abc?q=1' })).json()).toEqual({
      code: 'abc',
      q: '1',
    });
  });

  it('should answer an over-long path parameter with a 414 problem that does not echo the path', async () => {
    const secret = 'x'.repeat(300);
    const res = await app.inject({ method: 'GET', url: `/things/${secret}` });
    expect(res.statusCode).toBe(414);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).not.toContain('xxxxxxxxxx');
    expect(res.json()).toMatchObject({
      status: 414,
      title: 'URI too long',
      errors: [{ field: 'path', reason: 'a path parameter is longer than 100 characters' }],
    });
  });

  it('should answer a URL that cannot be decoded with a 400 problem that does not echo it', async () => {
    const res = await app.inject({ method: 'GET', url: '/things/%E0%A4%Asecret' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).not.toContain('secret');
    expect(res.json().errors).toEqual([{ field: 'path', reason: expect.any(String) }]);
  });
});
