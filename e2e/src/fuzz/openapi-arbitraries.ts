// The e2e project is the one place allowed to use several services' code together.
/* eslint-disable @nx/enforce-module-boundaries */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { Role } from '@kkb/testing';
import { profileAnswers, reportAnswers } from '../../../services/survey/test/factories';
import {
  NATIONAL,
  REGIONAL_TOKENS,
  SERVICE_NAMES,
  type FuzzContext,
  type ServiceName,
  type TokenSpec,
} from './fuzz-platform';
import {
  badEncoding,
  deepValue,
  forgedCursor,
  HOSTILE_BODY_TEXTS,
  HOSTILE_CONTENT_TYPES,
  HOSTILE_ETAGS,
  hostileDate,
  hostileId,
  hostileNumber,
  hostileString,
  jsonText,
  overlongString,
  Raw,
  wideValue,
  wrongType,
  type HostileKind,
} from './hostile-values';

// ---------------------------------------------------------------------------------------------
// The OpenAPI documents the console is generated from (apps/console/src/api/openapi/*.json).

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  additionalProperties?: boolean | Schema;
  $ref?: string;
  allOf?: Schema[];
}

interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface OperationObject {
  parameters?: ParameterObject[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
}

interface OpenApiDoc {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, Schema> };
}

/** One route and method of one service, as its OpenAPI document describes it. */
export interface Operation {
  service: ServiceName;
  method: string;
  path: string;
  /** `registry POST /api/v1/kampung`: how findings name the route. */
  key: string;
  params: { name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: Schema }[];
  body?: { type: 'json' | 'csv'; schema: Schema };
}

const OPENAPI_DIR = path.join(__dirname, '../../../apps/console/src/api/openapi');

function resolveSchema(doc: OpenApiDoc, s: Schema | undefined, depth = 0): Schema {
  if (!s || depth > 12) return {};
  if (s.$ref) {
    const name = s.$ref.replace('#/components/schemas/', '');
    return resolveSchema(doc, doc.components?.schemas?.[name], depth + 1);
  }
  let out: Schema = { ...s };
  if (s.allOf) {
    const { allOf, ...rest } = s;
    out = allOf.reduce<Schema>((acc, part) => ({ ...acc, ...resolveSchema(doc, part, depth + 1) }), {});
    out = { ...out, ...rest, type: out.type ?? rest.type };
  }
  if (out.properties) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([k, v]) => [k, resolveSchema(doc, v, depth + 1)]),
    );
  }
  if (out.items) out.items = resolveSchema(doc, out.items, depth + 1);
  return out;
}

/** Every operation of the four services but the probes (`/health/*`). */
export function loadOperations(): Operation[] {
  const ops: Operation[] = [];
  for (const service of SERVICE_NAMES) {
    const doc = JSON.parse(readFileSync(path.join(OPENAPI_DIR, `${service}.json`), 'utf8')) as OpenApiDoc;
    for (const [route, methods] of Object.entries(doc.paths)) {
      if (route.startsWith('/health')) continue;
      for (const [m, o] of Object.entries(methods)) {
        const method = m.toUpperCase();
        const params = (o.parameters ?? [])
          .filter((p): p is ParameterObject & { in: 'path' | 'query' | 'header' } => p.in !== 'cookie')
          .map((p) => ({
            name: p.name,
            in: p.in,
            required: p.required ?? false,
            schema: resolveSchema(doc, p.schema),
          }));
        const content = o.requestBody?.content ?? {};
        const body = content['application/json']
          ? { type: 'json' as const, schema: resolveSchema(doc, content['application/json'].schema) }
          : content['text/csv']
            ? { type: 'csv' as const, schema: {} }
            : undefined;
        ops.push({ service, method, path: route, key: `${service} ${method} ${route}`, params, body });
      }
    }
  }
  return ops;
}

// ---------------------------------------------------------------------------------------------
// Values that exist only at run time (ids of kampung registered so far...): a Ref names one.

export type Pool =
  | 'kampung'
  | 'kampung16'
  | 'kampungSpare'
  | 'freeVillage'
  | 'submission'
  | 'subscription'
  | 'delivery'
  | 'deliverySubscription'
  | 'inboxItem'
  | 'ruleSet'
  | 'import'
  | 'recomputeJob'
  | 'instrument';

