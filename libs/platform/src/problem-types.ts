import { PROBLEM_BASE } from './problem';

/**
 * One problem `type` the platform can answer with (RFC 9457). The type URI is
 * `PROBLEM_BASE + name`; the front door serves a page for each at `/problems/<name>`.
 */
export interface ProblemType {
  /** The last segment of the type URI, e.g. `out-of-scope`. */
  readonly name: string;
  /** The HTTP status it comes with (the usual one when several are possible). */
  readonly status: number;
  readonly title: string;
  /** What it means. */
  readonly meaning: string;
  /** When the platform answers with it. */
  readonly when: string;
  /** What the caller can do about it. */
  readonly action: string;
}

/**
 * Every problem type the code can emit: the services' ProblemException types, the titles the
 * problem filter turns into types, and the front door's own answers. problem-types.spec.ts scans
 * the sources and fails when a type is used that is not listed here.
 */
export const PROBLEM_TYPES: readonly ProblemType[] = [
  {
    name: 'validation-failed',
    status: 400,
    title: 'Validation failed',
    meaning: 'One or more fields of the request body or query are invalid.',
    when: 'A field is missing, has the wrong type or format, or is out of range. `errors` lists each field (a dotted path) and the reason.',
    action: 'Correct the fields named in `errors` and send the request again.',
  },
  {
    name: 'bad-request',
    status: 400,
    title: 'Bad request',
    meaning: 'The request cannot be read as it is.',
    when: 'The body is not valid JSON, a path has dot segments or encoded separators, a path parameter is malformed (a region code that is not one), or the request is otherwise malformed.',
    action: 'Fix the request; `detail` and, when present, `errors` say what is wrong.',
  },
  {
    name: 'unauthorized',
    status: 401,
    title: 'Unauthorized',
    meaning: 'The request carries no valid bearer token.',
    when: 'The `Authorization: Bearer` header is missing, or the token is expired, badly signed, or issued for another issuer or audience.',
    action:
      'Get a fresh token from the identity provider (client credentials for an integrator) and send it as `Authorization: Bearer <token>`.',
  },
  {
    name: 'forbidden',
    status: 403,
    title: 'Forbidden',
    meaning: "The caller's role does not allow this operation.",
    when: 'The token is valid but its role may not use the endpoint (for example a field officer publishing a rule set).',
    action: 'Use an account with the role the operation needs, or ask an administrator for it.',
  },
  {
    name: 'out-of-scope',
    status: 403,
    title: 'Out of scope',
    meaning: "The resource or region is outside the caller's region scope.",
    when: 'A province, regency or village officer asks for, or changes, something in a region their token does not cover.',
    action:
      'Ask only about regions inside your scope (the region claim of your token), or use an account whose scope covers the region.',
  },
  {
    name: 'not-found',
    status: 404,
    title: 'Not found',
    meaning: 'The resource does not exist, or no route matches the path.',
    when: 'An id or code names nothing (or something the caller may not know exists), or the path is not part of the API.',
    action:
      'Check the id or the path. Ids are UUIDs; region codes are dotted Kemendagri codes such as `16.10`.',
  },
  {
    name: 'method-not-allowed',
    status: 405,
    title: 'Method not allowed',
    meaning: 'The path exists but not with this HTTP method.',
    when: 'For example a POST to a page of the console or to a read-only resource.',
    action: 'Use the method the API reference gives for the path.',
  },
  {
    name: 'not-acceptable',
    status: 406,
    title: 'Not acceptable',
    meaning: 'The server cannot answer in a format the `Accept` header allows.',
    when: 'The `Accept` header excludes every media type the endpoint produces.',
    action:
      'Accept `application/json` (and `application/problem+json` for errors), or the export format the endpoint documents.',
  },
  {
    name: 'conflict',
    status: 409,
    title: 'Conflict',
    meaning: 'The request conflicts with the current state of the resource.',
    when: 'Something with the same key exists already, or another change came first (an import already running, a duplicate registration).',
    action: 'Read the resource again, reconcile, and retry if the change still makes sense.',
  },
  {
    name: 'invalid-state',
    status: 409,
    title: 'Conflict',
    meaning: "The resource's state does not allow the change.",
    when: 'For example verifying or rejecting a submission that is no longer `submitted`. The problem carries the current state (e.g. `submissionStatus`).',
    action:
      'Read the resource to see its state; only a resource in the state the operation expects can be changed this way.',
  },
  {
    name: 'stale-version',
    status: 412,
    title: 'Precondition failed',
    meaning: 'The `If-Match` version is not the current version of the resource.',
    when: 'Somebody changed the kampung after you read it, so your change would overwrite theirs.',
    action:
      'GET the resource again, take its new `ETag`, re-apply your change and send it with the new `If-Match`.',
  },
  {
    name: 'precondition-failed',
    status: 412,
    title: 'Precondition failed',
    meaning: 'A precondition header of the request does not hold.',
    when: 'A conditional request (`If-Match`) does not match the current version.',
    action: 'Read the resource again and retry with its current version.',
  },
  {
    name: 'subscription-gone',
    status: 409,
    title: 'Subscription stopped',
    meaning: 'The webhook subscription was stopped because its endpoint answered 410 Gone.',
    when: 'Pinging, replaying or redelivering on a subscription whose endpoint said it is gone.',
    action: 'Fix the endpoint, then resume the subscription (`POST /api/v1/subscriptions/{id}/resume`).',
  },
  {
    name: 'payload-too-large',
    status: 413,
    title: 'Payload too large',
    meaning: 'The request body is larger than the endpoint accepts.',
    when: 'A JSON body over the service limit, or an import file over its size limit.',
    action: 'Send a smaller body: split an import into several files.',
  },
  {
    name: 'uri-too-long',
    status: 414,
    title: 'URI too long',
    meaning: 'The URL, or one of its path segments, is too long.',
    when: 'A path segment is longer than the router accepts, or the query string is very long.',
    action: 'Shorten the URL; pass long filters in several requests.',
  },
  {
    name: 'unsupported-media-type',
    status: 415,
    title: 'Unsupported media type',
    meaning: 'The body is in a format the endpoint does not take.',
    when: 'A JSON endpoint called with another `Content-Type`, or an import that is not CSV or XLSX.',
    action: 'Send the `Content-Type` the API reference gives for the endpoint.',
  },
  {
    name: 'unprocessable-content',
    status: 422,
    title: 'Unprocessable content',
    meaning: 'The request is well-formed but cannot be carried out.',
    when: 'The content is valid on its own but not acceptable in context.',
    action: 'Read `detail`, correct the content and retry.',
  },
  {
    name: 'precondition-required',
    status: 428,
    title: 'Precondition required',
    meaning: 'The change needs an `If-Match` header.',
    when: 'Changing a kampung without saying which version you read, so a concurrent change could be lost.',
    action: 'GET the resource, and send its `ETag` as `If-Match` with the change.',
  },
  {
    name: 'too-many-requests',
    status: 429,
    title: 'Too many requests',
    meaning: 'The caller has used up its request allowance for the moment.',
    when: 'More requests in the current window than the limit for the client and role.',
    action:
      'Wait the number of seconds in the `Retry-After` header, then retry; spread requests out, or ask the operators for a higher limit.',
  },
  {
    name: 'rate-limited',
    status: 429,
    title: 'Too many requests',
    meaning: "The client has made more requests than its role's limit allows in the current window.",
    when: 'Rate limits are on (RATE_LIMIT_* settings) and this client (the token subject, or the address of a caller without a token) used up its allowance; `limit` and `retryAfter` in the answer say how many and for how long.',
    action:
      'Wait the seconds in the `Retry-After` header, then go on; spread requests out (the event feed with `wait` long-polls instead of polling fast), or ask the operators for a higher limit for your role.',
  },
  {
    name: 'internal-error',
    status: 500,
    title: 'Internal server error',
    meaning: 'Something failed inside the platform.',
    when: "An unexpected error; it is logged with the request's correlation id. No detail is given to the caller.",
    action:
      'Retry later. If it persists, report the time and the `x-correlation-id` response header to the operators.',
  },
  {
    name: 'internal-server-error',
    status: 500,
    title: 'Internal server error',
    meaning: 'Something failed inside the platform.',
    when: 'An unexpected error raised as an HTTP 500; it is logged with the correlation id.',
    action:
      'Retry later. If it persists, report the time and the `x-correlation-id` response header to the operators.',
  },
  {
    name: 'error',
    status: 500,
    title: 'Error',
    meaning: 'An error with an HTTP status the platform has no specific page for.',
    when: 'Rarely: an error from the framework with an unusual status.',
    action: 'Read `status` and `detail`; retry later if it is a 5xx.',
  },
  {
    name: 'bad-gateway',
    status: 502,
    title: 'Bad Gateway',
    meaning: 'The front door got no usable answer from the service behind it.',
    when: 'The service failed in an unexpected way while answering.',
    action: 'Retry later; report persistent failures to the operators.',
  },
  {
    name: 'service-unavailable',
    status: 503,
    title: 'Service unavailable',
    meaning: 'The service, or the database behind it, cannot answer at the moment.',
    when: 'During a restart or a database failover, or when the service behind the front door is down. A `Retry-After` header may say when to try again.',
    action: 'Retry after the `Retry-After` delay (or a few seconds), with backoff.',
  },
  {
    name: 'gateway-timeout',
    status: 504,
    title: 'Gateway Timeout',
    meaning: 'The service behind the front door did not answer in time.',
    when: 'A slow request (a large export, a busy database).',
    action: 'Retry later, or narrow the request (a smaller region or page).',
  },
];

const BY_NAME = new Map(PROBLEM_TYPES.map((p) => [p.name, p]));

/** The table entry for a type name, or for a full type URI. */
export function findProblemType(nameOrUri: string): ProblemType | undefined {
  return BY_NAME.get(nameOrUri.startsWith(PROBLEM_BASE) ? nameOrUri.slice(PROBLEM_BASE.length) : nameOrUri);
}
