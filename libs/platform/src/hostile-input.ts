import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CORRELATION_HEADER } from './correlation';
import { PROBLEM_BASE, ProblemException, type FieldError, type ProblemDetails } from './problem';

/**
 * How deep a JSON body may nest (objects and arrays, the body itself being level 1). No route
 * needs more than a few levels; class-transformer and class-validator recurse, so a deeper body
 * (a 20,000-deep array fits in a few kilobytes) would overflow their stack.
 */
export const MAX_JSON_DEPTH = 32;

/** At most this many fields are named in one answer; the walk stops there. */
const MAX_REPORTED = 20;
/** Field names quote the client's keys: each is cut to this length, the whole path to twice it. */
const MAX_KEY_LENGTH = 64;

/** A NUL character (Postgres text and jsonb refuse it) or a lone UTF-16 surrogate (not Unicode). */
// eslint-disable-next-line no-control-regex -- finding the control character NUL is the point
export const UNSTORABLE = /\u0000|\p{Cs}/u;

function unstorableReason(s: string, what: 'value' | 'property name'): string | undefined {
  const m = UNSTORABLE.exec(s);
  if (!m) return undefined;
  return m[0] === '\u0000'
    ? `the ${what} contains a NUL character (\\u0000), which cannot be stored`
    : `the ${what} contains a lone UTF-16 surrogate, which is not valid Unicode and cannot be stored`;
}

interface Frame {
  value: unknown;
  depth: number;
  key: string;
  parent: Frame | undefined;
}

function fieldOf(frame: Frame | undefined, root: string): string {
  const keys: string[] = [];
  for (let f = frame; f?.parent; f = f.parent) {
    keys.push(f.key.length > MAX_KEY_LENGTH ? `${f.key.slice(0, MAX_KEY_LENGTH)}…` : f.key);
  }
  if (!keys.length) return root;
  const path = keys.reverse().join('.');
  return path.length > 2 * MAX_KEY_LENGTH ? `${path.slice(0, 2 * MAX_KEY_LENGTH)}…` : path;
}

/**
 * The fields of a parsed body, query or set of path parameters that the service could not handle
 * or store: containers nested deeper than `maxDepth`, strings (values or property names) with a
 * NUL character or a lone surrogate. Iterative, so a value of any depth is checked in linear time
 * without recursion. Fields are dotted paths as the validation pipe names them (`period.year`,
 * `members.0.name`); `root` names the value itself.
 */
export function findUnstorableInput(value: unknown, root: string, maxDepth = MAX_JSON_DEPTH): FieldError[] {
  const errors: FieldError[] = [];
  const stack: Frame[] = [{ value, depth: 0, key: root, parent: undefined }];
  while (stack.length && errors.length < MAX_REPORTED) {
    const frame = stack.pop() as Frame;
    const v = frame.value;
    if (typeof v === 'string') {
      const reason = unstorableReason(v, 'value');
      if (reason) errors.push({ field: fieldOf(frame, root), reason });
      continue;
    }
    if (
      typeof v !== 'object' ||
      v === null ||
      Buffer.isBuffer(v) ||
      typeof (v as { pipe?: unknown }).pipe === 'function'
    ) {
      continue; // numbers, booleans, raw bodies and streams (the CSV import parses its own)
    }
    const depth = frame.depth + 1;
    if (depth > maxDepth) {
      errors.push({ field: fieldOf(frame, root), reason: `nested more than ${maxDepth} levels deep` });
      continue;
    }
    const entries: [string, unknown][] = Array.isArray(v)
      ? v.map((item, i) => [String(i), item])
      : Object.entries(v as Record<string, unknown>);
    // Pushed in reverse so that fields are reported in the order they were sent.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i];
      const keyReason = Array.isArray(v) ? undefined : unstorableReason(key, 'property name');
      if (keyReason) {
        errors.push({ field: fieldOf(frame, root), reason: keyReason });
        continue;
      }
      stack.push({ value: item, depth, key, parent: frame });
    }
  }
  return errors.slice(0, MAX_REPORTED);
}

/**
 * Refuses, before any pipe, guard or handler sees the request, path parameters, query and body that
 * would crash the validation (too deep) or the database (NUL, lone surrogates): a 400 naming each
 * field, like a validation error, rather than a 500. Added as a `preValidation` hook, so it runs
 * after fastify has parsed the body (which it does without recursion) and for every route.
 */
export function installInputGuard(fastify: FastifyInstance, maxDepth = MAX_JSON_DEPTH): void {
  fastify.addHook('preValidation', (req, _reply, done) => {
    const errors = [
      ...findUnstorableInput(req.params, 'path', maxDepth),
      ...findUnstorableInput(req.query, 'query', maxDepth),
      ...findUnstorableInput(req.body, 'body', maxDepth),
    ];
    if (!errors.length) return done();
    done(
      ProblemException.validation(
        errors.slice(0, MAX_REPORTED),
        'The request has values that cannot be accepted.',
      ),
    );
  });
}

/**
 * Fastify's router answers a malformed URL (bad percent-encoding: 400) and an over-long path
 * parameter (414) itself, before any hook, filter or error handler, with its own JSON that quotes
 * the whole path. This answers them as problem+json instead, without the path. Given to the
 * adapter as `frameworkErrors` (in place of the Nest adapter's, which only runs the security hook
 * of features this platform does not use).
 */
export function frameworkErrorProblem(error: FastifyError, maxParamLength: number): ProblemDetails {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    const detail = `A path segment is longer than ${maxParamLength} characters.`;
    return {
      type: PROBLEM_BASE + 'uri-too-long',
      title: 'URI too long',
      status: 414,
      detail,
      errors: [{ field: 'path', reason: `a path parameter is longer than ${maxParamLength} characters` }],
    };
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    const reason = 'the path is not valid percent-encoded UTF-8';
    return {
      type: PROBLEM_BASE + 'bad-request',
      title: 'Bad request',
      status: 400,
      detail: 'The URL cannot be decoded.',
      errors: [{ field: 'path', reason }],
    };
  }
  // FST_ERR_ASYNC_CONSTRAINT and whatever a later fastify adds: no detail to leak either way.
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
  return status >= 500
    ? {
        type: PROBLEM_BASE + 'internal-error',
        title: 'Internal server error',
        status,
        detail: 'An unexpected error occurred; it has been logged with the correlation id.',
      }
    : {
        type: PROBLEM_BASE + 'bad-request',
        title: 'Bad request',
        status,
        detail: 'The request cannot be routed.',
      };
}

/** The `frameworkErrors` option of the fastify adapter: see `frameworkErrorProblem`. */
export function frameworkErrors(maxParamLength: number) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const problem = frameworkErrorProblem(error, maxParamLength);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed in the router');
    void reply
      .status(problem.status)
      .header(CORRELATION_HEADER, String(request.id))
      .header('content-type', 'application/problem+json; charset=utf-8')
      .send(problem);
  };
}