/** The index-th value of a pool of the running platform (modulo its size), optionally upper-cased. */
export class Ref {
  constructor(
    readonly pool: Pool,
    readonly index: number,
    readonly upper = false,
  ) {}
  toJSON(): string {
    return `«${this.pool}[${this.index}]${this.upper ? '.toUpperCase()' : ''}»`;
  }
}

/**
 * A new UUID made when the request is sent: a client-made id (submission ids) must be fresh, and
 * fast-check's own UUIDs are biased to a few values (which a retry of another body would hit).
 */
export class FreshId {
  toJSON(): string {
    return '«new uuid»';
  }
}

/** If-Match: the current ETag of the kampung the request is about. */
export class CurrentEtag {
  toJSON(): string {
    return '«current ETag»';
  }
}

/** A CSV upload: rows of cells (strings, numbers, Refs, or Raw text written as it is). */
export class CsvBody {
  constructor(readonly rows: unknown[][]) {}
}

/** An id that no pool holds: what a Ref to an empty pool resolves to. */
export const UNKNOWN_ID = '7e57f00d-0000-4000-8000-000000000000';

export function poolValues(ctx: FuzzContext, pool: Pool): string[] {
  switch (pool) {
    case 'kampung':
      return ctx.kampung.map((k) => k.id);
    case 'kampung16':
      return ctx.kampung16.map((k) => k.id);
    case 'kampungSpare':
      return ctx.kampung.slice(2).map((k) => k.id);
    case 'freeVillage':
      return ctx.freeVillages;
    case 'submission':
      return ctx.submissions;
    case 'subscription':
      return ctx.subscriptions;
    case 'delivery':
      return ctx.deliveries.map((d) => d.id);
    case 'deliverySubscription':
      return ctx.deliveries.map((d) => d.subscriptionId);
    case 'inboxItem':
      return ctx.inboxItems;
    case 'ruleSet':
      return ctx.ruleSetVersions.map(String);
    case 'import':
      return ctx.imports;
    case 'recomputeJob':
      return ctx.recomputeJobs;
    case 'instrument':
      return ctx.instruments.map((i) => i.code);
  }
}

export function resolveRef(ref: Ref, ctx: FuzzContext): string {
  const values = poolValues(ctx, ref.pool);
  const v = values.length ? values[ref.index % values.length] : UNKNOWN_ID;
  return ref.upper ? v.toUpperCase() : v;
}

// ---------------------------------------------------------------------------------------------
// Requests: a valid base, then hostile mutations.

/** Where a mutation went and what kind of value it put there. */
export interface MutationNote {
  where: 'path' | 'query' | 'header' | 'body' | 'token';
  /** Path param or query name, header name, or dotted body path ('' = the whole body). */
  field: string;
  kind: HostileKind;
}

export interface FuzzRequest {
  opKey: string;
  as: TokenSpec;
  pathParams: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  /** JSON body (with Ref and Raw inside), a CSV body, or undefined for none. */
  body?: unknown;
  /** A body sent as this text instead of `body`. */
  bodyText?: string;
  contentType?: string;
  mutations: MutationNote[];
}

interface Base {
  pathParams: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  body?: unknown;
}

const MISSING = Symbol('missing');

interface Mutation {
  where: MutationNote['where'];
  field: string;
  kind: HostileKind;
  value: unknown;
  /** For raw-body and content-type mutations. */
  bodyText?: string;
  contentType?: string;
  as?: TokenSpec;
}

const ALL_TOKENS: readonly TokenSpec[] = [NATIONAL, ...REGIONAL_TOKENS];

/** The role a valid request of an operation is sent as (national unless the route needs another). */
export function validTokenOf(op: Operation): TokenSpec {
  const officer = { role: Role.field_officer, scope: '16' };
  const verifier = { role: Role.verifier, scope: '16' };
  if (op.service === 'survey') {
    if (op.method === 'POST' && op.path === '/api/v1/submissions') return officer;
    if (op.method === 'POST' && op.path === '/api/v1/imports') return officer;
    if (/\/submissions\/\{id\}\/(verify|reject)$/.test(op.path)) return verifier;
  }
  return NATIONAL;
}

const isDateName = (name: string) => /date|time|At$|^from$|^to$/i.test(name);
const isIdName = (name: string) => /(^id$|Id$)/.test(name);

