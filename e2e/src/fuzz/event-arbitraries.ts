import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { getMetadataStorage } from 'class-validator';
import { ALL_CONTRACTS, subjectFor, type EventContract } from '@kkb/contracts';
import { consumersOf } from './fuzz-platform';
import {
  deepValue,
  hostileDate,
  hostileNumber,
  hostileString,
  jsonText,
  overlongString,
  wideValue,
  wrongType,
} from './hostile-values';

type ValidationMetadata = ReturnType<
  ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']
>[number];

/** One property of a contract class as its class-validator decorators describe it. */
/** The contracts' date checks (calendar dates and date-times Postgres stores, or plain ISO-8601). */
const DATE_RULES = ['isIso8601', 'isCalendarDate', 'isTimestamp'];

export interface ContractField {
  /** Dotted path inside `data`, e.g. `period.month`. */
  path: string;
  required: boolean;
  /** Decorator names (`isUuid`, `matches`, `maxLength`...) with their constraints. */
  rules: Map<string, unknown[]>;
  nested?: new () => object;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- class-validator keys metadata by class
function metadataOf(cls: Function): ValidationMetadata[] {
  return getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
}

const designType = (cls: new () => object, prop: string): unknown =>
  (Reflect as unknown as { getMetadata(k: string, t: object, p: string): unknown }).getMetadata(
    'design:type',
    cls.prototype,
    prop,
  );

/** The fields of a contract payload class, nested classes included, from its decorators. */
export function contractFields(cls: new () => object, prefix = '', depth = 0): ContractField[] {
  const byProp = new Map<string, ValidationMetadata[]>();
  for (const m of metadataOf(cls)) byProp.set(m.propertyName, [...(byProp.get(m.propertyName) ?? []), m]);
  const out: ContractField[] = [];
  for (const [prop, metas] of byProp) {
    const path = prefix ? `${prefix}.${prop}` : prop;
    const rules = new Map<string, unknown[]>();
    for (const m of metas) if (m.name) rules.set(m.name, m.constraints ?? []);
    const nestedType = metas.some((m) => m.type === 'nestedValidation') ? designType(cls, prop) : undefined;
    const nested =
      typeof nestedType === 'function' && nestedType !== Object && nestedType !== Array
        ? (nestedType as new () => object)
        : undefined;
    out.push({ path, required: !metas.some((m) => m.type === 'conditionalValidation'), rules, nested });
    if (nested && depth < 4) out.push(...contractFields(nested, path, depth + 1));
  }
  return out;
}

const MATCH_CANDIDATES = [
  '16.10.05.2041',
  'monthly-report',
  '16',
  '1610',
  'kkb.registry.kampung.registered.v1',
  'x',
];

/**
 * Values of fields that name other things (the kampung an event is about, its village): taken from
 * the running platform, so that an event is about something its consumers know.
 */
export type KnownValues = Record<string, unknown>;

/** A value that passes a field's decorators (what a producer would send). */
function validValue(f: ContractField, known: KnownValues = {}): unknown {
  const r = f.rules;
  const name = f.path.split('.').pop() ?? '';
  if (name in known) return known[name];
  const first = (rule: string): unknown => (r.get(rule) ?? [])[0];
  if (f.nested) return validData(f.nested, known);
  if (r.has('equals')) return first('equals');
  if (r.has('isIn')) return (first('isIn') as unknown[])[0];
  if (r.has('isEnum')) return Object.values(first('isEnum') as object)[0];
  if (r.has('isUuid')) return randomUUID();
  if (r.has('matches')) {
    const re = first('matches') as RegExp;
    return MATCH_CANDIDATES.find((c) => re.test(c)) ?? 'x';
  }
  if (r.has('isCalendarDate')) return '2025-03-14';
  if (r.has('isIso8601') || r.has('isTimestamp'))
    return /date$/i.test(name) ? '2025-03-14' : '2025-03-14T03:00:00.000Z';
  if (r.has('isBoolean')) return false;
  if (r.has('isInt') || r.has('isNumber') || r.has('min') || r.has('max')) {
    const [min, max] = [first('min'), first('max')];
    return typeof min === 'number' ? min : typeof max === 'number' ? Math.min(max, 1) : 1;
  }
  if (r.has('isArray')) return [];
  if (r.has('isObject')) return {};
  return 'Kampung KB Fuzz';
}

/** A payload that passes its contract: every required field with a valid value. */
export function validData(cls: new () => object, known: KnownValues = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of contractFields(cls)) {
    if (!f.path.includes('.') && f.required) out[f.path] = validValue(f, known);
  }
  return out;
}

export function envelope(contract: EventContract, data: unknown, province: string): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: `/kkb/${contract.producer}`,
    type: contract.type,
    subject: `kampung/${randomUUID()}`,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
    correlationid: randomUUID(),
    province,
  };
}

/** The province token a contract's events carry in these tests. */
export const provinceOfContract = (c: EventContract) =>
  c.aggregate === 'regions' || c.aggregate === 'rule-set' ? '00' : '16';

/** Contracts some consumer of the platform reads: junk of the others would reach no one. */
export function consumedContracts(root: string): EventContract[] {
  return ALL_CONTRACTS.filter(
    (c) => consumersOf(subjectFor(c.type, provinceOfContract(c), root), root).length > 0,
  );
}

/** A junk event: what it is, where it goes and its bytes. */
export interface JunkEvent {
  kind: string;
  /** The mutated field (`data.kampungId`, `time`), '' for whole-event junk. */
  field: string;
  type: string;
  subject: string;
  text: string;
}

