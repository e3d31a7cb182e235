import 'reflect-metadata';
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
// @asyncapi/parser 3.x ships a CommonJS build (`main: cjs/index.js`), so jest can require it
// directly; no child process is needed.
import {
  DiagnosticSeverity,
  Parser,
  type AsyncAPIDocumentInterface,
  type ChannelInterface,
  type Diagnostic,
} from '@asyncapi/parser';
import Ajv, { type ValidateFunction } from 'ajv';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { parse as parseYaml } from 'yaml';
import {
  ASYNCAPI_PATH,
  buildAsyncApi,
  loadAsyncApi,
  payloadSchemas,
  type AsyncApiDocument,
} from './asyncapi';
import { SCHEMA_ANNOTATIONS } from './asyncapi-annotations';
import { isDateText, isTimestampText } from './dates';
import { ALL_CONTRACTS } from './catalog';
import { CloudEventEnvelope } from './envelope';
import type { EventContract } from './event-contract';
import { deadLetterSubject, parseSubject, subjectFor } from './subject';
import { checkEvent } from './validate';

/**
 * The contracts the document must describe. A copy of ALL_CONTRACTS so that the "missing channel"
 * check can be seen to fail: push a fake contract here (e.g. defineEvent({ producer: 'survey',
 * aggregate: 'survey', verb: 'submitted', major: 1, ... })) and the channel tests go red.
 */
const CONTRACTS: readonly EventContract[] = [...ALL_CONTRACTS];

const DLQ_ADDRESS = deadLetterSubject('{service}', '{consumer}');

type Json = Record<string, unknown>;
type Class = abstract new (...args: never[]) => unknown;
type ValidationMetadata = ReturnType<
  ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']
>[number];

/** The headers each transport sends with an event: the NATS de-duplication id, or Standard Webhooks'. */
const HEADERS = {
  nats: ['Nats-Msg-Id'],
  webhook: ['webhook-id', 'webhook-signature', 'webhook-timestamp'],
} as const;

/** The header that carries the event id, per transport. */
const ID_HEADER = { nats: 'Nats-Msg-Id', webhook: 'webhook-id' } as const;

/** The AsyncAPI server a contract's channel is on, per transport. */
const SERVER = { nats: 'production', webhook: 'webhooks' } as const;

/** `kkb.<producer>.<aggregate>.<verb>.v<major>.{province}`: the subject with the province as a parameter. */
function channelAddress(type: string): string {
  // subjectFor only takes a real 2-digit token, so build with 00 and swap the parameter in.
  return subjectFor(type, '00').replace(/\.00$/, '.{province}');
}

/** Folds `allOf` parts into one schema: required lists and properties are unioned, recursively. */
function merged(schema: Json): Json {
  const parts = [schema, ...((schema.allOf as Json[] | undefined) ?? []).map(merged)];
  const out: Json = {};
  const required = new Set<string>();
  const properties: Record<string, Json[]> = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      if (!['allOf', 'required', 'properties'].includes(key) && !key.startsWith('x-parser-'))
        out[key] = value;
    }
    for (const name of (part.required as string[] | undefined) ?? []) required.add(name);
    for (const [name, s] of Object.entries((part.properties as Record<string, Json> | undefined) ?? {})) {
      (properties[name] ??= []).push(s);
    }
  }
  out.required = [...required].sort();
  out.properties = Object.fromEntries(
    Object.entries(properties).map(([name, list]) => [name, merged({ allOf: list })]),
  );
  return out;
}

/** Property names and required lists only, recursively: the part that must match exactly. */
function skeleton(schema: Json): Json {
  return {
    required: [...((schema.required as string[] | undefined) ?? [])].sort(),
    properties: Object.fromEntries(
      Object.entries((schema.properties as Record<string, Json> | undefined) ?? {}).map(([k, v]) => [
        k,
        skeleton(v),
      ]),
    ),
  };
}

/** The JSON Schema a class-validator class implies, from its validation metadata. */
function schemaOfClass(cls: Class): Json {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false)) {
    byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
  }
  const required: string[] = [];
  const properties: Record<string, Json> = {};
  for (const [name, metadatas] of byProperty) {
    const optional = metadatas.some(
      (m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION && m.name === 'isOptional',
    );
    if (!optional) required.push(name);
    properties[name] = schemaOfProperty(cls, name, metadatas);
  }
  return { type: 'object', required: required.sort(), properties };
}