function exampleOf(s: Schema, name: string, depth = 0): unknown {
  if (s.example !== undefined && !(s.type === 'object' && typeof s.example !== 'object')) return s.example;
  if (s.enum?.length) return s.enum[0];
  if (s.default !== undefined) return s.default;
  switch (s.type) {
    case 'number':
    case 'integer':
      return s.minimum ?? 1;
    case 'boolean':
      return false;
    case 'array':
      return depth > 6 ? [] : [exampleOf(s.items ?? {}, name, depth + 1)];
    case 'string':
      return isDateName(name) ? '2025-03-01' : 'Kampung KB';
    default:
      if (s.properties && depth <= 6) {
        return Object.fromEntries(
          Object.entries(s.properties).map(([k, v]) => [k, exampleOf(v, k, depth + 1)]),
        );
      }
      return s.type === 'object' ? {} : 'Kampung KB';
  }
}

/** A valid value of a path parameter: a Ref into the pool the route names, else its example. */
function validPathParam(op: Operation, name: string, i: number, ctx: FuzzContext): unknown {
  const p = op.path;
  if (name === 'deliveryId') return new Ref('delivery', i);
  if (p.startsWith('/api/v1/subscriptions/{id}/deliveries')) return new Ref('deliverySubscription', i);
  if (p.startsWith('/api/v1/subscriptions/')) return new Ref('subscription', i);
  if (p.startsWith('/api/v1/inbox/')) return new Ref('inboxItem', i);
  if (p.startsWith('/api/v1/submissions/')) return new Ref('submission', i);
  if (p.startsWith('/api/v1/imports/')) return new Ref('import', i);
  if (p.startsWith('/api/v1/instruments/')) return name === 'version' ? '1' : new Ref('instrument', i);
  if (p.startsWith('/api/v1/rule-sets/')) return new Ref('ruleSet', i);
  if (p.startsWith('/api/v1/recompute-jobs/')) return new Ref('recomputeJob', i);
  if (p.startsWith('/api/v1/regions/')) return ctx.regionCodes[i % ctx.regionCodes.length];
  // Deactivating and merging spare the two seeded kampung of 16, which submissions need active.
  if (/\/kampung\/\{id\}\/(deactivate|reactivate|merge)$/.test(p)) return new Ref('kampungSpare', i);
  if (p.includes('/kampung/')) return new Ref('kampung', i);
  return 'x';
}

/** Valid query values by parameter name, where the document's example or enum is not enough. */
function validQueryValue(op: Operation, name: string, s: Schema, i: number): unknown {
  switch (name) {
    case 'region':
    case 'within':
      return ['16', '16.10', '1610', '16.10.05.2041'][i % 4];
    case 'kampungId':
      return new Ref('kampung', i);
    case 'limit':
      return String([1, 5, 50][i % 3]);
    case 'instrumentCode':
    case 'instrument':
      return 'monthly-report';
    case 'instrumentVersion':
      return '1';
    case 'type':
      return 'kkb.registry.kampung.registered.v1';
    case 'q':
      return ['sembadak', 'seroja', 'KB'][i % 3];
    case 'from':
      return '2025-01';
    case 'to':
      return '2025-12';
    case 'year':
      return '2025';
    case 'month':
      return String(1 + (i % 12));
    case 'after':
    case 'offset':
      return '0';
  }
  if (s.enum?.length) return String(s.enum[i % s.enum.length]);
  if (s.type === 'boolean') return i % 2 ? 'true' : 'false';
  const ex = exampleOf(s, name);
  return String(ex);
}

function submissionBody(i: number, kind: 'profile' | 'report', month: number): Record<string, unknown> {
  return {
    id: new FreshId(),
    kampungId: new Ref('kampung16', i),
    instrumentCode: kind === 'profile' ? 'kampung-profile' : 'monthly-report',
    instrumentVersion: 1,
    period: { year: 2025, month },
    answers: kind === 'profile' ? { ...profileAnswers() } : { ...reportAnswers() },
  };
}

