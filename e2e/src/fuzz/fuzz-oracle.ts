import { abbreviate, type HostileKind } from './hostile-values';
import type { FuzzRequest, HttpCall, MutationNote } from './openapi-arbitraries';

/** What a hostile request or event must never cause. */
export type Violation =
  | '5xx'
  | 'not-problem-json'
  | 'problem-shape'
  | 'no-field'
  | 'wrong-field'
  | 'rows-changed-on-error'
  | 'not-dead-lettered'
  | 'not-handled'
  | 'accepted-as-valid'
  | 'dead-letter-without-reason'
  | 'consumer-stopped';

/** One request and its answer, with the row counts of the handling service around it. */
export interface Exchange {
  req: FuzzRequest;
  call: HttpCall;
  status: number;
  contentType: string;
  body: string;
  correlationId: string;
  before?: Record<string, number>;
  after?: Record<string, number>;
  serverError?: string;
  /**
   * Fields whose valid value was taken from the running platform (a kampung id, a survivor): an
   * error about one of those may be about its state now (merged meanwhile), not about the mutation.
   */
  refFields?: string[];
}

export interface Problem {
  violation: Violation;
  detail: string;
}

const VALIDATION_STATUSES = new Set([400, 422]);

/** Kinds whose error can only name the whole body, path or query (the parser cannot tell more). */
const WHOLE_VALUE_KINDS = new Set<HostileKind>(['raw-body', 'content-type', 'bad-encoding', 'csv']);

const normalizeField = (f: string) =>
  f
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/^(body|query|path|header|headers)(\.|$)/, '')
    .toLowerCase();

/**
 * Whether an error's field names the mutated field: itself, a part of it or what contains it; for
 * a path or query value, also the whole path or query (the router refuses a URL that does not
 * decode before it knows the parameter); inside an opaque object (answers, a definition), any
 * field of the same object, since its rules relate its fields to each other.
 */
