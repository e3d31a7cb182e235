import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_BASE, ProblemException, type ProblemDetails } from './problem';
import { recordExceptionOnActiveSpan } from './tracing';

/** The title (and, slugged, the problem type) of an HTTP error that is not a ProblemException. */
export const PROBLEM_TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  428: 'Precondition required',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

const slug = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** Seconds a client is asked to wait (Retry-After) when a dependency is away. */
export const UNAVAILABLE_RETRY_AFTER_S = 1;

const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'the database system is',
];

/**
 * Whether an error means Postgres (or another dependency) is unreachable for the moment rather
 * than that the request is wrong or the code is broken: refused or dropped connections, SQLSTATE
 * class 08 (connection exception), 57P01-57P03 (shutting down, crash recovery, starting up) and
 * 53300 (too many connections). TypeORM wraps the driver's error in `driverError`.
 */
export function isUnavailable(err: unknown): boolean {
  for (let e = err as Record<string, unknown> | undefined, depth = 0; e && depth < 3; depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (UNAVAILABLE_ERRNOS.has(code) || /^08|^57P0[123]$|^53300$/.test(code)) return true;
    const message = typeof e.message === 'string' ? e.message : '';
    if (UNAVAILABLE_MESSAGES.some((m) => message.includes(m))) return true;
    e = (e.driverError ?? e.cause) as Record<string, unknown> | undefined;
  }
  return false;
}

/** Fastify's own errors (bad JSON, body too large, wrong content type) carry a 4xx statusCode. */
function fastifyStatus(err: unknown): number | undefined {
  const e = err as { statusCode?: unknown; code?: unknown };
  return typeof e?.statusCode === 'number' && typeof e.code === 'string' && e.code.startsWith('FST_')
    ? e.statusCode
    : undefined;
}

/**
 * Turns every error into application/problem+json (RFC 9457). A 5xx never carries the cause to
 * the client; it is logged with the request's correlation id instead.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const problem = this.toProblem(exception);
    problem.instance = request?.url;
    if (problem.status >= 500) recordExceptionOnActiveSpan(exception);
    if (problem.status === 503) {
      this.logger.warn({ err: (exception as Error)?.message, url: request?.url }, 'dependency unavailable');
      void reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_S));
    } else if (problem.status >= 500) {
      this.logger.error({ err: exception, url: request?.url }, 'request failed');
    }
    void reply
      .status(problem.status)
      .header('content-type', 'application/problem+json; charset=utf-8')
      .send(problem);
  }

  toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof ProblemException) {
      const body = exception.getResponse() as { title: string; detail?: string };
      return {
        type: PROBLEM_BASE + exception.problemType,
        title: body.title,
        status: exception.getStatus(),
        detail: body.detail,
        ...(exception.errors ? { errors: exception.errors } : {}),
        ...exception.extensions,
      };
    }
    if (exception instanceof HttpException) {
      // Fastify's own 4xx errors (bad or empty JSON, wrong content type...) arrive wrapped by the
      // Nest adapter, with the FastifyError as the cause: answered as the body's problem.
      const fst = fastifyStatus(exception.cause);
      if (fst && fst < 500) return this.toProblem(exception.cause);
      const status = exception.getStatus();
      const res = exception.getResponse();
      const message =
        typeof res === 'string'
          ? res
          : Array.isArray((res as { message?: unknown }).message)
            ? undefined
            : (res as { message?: string }).message;
      const title = PROBLEM_TITLES[status] ?? 'Error';
      // An error that knows which field it is about (a malformed region code) names it.
      const field = (exception as { field?: unknown }).field;
      return {
        type: PROBLEM_BASE + slug(title),
        title,
        status,
        detail: status >= 500 ? undefined : message,
        ...(status === 400 && typeof field === 'string' && message
          ? { errors: [{ field, reason: message }] }
          : {}),
      };
    }
    const fst = fastifyStatus(exception);
    if (fst && fst < 500) {
      const e = exception as { message: string; code: string };
      const title = PROBLEM_TITLES[fst] ?? 'Bad request';
      const detail =
        e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? `The body is not valid JSON: ${e.message}`
          : e.message;
      return {
        type: PROBLEM_BASE + slug(title),
        title,
        status: fst,
        detail,
        ...(fst === 400 ? { errors: [{ field: 'body', reason: detail }] } : {}),
      };
    }
    if (isUnavailable(exception)) {
      return {
        type: PROBLEM_BASE + 'service-unavailable',
        title: PROBLEM_TITLES[HttpStatus.SERVICE_UNAVAILABLE],
        status: HttpStatus.SERVICE_UNAVAILABLE,
        detail: 'The service cannot reach its database at the moment. Try again shortly.',
      };
    }
    return {
      type: PROBLEM_BASE + 'internal-error',
      title: PROBLEM_TITLES[HttpStatus.INTERNAL_SERVER_ERROR],
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      detail: 'An unexpected error occurred; it has been logged with the correlation id.',
    };
  }
}