const ENVELOPE_FIELDS = [
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'data',
  'correlationid',
  'causationid',
  'province',
] as const;

const REMOVE = Symbol('remove');

function setPath(root: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let cur = root;
  for (const k of keys.slice(0, -1)) {
    if (cur[k] === null || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (value === REMOVE) delete cur[last];
  else cur[last] = value;
}

/** A hostile value for a field: its kind and the value. */
const hostile = (required: boolean, iso: boolean): fc.Arbitrary<[string, unknown]> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant<[string, unknown]>(['null', null]) },
    ...(required ? [{ weight: 3, arbitrary: fc.constant<[string, unknown]>(['missing', REMOVE]) }] : []),
    { weight: 3, arbitrary: wrongType.map((v): [string, unknown] => ['wrong-type', v]) },
    { weight: 2, arbitrary: hostileNumber.map((v): [string, unknown] => ['number', v]) },
    { weight: iso ? 4 : 1, arbitrary: hostileDate.map((v): [string, unknown] => ['date', v]) },
    { weight: 2, arbitrary: overlongString.map((v): [string, unknown] => ['overlong', v]) },
    { weight: 2, arbitrary: hostileString.map((v): [string, unknown] => ['string', v]) },
    { weight: 2, arbitrary: deepValue.map((v): [string, unknown] => ['deep', v]) },
    { weight: 1, arbitrary: wideValue.map((v): [string, unknown] => ['wide', v]) },
  );

const NON_JSON = ['', 'not json', '{', '{"id":', "{'a':1}", '\u0000', 'NaN', '[1,]', '\ufffd\ufffd'];
const NOT_ENVELOPES = [
  'null',
  '[]',
  '"kkb"',
  '42',
  'true',
  '{}',
  '{"data":{}}',
  '{"type":123}',
  '{"type":null}',
];
const UNKNOWN_TYPES = [
  'kkb.registry.kampung.exploded.v1',
  'kkb.survey.submission.verified.v2',
  'kkb.nope.thing.done.v1',
  'Kampung Registered',
  'kkb.registry.kampung.registered.v1 ',
  '',
];

/**
 * Junk for the consumers, generated from the contracts: non-JSON, JSON that is no envelope,
 * unknown types, one envelope field made hostile, or one field of a contract's payload (null,
 * missing, wrong type, out of range, bad date, overlong, NUL and lone surrogates, 20,000 deep...).
 */
export function junkEventArbitrary(root: string, known: KnownValues = {}): fc.Arbitrary<JunkEvent> {
  const contracts = consumedContracts(root);
  const contract = fc.constantFrom(...contracts);
  const subjectOf = (c: EventContract) => subjectFor(c.type, provinceOfContract(c), root);
  const base = (c: EventContract) => envelope(c, validData(c.payload, known), provinceOfContract(c));
  const whole = (kind: string, texts: string[]) =>
    fc
      .tuple(contract, fc.constantFrom(...texts))
      .map(([c, text]): JunkEvent => ({ kind, field: '', type: c.type, subject: subjectOf(c), text }));

  const unknownType = fc.tuple(contract, fc.constantFrom(...UNKNOWN_TYPES)).map(([c, type]): JunkEvent => {
    const ev = base(c);
    ev.type = type;
    return { kind: 'unknown-type', field: 'type', type: c.type, subject: subjectOf(c), text: jsonText(ev) };
  });

  const envelopeField = fc.tuple(contract, fc.constantFrom(...ENVELOPE_FIELDS)).chain(([c, field]) =>
    hostile(field !== 'causationid', field === 'time').map(([kind, value]): JunkEvent => {
      const ev = base(c);
      setPath(ev, field, value);
      return { kind, field, type: c.type, subject: subjectOf(c), text: jsonText(ev) };
    }),
  );

  const dataField = contract.chain((c) => {
    const fields = contractFields(c.payload);
    return fc.constantFrom(...fields).chain((f) =>
      hostile(
        f.required,
        DATE_RULES.some((d) => f.rules.has(d)),
      ).map(([kind, value]): JunkEvent => {
        const ev = base(c);
        const data = ev.data as Record<string, unknown>;
        if (f.path.includes('.') && !(f.path.split('.')[0] in data)) {
          const top = contractFields(c.payload).find((x) => x.path === f.path.split('.')[0]);
          if (top) data[top.path] = validValue(top, known);
        }
        setPath(data, f.path, value);
        return { kind, field: `data.${f.path}`, type: c.type, subject: subjectOf(c), text: jsonText(ev) };
      }),
    );
  });

  const dataRoot = fc
    .tuple(
      contract,
      fc.constantFrom<[string, unknown]>(
        ['null', null],
        ['wrong-type', []],
        ['wrong-type', 'x'],
        ['wrong-type', 7],
      ),
    )
    .chain(([c, v]) =>
      fc
        .oneof(
          fc.constant(v),
          deepValue.map((d): [string, unknown] => ['deep', d]),
        )
        .map(([kind, value]): JunkEvent => {
          const ev = base(c);
          ev.data = value;
          return { kind, field: 'data', type: c.type, subject: subjectOf(c), text: jsonText(ev) };
        }),
    );

  return fc.oneof(
    { weight: 1, arbitrary: whole('non-json', NON_JSON) },
    { weight: 1, arbitrary: whole('not-envelope', NOT_ENVELOPES) },
    { weight: 1, arbitrary: unknownType },
    { weight: 3, arbitrary: envelopeField },
    { weight: 6, arbitrary: dataField },
    { weight: 1, arbitrary: dataRoot },
  );
}
