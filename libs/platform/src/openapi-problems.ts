import { PROBLEM_BASE } from './problem';

/** An OpenAPI 3 document as plain data (what @nestjs/swagger's createDocument returns). */
export type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: Record<string, Record<string, unknown>>;
};

export interface OpenApiOperation {
  summary?: string;
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  responses?: Record<string, { description?: string; content?: Record<string, unknown>; $ref?: string }>;
  security?: Record<string, string[]>[];
  [key: string]: unknown;
}

/** RFC 9457 problem details as the platform sends them (`application/problem+json`). */
export const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details. `type` links to a page that explains the problem.',
  required: ['type', 'title', 'status'],
  properties: {
    type: {
      type: 'string',
      format: 'uri',
      description: 'Identifies the problem; open it for an explanation.',
      example: `${PROBLEM_BASE}out-of-scope`,
    },
    title: { type: 'string', example: 'Out of scope' },
    status: { type: 'integer', minimum: 400, maximum: 599, example: 403 },
    detail: { type: 'string', description: 'What went wrong for this request.' },
    instance: { type: 'string', description: 'The path of the request.' },
    errors: {
      type: 'array',
      description: 'The failing fields, for a validation problem.',
      items: {
        type: 'object',
        required: ['field', 'reason'],
        properties: {
          field: { type: 'string', description: 'Dotted path into the body or query, e.g. `period.month`.' },
          reason: { type: 'string' },
        },
      },
    },
  },
  additionalProperties: true,
} as const;

/** Response descriptions of the error statuses. */
const ERROR_RESPONSES: Record<number, string> = {
  400: 'Bad request: invalid JSON, parameters or fields (`errors` lists them).',
  401: 'No valid bearer token.',
  403: "The caller's role may not do this, or the resource is outside the caller's region scope.",
  404: 'Not found, or not visible to the caller.',
  409: 'Conflicts with the current state of the resource.',
  412: 'The If-Match version is not the current one.',
  413: 'The body is too large.',
  414: 'The URL or a path segment is too long.',
  415: 'The body has a content type the operation does not take.',
  428: 'The operation needs an If-Match header.',
  429: 'Rate limit reached; retry after the Retry-After header.',
  503: 'The service or its database is unavailable for the moment; retry after Retry-After.',
};

const MUTATIONS = new Set(['post', 'put', 'patch', 'delete']);

/**
 * The error statuses an operation can answer, from what it takes: every API operation can answer
 * 400, 401, 403, 429 and 503 (bad query, token, role or scope, rate limit, database away); one
 * with a path parameter 404 and 414; one with a body 413 and 415; a change 409; one that takes
 * `If-Match` 412 and 428. Statuses the operation documents itself are kept as well.
 */
export function errorStatusesOf(method: string, operation: OpenApiOperation): number[] {
  const statuses = new Set([400, 401, 403, 429, 503]);
  const params = operation.parameters ?? [];
  if (params.some((p) => p.in === 'path')) [404, 414].forEach((s) => statuses.add(s));
  if (operation.requestBody) [413, 415].forEach((s) => statuses.add(s));
  if (MUTATIONS.has(method)) statuses.add(409);
  if (params.some((p) => p.in === 'header' && p.name.toLowerCase() === 'if-match'))
    [412, 428].forEach((s) => statuses.add(s));
  for (const code of Object.keys(operation.responses ?? {}))
    if (/^[45]\d\d$/.test(code) && ERROR_RESPONSES[+code]) statuses.add(+code);
  return [...statuses].sort((a, b) => a - b);
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * Adds to every operation of `doc` its error responses as `application/problem+json` with the
 * `Problem` schema (see errorStatusesOf), a `Retry-After` header on 429 and 503, and the bearer
 * security requirement when it has none. Returns a new document.
 */
export function withProblemResponses(doc: OpenApiDocument, securityScheme = 'bearer'): OpenApiDocument {
  const out = structuredClone(doc);
  out.components ??= {};
  out.components.schemas = { ...out.components.schemas, Problem: PROBLEM_SCHEMA };
  out.components.headers = {
    ...out.components.headers,
    RetryAfter: {
      description: 'Seconds to wait before retrying.',
      schema: { type: 'integer', minimum: 0 },
    },
  };
  out.components.responses = { ...out.components.responses };
  for (const [status, description] of Object.entries(ERROR_RESPONSES)) {
    out.components.responses[`Problem${status}`] = {
      description,
      ...(status === '429' || status === '503'
        ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } }
        : {}),
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  for (const item of Object.values(out.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method)) continue;
      operation.responses ??= {};
      for (const status of errorStatusesOf(method, operation)) {
        const own = operation.responses[String(status)];
        // An operation's own description of the error (e.g. why an import conflicts) is kept.
        operation.responses[String(status)] = own?.description
          ? {
              ...own,
              content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
            }
          : { $ref: `#/components/responses/Problem${status}` };
      }
      if (!operation.security?.length) operation.security = [{ [securityScheme]: [] }];
    }
  }
  return out;
}