function schemaOfProperty(cls: Class, name: string, metadatas: ValidationMetadata[]): Json {
  const schema: Json = {};
  const items: Json = {};
  for (const m of metadatas) {
    const target = m.each ? items : schema;
    const arg: unknown = m.constraints?.[0];
    if (m.type === ValidationTypes.NESTED_VALIDATION) {
      const nested = Reflect.getMetadata('design:type', cls.prototype, name) as Class | undefined;
      if (!nested || nested === Array || nested === Object) {
        throw new Error(
          `${cls.name}.${name}: teach asyncapi.spec.ts about nested arrays or untyped nested objects`,
        );
      }
      Object.assign(target, schemaOfClass(nested));
      continue;
    }
    if (m.type === ValidationTypes.CONDITIONAL_VALIDATION || m.name === 'isDefined') continue;
    switch (m.name) {
      case 'isString':
      case 'isIso8601':
      case 'isCalendarDate':
      case 'isTimestamp':
        target.type = 'string';
        break;
      case 'isUuid':
        Object.assign(target, { type: 'string', format: 'uuid' });
        break;
      case 'matches':
        Object.assign(target, { type: 'string', pattern: (arg as RegExp).source });
        break;
      case 'isNotEmpty':
        target.minLength = 1;
        break;
      case 'maxLength':
        target.maxLength = arg;
        break;
      case 'isInt':
        target.type = 'integer';
        break;
      case 'isNumber':
        target.type = 'number';
        break;
      case 'min':
        target.minimum = arg;
        break;
      case 'max':
        target.maximum = arg;
        break;
      case 'isBoolean':
        target.type = 'boolean';
        break;
      case 'isArray':
        target.type = 'array';
        break;
      case 'isObject':
        target.type = 'object';
        break;
      case 'equals':
        target.enum = [arg];
        break;
      case 'isIn':
        target.enum = arg;
        break;
      default:
        throw new Error(`${cls.name}.${name}: teach asyncapi.spec.ts how @${m.name} maps to JSON Schema`);
    }
  }
  if (Object.keys(items).length) schema.items = items;
  return schema;
}

function describeDiagnostic(d: Diagnostic): string {
  return `${d.code} at ${d.path.join('/')}: ${d.message}`;
}

describe(loadAsyncApi.name, () => {
  it('should read the document next to the library sources', () => {
    expect(path.isAbsolute(ASYNCAPI_PATH)).toBe(true);
    expect(ASYNCAPI_PATH).toBe(path.resolve(__dirname, '..', 'asyncapi.yaml'));
    expect(existsSync(ASYNCAPI_PATH)).toBe(true);
    expect(loadAsyncApi()).toMatch(/^asyncapi: 3\.0\.0$/m);
  });
});

/** The committed document the front door serves (`npm run openapi` writes it). */
const SERVED_PATH = path.resolve(__dirname, '../../../apps/front-door/asyncapi.json');

const base = (): AsyncApiDocument => parseYaml(loadAsyncApi()) as AsyncApiDocument;