/** The valid base of an operation: enough to pass validation and reach the service's logic. */
function validBase(op: Operation, ctx: FuzzContext): fc.Arbitrary<Base> {
  return fc
    .record({
      i: fc.nat(1000),
      month: fc.integer({ min: 1, max: 12 }),
      kind: fc.constantFrom('report' as const, 'profile' as const),
      optional: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    })
    .map(({ i, month, kind, optional }) => {
      const pathParams: Record<string, unknown> = {};
      const query: Record<string, unknown> = {};
      const headers: Record<string, unknown> = {};
      op.params.forEach((p, n) => {
        if (p.in === 'path') pathParams[p.name] = validPathParam(op, p.name, i, ctx);
        else if (p.in === 'query' && (p.required || optional[n % optional.length]) && !isCursorParam(p))
          query[p.name] = validQueryValue(op, p.name, p.schema, i + n);
        else if (p.in === 'header' && p.name.toLowerCase() === 'if-match')
          headers['if-match'] = new CurrentEtag();
      });
      let body: unknown;
      if (op.body?.type === 'csv') {
        const answers = reportAnswers() as Record<string, unknown>;
        const questions = Object.keys(answers);
        body = new CsvBody([
          ['submission_id', 'kampung_id', 'year', 'month', ...questions],
          [new FreshId(), new Ref('kampung16', i), 2025, month, ...questions.map((q) => answers[q])],
        ]);
      } else if (op.body) {
        body = exampleOf(op.body.schema, '');
        body = overrideBody(op, body as Record<string, unknown>, { i, month, kind, ctx });
      }
      return { pathParams, query, headers, ...(body === undefined ? {} : { body }) };
    });
}

function overrideBody(
  op: Operation,
  body: Record<string, unknown>,
  v: { i: number; month: number; kind: 'profile' | 'report'; ctx: FuzzContext },
): unknown {
  const { ctx, i } = v;
  switch (`${op.method} ${op.path}`) {
    case 'POST /api/v1/kampung':
      return { ...body, villageCode: new Ref('freeVillage', i), modelProvince: false, modelRegency: false };
    case 'PATCH /api/v1/kampung/{id}':
      return { ...body, modelProvince: false, modelRegency: false };
    case 'POST /api/v1/kampung/{id}/merge':
      return { ...body, survivorId: new Ref('kampung', i + 1) };
    case 'POST /api/v1/submissions':
      return submissionBody(i, v.kind, v.month);
    case 'POST /api/v1/instruments/{code}/versions': {
      const instrument = ctx.instruments[i % ctx.instruments.length];
      return { title: `${instrument.code} (fuzz)`, definition: structuredClone(instrument.definition) };
    }
    case 'POST /api/v1/rule-sets':
      return { name: 'Kampung KB classification (fuzz)', definition: structuredClone(ctx.ruleSetDefinition) };
    case 'POST /api/v1/subscriptions':
    case 'PATCH /api/v1/subscriptions/{id}':
      return { ...body, url: ctx.receiverUrl, description: 'Dasbor provinsi (fuzz)', region: '16' };
    case 'PUT /api/v1/me/notification-preferences':
      return { digest: false, email: 'siti.aminah@bkkbn.example' };
    default:
      return body;
  }
}

/** Dotted paths of every container and leaf of a value (arrays by their first item), to depth 5. */
function valuePaths(v: unknown, prefix = '', depth = 0, out: string[] = []): string[] {
  if (depth > 5 || v instanceof Ref || v instanceof Raw || v === null || typeof v !== 'object') return out;
  const entries: [string, unknown][] = Array.isArray(v) ? (v.length ? [['0', v[0]]] : []) : Object.entries(v);
  for (const [k, child] of entries) {
    const p = prefix ? `${prefix}.${k}` : k;
    out.push(p);
    valuePaths(child, p, depth + 1, out);
  }
  return out;
}

function schemaPaths(s: Schema, prefix = '', depth = 0, out: string[] = []): string[] {
  if (depth > 4) return out;
  for (const [k, child] of Object.entries(s.properties ?? {})) {
    const p = prefix ? `${prefix}.${k}` : k;
    out.push(p);
    schemaPaths(child, p, depth + 1, out);
    if (child.items) schemaPaths(child.items, `${p}.0`, depth + 1, out);
  }
  return out;
}

