import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import type { ClassConstructor } from 'class-transformer';
import { SCHEMA_ANNOTATIONS } from './asyncapi-annotations';
import { ALL_CONTRACTS } from './catalog';
import { CloudEventEnvelope } from './envelope';

/**
 * Absolute path of the hand-written part of the AsyncAPI 3.0 document: info, servers, channels,
 * operations, messages with their examples, and the dead-letter schemas. The payload schemas of
 * the events are not in it: buildAsyncApi() generates them from the contract classes.
 */
export const ASYNCAPI_PATH = path.join(__dirname, '..', 'asyncapi.yaml');

/** The hand-written part of the AsyncAPI document as raw YAML text (see ASYNCAPI_PATH). */
export function loadAsyncApi(): string {
  return readFileSync(ASYNCAPI_PATH, 'utf8');
}

type Json = Record<string, unknown>;

/** Descriptions and examples added to a generated schema (asyncapi-annotations.ts). */
export interface SchemaAnnotations {
  description?: string;
  properties?: Record<string, Json>;
}

/** The envelope's schema is published as `CloudEvent`; every other schema under its class name. */
const SCHEMA_NAME = new Map<ClassConstructor<object>, string>([[CloudEventEnvelope, 'CloudEvent']]);
const REF_PREFIX = '#/components/schemas/';

const OPTIONS = {
  refPointerPrefix: REF_PREFIX,
  classTransformerMetadataStorage: defaultMetadataStorage,
  // The platform's own date checks (dates.ts): what Postgres stores, i.e. RFC 3339 date-times
  // with an offset and calendar dates.
  additionalConverters: {
    isTimestamp: { type: 'string' as const, format: 'date-time' },
    isCalendarDate: { type: 'string' as const, format: 'date' },
  },
};

const nameOf = (cls: ClassConstructor<object>) => SCHEMA_NAME.get(cls) ?? cls.name;

/** Class names from `cls` up its prototype chain (the base class last). */
function lineage(cls: ClassConstructor<object>): string[] {
  const names: string[] = [];
  for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype;) {
    if ((c as { name?: string }).name) names.push((c as { name: string }).name);
    c = Object.getPrototypeOf(c);
  }
  return names;
}

/**
 * Tidies one generated schema: a `$ref` stands alone (class-validator-jsonschema puts
 * `type: object` beside it), and the class's description and its (and its base classes') property annotations are added; a
 * described reference becomes `allOf: [$ref]` so that the description is kept.
 */
function finish(cls: ClassConstructor<object>, schema: Json): Json {
  const annotations = lineage(cls)
    .map((n) => SCHEMA_ANNOTATIONS[n])
    .filter(Boolean)
    .reverse();
  const out: Json = { title: nameOf(cls), ...schema };
  // A class's description is its own; its properties' annotations are inherited.
  const description = SCHEMA_ANNOTATIONS[cls.name]?.description;
  if (description) out.description = description;
  const properties: Record<string, Json> = {};
  for (const [name, raw] of Object.entries((schema.properties as Record<string, Json>) ?? {})) {
    let prop: Json = typeof raw.$ref === 'string' ? { $ref: raw.$ref } : { ...raw };
    const extra = Object.assign({}, ...annotations.map((a) => a.properties?.[name] ?? {})) as Json;
    if (Object.keys(extra).length) prop = prop.$ref ? { ...extra, allOf: [prop] } : { ...prop, ...extra };
    properties[name] = prop;
  }
  out.properties = properties;
  return out;
}

/** `$ref` targets anywhere inside a schema. */
function refsOf(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => refsOf(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF_PREFIX))
        out.add(v.slice(REF_PREFIX.length));
      else refsOf(v, out);
    }
  }
  return out;
}

/**
 * The JSON Schemas of the CloudEvent envelope and of every contract's payload class, with the
 * nested classes they reference, generated from the classes' class-validator decorators
 * (class-validator-jsonschema; class-transformer's `@Type` for nested classes). Keyed by schema
 * name: `CloudEvent`, then the payload class names (`KampungRegisteredV1`, `PeriodV1`...).
 */
export function payloadSchemas(): Record<string, Json> {
  const out: Record<string, Json> = {};
  const pending: ClassConstructor<object>[] = [CloudEventEnvelope, ...ALL_CONTRACTS.map((c) => c.payload)];
  for (let cls = pending.shift(); cls; cls = pending.shift()) {
    if (out[nameOf(cls)]) continue;
    const schema = targetConstructorToSchema(cls, OPTIONS) as Json;
    out[nameOf(cls)] = finish(cls, schema);
    // Nested classes (PeriodV1, RegionLevelCountsV1...): each `$ref` names the class of a property.
    for (const [prop, s] of Object.entries((schema.properties as Record<string, Json>) ?? {})) {
      if (!refsOf(s).size) continue;
      const nested = nestedClass(cls, prop);
      if (!nested || !refsOf(s).has(nameOf(nested)))
        throw new Error(`asyncapi: ${cls.name}.${prop} refers to a schema whose class is not found`);
      pending.push(nested);
    }
  }
  return out;
}

/** The class of a nested property: class-transformer's `@Type`, else the declared type. */
function nestedClass(cls: ClassConstructor<object>, prop: string): ClassConstructor<object> | undefined {
  const typed = defaultMetadataStorage.findTypeMetadata(cls, prop)?.typeFunction();
  const declared = Reflect.getMetadata('design:type', cls.prototype as object, prop) as unknown;
  const found = (typed ?? declared) as ClassConstructor<object> | undefined;
  return typeof found === 'function' ? found : undefined;
}

/** An AsyncAPI document as plain data. */
export type AsyncApiDocument = Json & { components?: Json & { schemas?: Record<string, Json> } };

/**
 * The whole AsyncAPI document: `base` (the parsed asyncapi.yaml) with the generated payload
 * schemas added to `components.schemas`. The base must not define a generated schema itself.
 */
export function buildAsyncApi(base: AsyncApiDocument): AsyncApiDocument {
  const doc = structuredClone(base);
  const generated = payloadSchemas();
  const own = doc.components?.schemas ?? {};
  const clash = Object.keys(own).filter((n) => n in generated);
  if (clash.length) throw new Error(`asyncapi.yaml defines generated schemas by hand: ${clash.join(', ')}`);
  doc.components = { ...doc.components, schemas: { ...generated, ...own } };
  return doc;
}