describe('the generated AsyncAPI document', () => {
  it('should be what the front door serves (run `npm run openapi` after changing a contract class)', () => {
    const served = JSON.parse(readFileSync(SERVED_PATH, 'utf8')) as unknown;
    expect(served).toEqual(JSON.parse(JSON.stringify(buildAsyncApi(base()))));
  });

  it('should refuse a hand-written schema in asyncapi.yaml for a class it generates', () => {
    const doc = base();
    doc.components!.schemas = { ...doc.components!.schemas, PeriodV1: { type: 'object' } };
    expect(() => buildAsyncApi(doc)).toThrow(/PeriodV1/);
  });

  it('should generate a schema for the envelope, every payload class and every nested class, and no other', () => {
    const names = Object.keys(payloadSchemas()).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'CloudEvent',
        ...CONTRACTS.map((c) => c.payload.name),
        'PeriodV1',
        'RegionLevelCountsV1',
      ]),
    );
    expect(names).not.toContain('CloudEventEnvelope');
    for (const n of names.filter((n) => n !== 'CloudEvent')) expect(n).toMatch(/V\d+$/);
  });

  it('should annotate only classes and properties that exist', () => {
    const schemas = payloadSchemas();
    /** Property names per class name, a base class taking its subclasses' (they inherit them). */
    const known = new Map<string, Set<string>>();
    const add = (cls: string, schema: Json | undefined) => {
      const props = known.get(cls) ?? new Set<string>();
      for (const p of Object.keys((schema?.properties as Json | undefined) ?? {})) props.add(p);
      known.set(cls, props);
    };
    for (const [name, schema] of Object.entries(schemas)) add(name, schema);
    for (const cls of [CloudEventEnvelope, ...CONTRACTS.map((c) => c.payload)]) {
      const schema = schemas[cls === CloudEventEnvelope ? 'CloudEvent' : cls.name];
      for (let c: unknown = cls; typeof c === 'function' && (c as Class).name; c = Object.getPrototypeOf(c))
        add((c as Class).name, schema);
    }
    const stale: string[] = [];
    for (const [cls, a] of Object.entries(SCHEMA_ANNOTATIONS)) {
      if (!known.has(cls)) stale.push(cls);
      for (const p of Object.keys(a.properties ?? {})) if (!known.get(cls)?.has(p)) stale.push(`${cls}.${p}`);
    }
    expect(stale).toEqual([]);
  });

  describe('validated with a JSON Schema validator (ajv)', () => {
    const doc = buildAsyncApi(base());
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat('date-time', isTimestampText);
    ajv.addFormat('date', isDateText);
    ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    ajv.addFormat('uri-reference', () => true);
    ajv.addSchema({ $id: 'kkb', components: doc.components } as object);
    /** The message payload of a contract: the envelope narrowed to its type and data. */
    const validatorOf = (c: EventContract): ValidateFunction => {
      const name = c.payload.name;
      return ajv.compile({
        allOf: [
          { $ref: 'kkb#/components/schemas/CloudEvent' },
          {
            type: 'object',
            properties: { type: { const: c.type }, data: { $ref: `kkb#/components/schemas/${name}` } },
          },
        ],
      });
    };
    const examples = (c: EventContract): Json[] => {
      const messages = (doc.components!.messages ?? {}) as Record<string, Json>;
      const message = messages[c.payload.name];
      return ((message?.examples as Json[] | undefined) ?? []).map((e) => e.payload as Json);
    };

    it('should accept every example of every message, which the contract classes accept too', async () => {
      for (const c of CONTRACTS) {
        expect({ type: c.type, examples: examples(c).length }).not.toEqual({ type: c.type, examples: 0 });
        const validate = validatorOf(c);
        for (const event of examples(c)) {
          expect((await checkEvent(event, c)).ok).toBe(true);
          validate(event);
          expect({ type: c.type, errors: validate.errors ?? [] }).toEqual({ type: c.type, errors: [] });
        }
      }
    });

    it('should reject what the contract classes reject: a missing field, a bad pattern, a bad date, a wrong type', async () => {
      const c = CONTRACTS.find((x) => x.type === 'kkb.registry.kampung.registered.v1')!;
      const [event] = examples(c);
      const data = event.data as Json;
      const { name: _name, ...noName } = data;
      const broken: Json[] = [
        { ...event, data: noName },
        { ...event, data: { ...data, villageCode: '16.10.5.2041' } },
        { ...event, data: { ...data, launchDate: '2019-02-30' } },
        { ...event, data: { ...data, version: '1' } },
        { ...event, time: 'yesterday' },
        { ...event, province: '160' },
      ];
      const validate = validatorOf(c);
      for (const e of broken) {
        expect((await checkEvent(e, c)).ok).toBe(false);
        expect(validate(e)).toBe(false);
      }
    });
  });
});