function valueAt(v: unknown, dotted: string): unknown {
  let cur = v;
  for (const k of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object' || cur instanceof Ref || cur instanceof Raw) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

type Weighted = { weight: number; arbitrary: fc.Arbitrary<{ kind: HostileKind; value: unknown }> };

const as = (kind: HostileKind, weight: number, arb: fc.Arbitrary<unknown>): Weighted => ({
  weight,
  arbitrary: arb.map((value) => ({ kind, value })),
});

/** Hostile values for one body field, weighted by what the field holds and what its name says. */
function bodyValue(name: string, sample: unknown): fc.Arbitrary<{ kind: HostileKind; value: unknown }> {
  const type = Array.isArray(sample) ? 'array' : sample === null ? 'null' : typeof sample;
  const options: Weighted[] = [
    as('null', 2, fc.constant(null)),
    as('missing', 2, fc.constant(MISSING)),
    as('wrong-type', 2, wrongType),
    as('number', type === 'number' ? 5 : 1, hostileNumber),
    as('string', type === 'string' ? 4 : 1, hostileString),
    as('overlong', type === 'string' ? 2 : 1, overlongString),
    as('deep', 1, deepValue),
    as('wide', type === 'object' || type === 'array' ? 2 : 1, wideValue),
  ];
  if (type === 'string') options.push(as('empty', 1, fc.constant('')));
  if (isDateName(name)) options.push(as('date', 6, hostileDate));
  if (isIdName(name)) options.push(as('id', 5, hostileId));
  return fc.oneof(...options);
}

function queryValue(p: Operation['params'][number]): fc.Arbitrary<{ kind: HostileKind; value: unknown }> {
  const options: Weighted[] = [
    as('number', p.schema.type === 'number' ? 5 : 1, hostileNumber),
    as('string', 3, hostileString),
    as('empty', 1, fc.constant('')),
    as('overlong', 1, overlongString),
    as('param-array', 1, fc.constantFrom<unknown>(['1', '2'], ['16', '18'], ['true', 'false'], ['', ''])),
    as('bad-encoding', 1, badEncoding),
  ];
  if (p.required) options.push(as('missing', 2, fc.constant(MISSING)));
  if (isDateName(p.name)) options.push(as('date', 6, hostileDate));
  if (isIdName(p.name)) options.push(as('id', 5, hostileId));
  if (isCursorParam(p)) options.push(as('cursor', 12, forgedCursor));
  return fc.oneof(...options);
}

/**
 * An opaque paging cursor the API issued: `cursor`, or the event feed's string `after` (the
 * dead-letter list's `after` is a plain sequence number). No valid one can be made up, so the
 * base request leaves it out and the mutations forge it.
 */
function isCursorParam(p: { name: string; schema?: unknown }): boolean {
  return (
    p.name === 'cursor' ||
    (p.name === 'after' && (p.schema as { type?: string } | undefined)?.type === 'string')
  );
}

function pathValue(): fc.Arbitrary<{ kind: HostileKind; value: unknown }> {
  return fc.oneof(
    as('id', 5, hostileId),
    as('number', 2, hostileNumber),
    as('string', 3, hostileString),
    as('overlong', 1, overlongString),
    as('bad-encoding', 2, badEncoding),
    as('date', 1, hostileDate),
  );
}

/** Every way an operation can be made hostile, one mutation at a time. */
function mutationArbitrary(op: Operation, template: Base): fc.Arbitrary<Mutation> {
  const options: fc.Arbitrary<Mutation>[] = [];
  for (const p of op.params) {
    if (p.in === 'path') {
      options.push(pathValue().map((m) => ({ where: 'path', field: p.name, ...m })));
      options.push(fc.constant<Mutation>({ where: 'path', field: p.name, kind: 'id', value: 'upper' }));
    } else if (p.in === 'query') {
      options.push(queryValue(p).map((m) => ({ where: 'query', field: p.name, ...m })));
    } else if (p.name.toLowerCase() === 'if-match') {
      options.push(
        fc
          .oneof(
            as('if-match', 4, fc.constantFrom(...HOSTILE_ETAGS)),
            as('missing', 1, fc.constant(MISSING)),
            as('string', 1, hostileString),
          )
          .map((m) => ({ where: 'header', field: 'if-match', ...m })),
      );
    }
  }
  if (op.body?.type === 'json') {
    const paths = [...new Set([...valuePaths(template.body), ...schemaPaths(op.body.schema)])].sort();
    for (const field of paths) {
      const name = field.split('.').pop() ?? field;
      options.push(
        bodyValue(name, valueAt(template.body, field)).map((m) => ({ where: 'body', field, ...m })),
      );
    }
    options.push(
      fc
        .oneof(as('wrong-type', 1, wrongType), as('null', 1, fc.constant(null)), as('deep', 1, deepValue))
        .map((m) => ({ where: 'body', field: '', ...m })),
    );
    options.push(
      fc
        .constantFrom(...HOSTILE_BODY_TEXTS)
        .map((t) => ({ where: 'body', field: '', kind: 'raw-body', value: null, bodyText: t })),
    );
    options.push(
      fc.constant<Mutation>({ where: 'body', field: '', kind: 'raw-body', value: 'duplicate-keys' }),
    );
    options.push(
      fc.constantFrom(...HOSTILE_CONTENT_TYPES).map((t) => ({
        where: 'header',
        field: 'content-type',
        kind: 'content-type',
        value: null,
        contentType: t,
      })),
    );
  }
  if (op.body?.type === 'csv') options.push(csvMutation());
  options.push(
    fc
      .constantFrom(...ALL_TOKENS)
      .map((t) => ({ where: 'token', field: 'authorization', kind: 'token', value: null, as: t })),
  );
  return fc.oneof(...options);
}

/** CSV uploads that are wrong in the ways exports from spreadsheets are wrong, and worse. */
function csvMutation(): fc.Arbitrary<Mutation> {
  const cell = fc.oneof(hostileString, hostileNumber, hostileDate, hostileId, overlongString);
  return fc.oneof(
    fc
      .tuple(fc.nat(30), cell)
      .map(([col, value]) => ({ where: 'body', field: `csv.1.${col}`, kind: 'csv', value }) as Mutation),
    fc
      .tuple(fc.nat(30), cell)
      .map(([col, value]) => ({ where: 'body', field: `csv.0.${col}`, kind: 'csv', value }) as Mutation),
    fc
      .constantFrom(
        '',
        '\ufeff',
        'kampung_id,year,month\n',
        'a,b\n"unterminated',
        'kampung_id,kampung_id,year,month\nx,x,2025,1',
        'kampung_id,year,month,pus\n\u0000,2025,1,1',
        `kampung_id,year,month,pus\n${'x,'.repeat(5000)}`,
        'kampung_id;year;month\r\n1;2;3',
      )
      .map((t) => ({ where: 'body', field: 'csv', kind: 'csv', value: null, bodyText: t }) as Mutation),
    fc
      .constantFrom(50, 400)
      .map((n) => ({ where: 'body', field: 'csv', kind: 'csv', value: { repeatRows: n } }) as Mutation),
  );
}

function clone(v: unknown): unknown {
  if (
    v === null ||
    typeof v !== 'object' ||
    v instanceof Ref ||
    v instanceof Raw ||
    v instanceof CurrentEtag ||
    v instanceof FreshId
  )
    return v;
  if (v instanceof CsvBody) return new CsvBody(v.rows.map((r) => [...r]));
  if (Array.isArray(v)) return v.map(clone);
  return Object.fromEntries(Object.entries(v).map(([k, c]) => [k, clone(c)]));
}

function setAt(root: unknown, dotted: string, value: unknown): unknown {
  if (dotted === '') return value;
  const keys = dotted.split('.');
  // An earlier mutation may have made the whole body a scalar: a field then goes into a new object.
  const container = root !== null && typeof root === 'object' && !(root instanceof Raw) ? root : {};
  let cur = container as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (next === null || typeof next !== 'object' || next instanceof Ref || next instanceof Raw) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (value === MISSING) {
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else delete cur[last];
  } else cur[last] = value;
  return container;
}

function apply(op: Operation, base: Base, token: TokenSpec, mutations: Mutation[]): FuzzRequest {
  const req: FuzzRequest = {
    opKey: op.key,
    as: token,
    pathParams: clone(base.pathParams) as Record<string, unknown>,
    query: clone(base.query) as Record<string, unknown>,
    headers: clone(base.headers) as Record<string, unknown>,
    ...(base.body === undefined ? {} : { body: clone(base.body) }),
    mutations: [],
  };
  for (const m of mutations) {
    // A later mutation of the same field replaces the earlier one: only the last is named.
    req.mutations = req.mutations.filter((n) => n.where !== m.where || n.field !== m.field);
    req.mutations.push({ where: m.where, field: m.field, kind: m.kind });
    switch (m.where) {
      case 'token':
        req.as = m.as ?? token;
        break;
      case 'path': {
        const current = req.pathParams[m.field];
        req.pathParams[m.field] =
          m.value === 'upper' && current instanceof Ref
            ? new Ref(current.pool, current.index, true)
            : m.value === 'upper'
              ? String(current).toUpperCase()
              : m.value;
        break;
      }
      case 'query':
        if (m.value === MISSING) delete req.query[m.field];
        else req.query[m.field] = m.value;
        break;
      case 'header':
        if (m.contentType !== undefined) req.contentType = m.contentType;
        else if (m.value === MISSING) delete req.headers[m.field];
        else req.headers[m.field] = m.value;
        break;
      case 'body':
        if (m.bodyText !== undefined) req.bodyText = m.bodyText;
        else if (m.kind === 'raw-body' && m.value === 'duplicate-keys') req.bodyText = DUPLICATE_KEYS;
        else if (req.body instanceof CsvBody) {
          if (m.field.startsWith('csv.')) {
            const [, row, col] = m.field.split('.').map(Number);
            const r = req.body.rows[row];
            if (r) r[col % r.length] = m.value;
          } else if (typeof m.value === 'object' && m.value && 'repeatRows' in m.value) {
            const n = (m.value as { repeatRows: number }).repeatRows;
            const row = req.body.rows[1];
            if (row) for (let k = 0; k < n; k++) req.body.rows.push([...row]);
          }
        } else req.body = setAt(req.body ?? {}, m.field, m.value);
        break;
    }
  }
  return req;
}

/** Marks a body whose valid JSON gets every key repeated with null: `{"a":1,"a":null}`. */
const DUPLICATE_KEYS = '\u0001duplicate-keys';

/** Requests for one operation: a valid base (sometimes as it is), most with one hostile mutation. */
export function requestArbitrary(op: Operation, ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const base = validBase(op, ctx);
  const [template] = fc.sample(base, { numRuns: 1, seed: 1 });
  const mutation = mutationArbitrary(op, template);
  const valid = validTokenOf(op);
  const token = fc.oneof(
    { weight: 9, arbitrary: fc.constant(valid) },
    { weight: 2, arbitrary: fc.constantFrom(...ALL_TOKENS) },
  );
  const mutations = fc.oneof(
    { weight: 1, arbitrary: fc.constant<Mutation[]>([]) },
    { weight: 12, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 1 }) },
    { weight: 5, arbitrary: fc.array(mutation, { minLength: 2, maxLength: 4 }) },
  );
  return fc.tuple(base, token, mutations).map(([b, t, ms]) => apply(op, b, t, ms));
}

