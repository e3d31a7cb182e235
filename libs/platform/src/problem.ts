import { HttpException, HttpStatus, type ValidationError } from '@nestjs/common';

/** One failing field of a request: `field` is a dotted path into the body or query. */
export interface FieldError {
  field: string;
  reason: string;
}

/** RFC 9457 problem details, as every error of the API is sent. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/**
 * The prefix of every problem `type` URI. The front door serves a page for each type at
 * `/problems/<name>` (apps/front-door/src/docs.ts), so a deployment sets `KKB_PROBLEM_BASE` to its
 * public origin followed by `/problems/` (e.g. `https://kampungkb.bkkbn.go.id/problems/`) for every
 * service and the front door alike, and the type URIs resolve to those pages.
 */
export const PROBLEM_BASE = problemBase(process.env.KKB_PROBLEM_BASE);

export function problemBase(value: string | undefined): string {
  if (value === undefined || value === '') return 'https://kampungkb.example/problems/';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`KKB_PROBLEM_BASE=${value} is not an absolute URL`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.pathname.endsWith('/problems/'))
    throw new Error(`KKB_PROBLEM_BASE=${value} must be an http(s) URL ending in /problems/`);
  return url.href;
}

/** An error that already knows its problem type; thrown by use cases and the validation pipe. */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly problemType: string,
    title: string,
    detail?: string,
    readonly errors?: FieldError[],
    readonly extensions: Record<string, unknown> = {},
  ) {
    super({ title, detail, errors }, status);
  }

  static validation(errors: FieldError[], detail = 'The request has invalid fields.'): ProblemException {
    return new ProblemException(
      HttpStatus.BAD_REQUEST,
      'validation-failed',
      'Validation failed',
      detail,
      errors,
    );
  }

  static notFound(what: string): ProblemException {
    return new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `${what} was not found.`);
  }

  static conflict(detail: string, errors?: FieldError[]): ProblemException {
    return new ProblemException(HttpStatus.CONFLICT, 'conflict', 'Conflict', detail, errors);
  }
}

export function validationErrorsToFields(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const reason of Object.values(e.constraints ?? {})) out.push({ field, reason });
    if (e.children?.length) out.push(...validationErrorsToFields(e.children, field));
  }
  return out;
}