export function fieldNames(errorField: string, m: MutationNote): boolean {
  if (WHOLE_VALUE_KINDS.has(m.kind) || m.field === '') return true;
  if ((m.where === 'path' || m.where === 'query') && errorField === m.where) return true;
  const a = normalizeField(errorField);
  const b = normalizeField(m.field);
  if (a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`) || (a !== '' && b.endsWith(`.${a}`)))
    return true;
  const [top, ...rest] = b.split('.');
  return m.where === 'body' && rest.length >= 1 && a.split('.')[0] === top && OPAQUE_OBJECTS.has(top);
}

/** Body fields holding an object the service checks by rules of its own, across its fields. */
const OPAQUE_OBJECTS = new Set(['answers', 'definition']);

/** The checks of one answer: no 5xx; a 4xx is problem+json naming the field; no write on an error. */
export function checkExchange(x: Exchange): Problem[] {
  const problems: Problem[] = [];
  if (x.status >= 500) {
    problems.push({
      violation: '5xx',
      detail: x.serverError ?? `no server error captured; body ${abbreviate(x.body, 300)}`,
    });
  } else if (x.status >= 400) {
    let problem: Record<string, unknown> | undefined;
    try {
      problem = JSON.parse(x.body) as Record<string, unknown>;
    } catch {
      problem = undefined;
    }
    if (!x.contentType.startsWith('application/problem+json')) {
      problems.push({ violation: 'not-problem-json', detail: `content-type ${x.contentType || '(none)'}` });
    } else if (
      !problem ||
      typeof problem !== 'object' ||
      problem.status !== x.status ||
      typeof problem.type !== 'string' ||
      typeof problem.title !== 'string'
    ) {
      problems.push({
        violation: 'problem-shape',
        detail: `status ${x.status}, body ${abbreviate(x.body, 300)}`,
      });
    } else if (VALIDATION_STATUSES.has(x.status)) {
      const errors = Array.isArray(problem.errors) ? (problem.errors as { field?: unknown }[]) : [];
      const fields = errors
        .map((e) => e?.field)
        .filter((f): f is string => typeof f === 'string' && f !== '');
      if (!fields.length || fields.length !== errors.length) {
        problems.push({
          violation: 'no-field',
          detail: `problem without errors[].field: ${abbreviate(x.body, 300)}`,
        });
      } else {
        const targets = x.req.mutations.filter((m) => m.where !== 'token');
        const refs = (x.refFields ?? []).map((field) => ({
          where: 'body' as const,
          field,
          kind: 'valid' as const,
        }));
        const aboutState = (f: string) => refs.some((r) => fieldNames(f, r));
        if (
          targets.length &&
          !targets.some((m) => fields.some((f) => fieldNames(f, m))) &&
          !fields.every(aboutState)
        ) {
          problems.push({
            violation: 'wrong-field',
            detail: `mutated ${targets.map((m) => `${m.where}:${m.field}`).join(', ')}; errors name ${fields.join(', ')}`,
          });
        }
      }
    }
  }
  const { before, after } = x;
  if (before && after && (x.status < 200 || x.status >= 300)) {
    const changed = Object.keys(after).filter((t) => after[t] !== before[t]);
    if (changed.length) {
      problems.push({
        violation: 'rows-changed-on-error',
        detail: changed.map((t) => `${t} ${before[t]} → ${after[t]}`).join(', '),
      });
    }
  }
  return problems;
}

/** The kind a finding is filed under: that of its one mutation, or 'mixed', 'valid'. */
export function kindOf(mutations: MutationNote[]): string {
  const all = [...new Set(mutations.map((m) => m.kind))];
  // Who sends it is no value: a request with a hostile value as another officer is of that value's kind.
  const kinds = all.length > 1 ? all.filter((k) => k !== 'token') : all;
  if (!kinds.length) return 'valid';
  return kinds.length === 1 ? kinds[0] : 'mixed';
}

/** A known-failing class a maintainer is fixing: matched findings are reported but not failed. */
export interface SkipRule {
  name: string;
  violation?: Violation;
  /** Kinds of value (any of them). */
  kinds?: string[];
  route?: RegExp;
  /** What the finding's detail (the server's error, for a 5xx) says. */
  detail?: RegExp;
}

export interface Finding {
  signature: string;
  violation: Violation;
  kind: string;
  route: string;
  field: string;
  count: number;
  /** The smallest (shrunk) example: request and answer, as text. */
  example: string;
  exampleSize: number;
  status?: number;
  detail: string;
  /** Fields (mutated ones, for requests) seen in this finding's hits, the first dozen. */
  seen: string[];
  seed?: number;
  path?: string;
  skippedBy?: string;
}

/** Findings, deduplicated by violation, kind, route and field; keeps the smallest example of each. */
export class Findings {
  readonly all = new Map<string, Finding>();

  constructor(private readonly skips: readonly SkipRule[]) {}

  skipOf(f: Pick<Finding, 'violation' | 'kind' | 'route' | 'field' | 'detail'>): string | undefined {
    return this.skips.find(
      (s) =>
        (!s.violation || s.violation === f.violation) &&
        (!s.kinds || s.kinds.includes(f.kind)) &&
        (!s.route || s.route.test(f.route)) &&
        (!s.detail || s.detail.test(f.detail)),
    )?.name;
  }

  /** Records one occurrence; true when it is a new finding that is not skipped. */
  add(f: Omit<Finding, 'signature' | 'count' | 'skippedBy'>): boolean {
    const signature = `${f.violation} | ${f.kind} | ${f.route} | ${f.field}`;
    const had = this.all.get(signature);
    if (had) {
      had.count++;
      for (const s of f.seen) if (had.seen.length < 12 && !had.seen.includes(s)) had.seen.push(s);
      if (f.exampleSize < had.exampleSize)
        Object.assign(had, {
          example: f.example,
          exampleSize: f.exampleSize,
          detail: f.detail,
          status: f.status,
        });
      return false;
    }
    const skippedBy = this.skipOf(f);
    this.all.set(signature, { ...f, signature, count: 1, ...(skippedBy ? { skippedBy } : {}) });
    return !skippedBy;
  }

  /** The signature a problem of an exchange would be filed under, and whether it is new. */
  isNew(violation: Violation, kind: string, route: string, field: string, detail = ''): boolean {
    const signature = `${violation} | ${kind} | ${route} | ${field}`;
    return !this.all.has(signature) && !this.skipOf({ violation, kind, route, field, detail });
  }

  failing(): Finding[] {
    return [...this.all.values()].filter((f) => !f.skippedBy);
  }

  /** Markdown: one section per class (violation and kind), one entry per route and field. */
  markdown(title: string, meta: string[]): string {
    const byClass = new Map<string, Finding[]>();
    for (const f of this.all.values()) {
      const cls = `${f.violation} · ${f.kind}`;
      byClass.set(cls, [...(byClass.get(cls) ?? []), f]);
    }
    const lines = [`# ${title}`, '', ...meta.map((m) => `- ${m}`), ''];
    for (const [cls, list] of [...byClass.entries()].sort()) {
      const total = list.reduce((n, f) => n + f.count, 0);
      lines.push(`## ${cls} (${list.length} route/field, ${total} hits)`, '');
      for (const f of list.sort((a, b) => a.route.localeCompare(b.route))) {
        lines.push(
          `### ${f.route}${f.field ? ` · ${f.field}` : ''}${f.skippedBy ? ` (skipped: ${f.skippedBy})` : ''}`,
          '',
          `- hits: ${f.count}${f.status !== undefined ? `; status ${f.status}` : ''}${f.seed !== undefined ? `; seed ${f.seed}${f.path ? `, path ${f.path}` : ''}` : ''}`,
          `- detail: ${f.detail.split('\n').join('\n  ')}`,
          ...(f.seen.length ? [`- seen with: ${f.seen.join('; ')}`] : []),
          '',
          '```',
          f.example,
          '```',
          '',
        );
      }
    }
    return lines.join('\n');
  }
}

/** The request and answer of an exchange as a finding shows them (no token, long values cut). */
export function describeExchange(x: Exchange): string {
  const headers = Object.entries(x.call.headers)
    .map(([k, v]) => `${k}: ${abbreviate(v, 80)}`)
    .join('\n');
  return [
    `${x.call.method} ${abbreviate(x.call.url, 300)}`,
    `as ${x.call.as.role}${x.call.as.scope ? ` ${x.call.as.scope}` : ''}`,
    ...(headers ? [headers] : []),
    ...(x.call.payload !== undefined ? [`body: ${abbreviate(x.call.payload, 600)}`] : []),
    `mutations: ${x.req.mutations.map((m) => `${m.where}:${m.field || '(whole)'}=${m.kind}`).join(', ') || '(none)'}`,
    `→ ${x.status} ${abbreviate(x.body, 400)}`,
    ...(x.serverError ? [`server: ${x.serverError}`] : []),
  ].join('\n');
}