/** Requests for every operation of the four services. */
export function allRequests(
  ops: Operation[],
  ctx: FuzzContext,
  weightOf: (op: Operation) => number,
): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(...ops.map((op) => ({ weight: weightOf(op), arbitrary: requestArbitrary(op, ctx) })));
}

// ---------------------------------------------------------------------------------------------
// From a FuzzRequest to what app.inject sends.

export interface HttpCall {
  service: ServiceName;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  as: TokenSpec;
}

/** JSON text of a value with Raw inserted verbatim and Refs resolved. */
export function toJsonText(v: unknown, ctx: FuzzContext): string {
  return jsonText(v, (x) =>
    x instanceof Ref
      ? JSON.stringify(resolveRef(x, ctx))
      : x instanceof FreshId
        ? JSON.stringify(randomUUID())
        : undefined,
  );
}

function scalarText(v: unknown, ctx: FuzzContext): string {
  if (v instanceof Ref) return resolveRef(v, ctx);
  if (v instanceof FreshId) return randomUUID();
  if (v instanceof Raw) return v.text;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return toJsonText(v, ctx);
}

function csvText(body: CsvBody, ctx: FuzzContext): string {
  return body.rows
    .map((r) =>
      r
        .map((c) => {
          if (c instanceof Raw) return c.text;
          const t = scalarText(c, ctx);
          return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
        })
        .join(','),
    )
    .join('\n');
}

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) is written as the bytes
 * WTF-8 would give it (`%ED%A0%80`): percent-encoding that does not decode to UTF-8.
 */