describe('asyncapi.yaml with the generated schemas', () => {
  let document: AsyncAPIDocumentInterface;
  let diagnostics: Diagnostic[];

  const eventChannels = (): ChannelInterface[] =>
    document
      .channels()
      .all()
      .filter((c) => c.address() !== DLQ_ADDRESS);
  /** The `type` const of a channel's one message, if it describes a CloudEvent. */
  const typeOf = (channel: ChannelInterface): unknown => {
    const payload = channel.messages().all()[0]?.payload()?.json() as Json | undefined;
    return payload
      ? ((merged(payload).properties as Record<string, Json> | undefined)?.type?.const ?? undefined)
      : undefined;
  };
  /**
   * A NATS contract's channel is addressed by its subject; a webhook-only contract has no subject
   * (it goes to a subscription's URL), so its channel has a null address and is found by its type.
   */
  const channelOf = (contract: EventContract): ChannelInterface | undefined =>
    document
      .channels()
      .all()
      .find((c) =>
        contract.transport === 'nats'
          ? c.address() === channelAddress(contract.type)
          : c.address() == null && typeOf(c) === contract.type,
      );
  const serversOf = (channel: ChannelInterface): string[] =>
    channel
      .servers()
      .all()
      .map((s) => s.id());
  const messageOf = (contract: EventContract) => {
    const channel = channelOf(contract);
    if (!channel) throw new Error(`no channel for ${contract.type}`);
    const messages = channel.messages().all();
    expect(messages).toHaveLength(1);
    return messages[0];
  };

  beforeAll(async () => {
    const parsed = await new Parser().parse(JSON.stringify(buildAsyncApi(base())), { source: ASYNCAPI_PATH });
    diagnostics = parsed.diagnostics;
    if (!parsed.document)
      throw new Error(`asyncapi.yaml does not parse:\n${diagnostics.map(describeDiagnostic).join('\n')}`);
    document = parsed.document;
  });

  it('should parse as AsyncAPI 3.0.0 without any error diagnostic', () => {
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map(describeDiagnostic);
    expect(errors).toEqual([]);
    expect(document.version()).toBe('3.0.0');
    expect(document.info().title()).toBe('Kampung KB platform events');
  });

  it('should declare the production server on nats', () => {
    const server = document.servers().get('production');
    expect(server?.protocol()).toBe('nats');
  });

  it('should have a channel for every contract, a NATS one addressed by its subject with a {province} parameter', () => {
    const missing = CONTRACTS.filter((c) => !channelOf(c)).map(
      (c) =>
        `${c.type} (expected ${c.transport === 'nats' ? channelAddress(c.type) : 'a null address and this type'})`,
    );
    expect(missing).toEqual([]);
    for (const c of CONTRACTS.filter((c) => c.transport === 'nats')) {
      const parameters = channelOf(c)!.parameters().all();
      expect(parameters.map((p) => p.id())).toEqual(['province']);
      expect(parameters[0].description()).toMatch(/00/);
    }
  });

  it('should put every channel on the server of its transport only', () => {
    for (const c of CONTRACTS) {
      expect({ type: c.type, servers: serversOf(channelOf(c)!) }).toEqual({
        type: c.type,
        servers: [SERVER[c.transport]],
      });
    }
    expect(document.servers().get('webhooks')?.protocol()).toBe('https');
  });

  it('should say of a webhook-only contract that it is never published on NATS', () => {
    const webhookOnly = CONTRACTS.filter((c) => c.transport === 'webhook');
    expect(webhookOnly.length).toBeGreaterThan(0);
    for (const c of webhookOnly) {
      const channel = channelOf(c)!;
      expect(channel.parameters().all()).toEqual([]);
      expect(channel.description()).toMatch(/never published on NATS/);
    }
  });

  it('should have no event channel for a type that is not a contract', () => {
    const known = new Set(CONTRACTS.map((c) => c.type));
    const webhookTypes = new Set(CONTRACTS.filter((c) => c.transport === 'webhook').map((c) => c.type));
    const unknown = eventChannels()
      .filter((channel) => channel.address() != null || !webhookTypes.has(typeOf(channel) as string))
      .map((channel) => channel.address() ?? `(null address, type ${String(typeOf(channel))})`)
      .filter((address) => {
        const parsed = parseSubject(address.replace(/\{province\}$/, '00'));
        return !parsed || !known.has(parsed.type) || channelAddress(parsed.type) !== address;
      });
    expect(unknown).toEqual([]);
    expect(eventChannels()).toHaveLength(CONTRACTS.length);
  });

  it('should describe every event as a CloudEvents envelope narrowed to the contract type', () => {
    for (const c of CONTRACTS) {
      const message = messageOf(c);
      expect(message.summary()).toBe(c.summary);
      expect(message.contentType()).toBe('application/json');
      const headers = message.headers()?.json() as Json | undefined;
      expect({
        type: c.type,
        headers: [...((headers?.required as string[] | undefined) ?? [])].sort(),
      }).toEqual({
        type: c.type,
        headers: [...HEADERS[c.transport]],
      });
      const payload = merged(message.payload()!.json() as Json);
      expect(payload.required).toEqual(
        merged(document.components().schemas().get('CloudEvent')!.json() as Json).required,
      );
      expect((payload.properties as Record<string, Json>).type).toMatchObject({ const: c.type });
    }
  });

  it('should give every event data schema exactly the properties and required list of its contract class', () => {
    for (const c of CONTRACTS) {
      const payload = merged(messageOf(c).payload()!.json() as Json);
      const data = (payload.properties as Record<string, Json>).data;
      const expected = schemaOfClass(c.payload);
      expect({ type: c.type, shape: skeleton(data) }).toEqual({ type: c.type, shape: skeleton(expected) });
      expect({ type: c.type, schema: data }).toMatchObject({ type: c.type, schema: expected });
    }
  });

  it('should describe the shared CloudEvent schema like the CloudEventEnvelope class', () => {
    const envelope = merged(document.components().schemas().get('CloudEvent')!.json() as Json);
    const expected = schemaOfClass(CloudEventEnvelope);
    expect(skeleton(envelope)).toEqual(skeleton(expected));
    expect(envelope).toMatchObject(expected);
  });

  it('should give every event message an example that its contract accepts', async () => {
    for (const c of CONTRACTS) {
      const examples = messageOf(c).examples().all();
      expect({ type: c.type, examples: examples.length > 0 }).toEqual({ type: c.type, examples: true });
      for (const example of examples) {
        const payload = example.payload() as Json;
        const result = await checkEvent(payload, c);
        expect({ type: c.type, problems: result.ok ? [] : result.problems }).toEqual({
          type: c.type,
          problems: [],
        });
        expect(example.headers()).toMatchObject({ [ID_HEADER[c.transport]]: payload.id });
        expect(Object.keys(example.headers() ?? {}).sort()).toEqual([...HEADERS[c.transport]]);
      }
    }
  });

  it('should publish every channel in exactly one send operation', () => {
    for (const channel of document.channels().all()) {
      const operations = channel.operations().all();
      expect({ channel: channel.address(), actions: operations.map((o) => o.action()) }).toEqual({
        channel: channel.address(),
        actions: ['send'],
      });
    }
  });

  it('should describe the dead-letter channel kkb.dlq.{service}.{consumer}', () => {
    const channel = document
      .channels()
      .all()
      .find((c) => c.address() === DLQ_ADDRESS);
    expect(channel).toBeDefined();
    expect(
      channel!
        .parameters()
        .all()
        .map((p) => p.id())
        .sort(),
    ).toEqual(['consumer', 'service']);
    const messages = channel!.messages().all();
    expect(messages).toHaveLength(1);
    const payload = merged(messages[0].payload()!.json() as Json);
    expect(skeleton(payload)).toEqual({
      required: ['deliveryCount', 'event', 'reason', 'receivedAt', 'stream', 'streamSequence', 'subject'],
      properties: {
        reason: { required: [], properties: {} },
        problems: { required: [], properties: {} },
        deliveryCount: { required: [], properties: {} },
        stream: { required: [], properties: {} },
        streamSequence: { required: [], properties: {} },
        subject: { required: [], properties: {} },
        receivedAt: { required: [], properties: {} },
        event: { required: [], properties: {} },
      },
    });
    expect(payload.properties).toMatchObject({
      problems: { type: 'array', items: { required: ['field', 'reason'] } },
      deliveryCount: { type: 'integer' },
      streamSequence: { type: 'integer' },
      event: { type: 'string' },
    });
  });
});
