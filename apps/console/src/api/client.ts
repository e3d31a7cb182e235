// One openapi-fetch client per service, typed from the services' OpenAPI documents
// (src/api/generated/<service>.ts, written by `npm run openapi`). Every call goes through the
// front door on the same origin; a middleware adds the bearer token, turns problem+json errors
// into a thrown ApiError, and sends the user to sign-in on a 401.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths as RegistryPaths } from './generated/registry';
import type { paths as SurveyPaths } from './generated/survey';
import type { paths as ClassificationPaths } from './generated/classification';
import type { paths as NotificationsPaths } from './generated/notifications';
import { getToken, onUnauthorized } from '../auth/token-store';

/** A failed API call, from the service's RFC 9457 problem document when there is one. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  readonly errors?: unknown;

  constructor(status: number, title: string, detail?: string, errors?: unknown) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = errors;
  }
}

interface Problem {
  title?: string;
  detail?: string;
  errors?: unknown;
  message?: string | string[];
}

/** Reads the error body of a failed response into an ApiError (problem+json or plain JSON or text). */
export async function toApiError(response: Response): Promise<ApiError> {
  let body: Problem = {};
  try {
    const text = await response.clone().text();
    body = text ? (JSON.parse(text) as Problem) : {};
  } catch {
    body = {};
  }
  const detail = body.detail ?? (Array.isArray(body.message) ? body.message.join('; ') : body.message);
  return new ApiError(response.status, body.title ?? response.statusText ?? 'Error', detail, body.errors);
}

export const authMiddleware: Middleware = {
  onRequest({ request }) {
    const token = getToken();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  async onResponse({ response }) {
    if (response.ok) return response;
    if (response.status === 401) onUnauthorized();
    throw await toApiError(response);
  },
};

function client<P extends object>() {
  const c = createClient<P>({ baseUrl: '' });
  c.use(authMiddleware);
  return c;
}

export const api = {
  registry: client<RegistryPaths>(),
  survey: client<SurveyPaths>(),
  classification: client<ClassificationPaths>(),
  notifications: client<NotificationsPaths>(),
};

/** Fetches with the bearer token outside the typed clients (downloads, dev sign-in). */
export async function authorizedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = getToken();
  if (token) headers.set('authorization', `Bearer ${token}`);
  const response = await fetch(url, { ...init, headers });
  if (!response.ok) {
    if (response.status === 401) onUnauthorized();
    throw await toApiError(response);
  }
  return response;
}

/**
 * The data of an openapi-fetch result. Errors were already thrown by the middleware, so a
 * missing body here means an empty success (204). Call it as `data<SomeView>(await api.x.GET(...))`:
 * where the OpenAPI document has a schema for the response, TypeScript checks that it fits the
 * view the page reads; where it has none yet (typed `undefined`), the view is taken as given.
 */
export function data<T>(result: { data?: T; error?: unknown }): T {
  if (result.error !== undefined && result.data === undefined) {
    throw result.error instanceof Error ? result.error : new ApiError(500, 'Error');
  }
  return result.data as T;
}