export function percentEncode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return Array.from(text, (ch) => {
      const c = ch.charCodeAt(0);
      if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff) {
        return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
          .map((b) => `%${b.toString(16).toUpperCase()}`)
          .join('');
      }
      return encodeURIComponent(ch);
    }).join('');
  }
}

/** Turns a generated request into the HTTP call of the moment (Refs resolved against `ctx`). */
export async function materialize(
  req: FuzzRequest,
  op: Operation,
  ctx: FuzzContext,
  etagOf: (kampungId: string) => Promise<string | undefined>,
): Promise<HttpCall> {
  const pathOf = (v: unknown) => (v instanceof Raw ? v.text : percentEncode(scalarText(v, ctx)));
  const url = op.path.replace(/\{(\w+)\}/g, (_, name: string) => pathOf(req.pathParams[name]));
  const query = Object.entries(req.query).flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v]).map((x) =>
      x instanceof Raw
        ? `${percentEncode(k)}=${x.text}`
        : `${percentEncode(k)}=${percentEncode(scalarText(x, ctx))}`,
    ),
  );
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v instanceof CurrentEtag) {
      const id = req.pathParams.id;
      headers[k] = (await etagOf(id instanceof Ref ? resolveRef(id, ctx) : String(id))) ?? '"1"';
    } else headers[k] = scalarText(v, ctx);
  }
  let payload: string | undefined;
  if (req.bodyText === DUPLICATE_KEYS) {
    const json = toJsonText(req.body ?? {}, ctx);
    payload =
      json.startsWith('{') && json.length > 2
        ? json.replace(/^\{"([^"]+)":/, '{"$1":null,"$1":')
        : '{"a":1,"a":2}';
  } else if (req.bodyText !== undefined) payload = req.bodyText;
  else if (req.body instanceof CsvBody) payload = csvText(req.body, ctx);
  else if (req.body !== undefined) payload = toJsonText(req.body, ctx);
  if (payload !== undefined) {
    headers['content-type'] = req.contentType ?? (op.body?.type === 'csv' ? 'text/csv' : 'application/json');
  }
  return {
    service: op.service,
    method: op.method,
    url: query.length ? `${url}?${query.join('&')}` : url,
    headers,
    ...(payload === undefined ? {} : { payload }),
    as: req.as,
  };
}

/** Where a request still holds a value taken from the running platform (a Ref), as field names. */
export function refFieldsOf(req: FuzzRequest): string[] {
  const out: string[] = [];
  const walk = (v: unknown, at: string) => {
    if (v instanceof Ref) out.push(at);
    else if (v !== null && typeof v === 'object' && !(v instanceof Raw) && !(v instanceof CsvBody)) {
      for (const [k, c] of Object.entries(v)) walk(c, at ? `${at}.${k}` : k);
    }
  };
  walk(req.body, '');
  for (const [k, v] of [...Object.entries(req.pathParams), ...Object.entries(req.query)]) walk(v, k);
  return out;
}

/** Learns the ids a successful request made (or removed), so later requests can use them. */
export function learn(op: Operation, call: HttpCall, status: number, json: unknown, ctx: FuzzContext): void {
  const body = (json ?? {}) as Record<string, unknown>;
  const id = typeof body.id === 'string' ? body.id : undefined;
  const key = `${op.service} ${op.method} ${op.path}`;
  if (status === 201 && key === 'registry POST /api/v1/kampung' && id) {
    const villageCode = String(body.villageCode);
    ctx.kampung.push({ id, villageCode });
    if (villageCode.startsWith('16')) ctx.kampung16.push({ id, villageCode });
    const at = ctx.freeVillages.indexOf(villageCode);
    if (at >= 0) ctx.freeVillages.splice(at, 1);
  } else if (status === 201 && key === 'survey POST /api/v1/submissions' && id) ctx.submissions.push(id);
  else if (status === 201 && key === 'survey POST /api/v1/imports' && id) ctx.imports.push(id);
  else if (status === 201 && key === 'notifications POST /api/v1/subscriptions' && id)
    ctx.subscriptions.push(id);
  else if (status === 204 && key === 'notifications DELETE /api/v1/subscriptions/{id}') {
    const gone = decodeURIComponent(call.url.split('/').pop() ?? '').toLowerCase();
    ctx.subscriptions = ctx.subscriptions.filter((s) => s !== gone);
    ctx.deliveries = ctx.deliveries.filter((d) => d.subscriptionId !== gone);
  } else if (
    status === 201 &&
    key === 'classification POST /api/v1/rule-sets' &&
    typeof body.version === 'number'
  )
    ctx.ruleSetVersions.push(body.version);
  else if (status === 202 && key === 'classification POST /api/v1/rule-sets/{version}/publish' && id)
    ctx.recomputeJobs.push(id);
}
