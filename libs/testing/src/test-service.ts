import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  loadServiceConfig,
  provisionService,
  startService,
  type ServiceDefinition,
  type StartOptions,
} from '@kkb/bootstrap';
import type { BaseServiceConfig } from '@kkb/platform';
import type { TestRun } from './test-run';

export interface TestService<C extends BaseServiceConfig = BaseServiceConfig> {
  app: NestFastifyApplication;
  config: C;
  /** `app.inject` with a bearer token (national by default). */
  request(opts: {
    method: string;
    url: string;
    payload?: unknown;
    token?: string;
    headers?: Record<string, string>;
  }): Promise<{
    statusCode: number;
    headers: Record<string, unknown>;
    json: () => unknown;
    body: string;
  }>;
  close(): Promise<void>;
}

/** Provisions the service's schema and role for this run, migrates and starts it in-process. */
export async function startTestService<C extends BaseServiceConfig>(
  run: TestRun,
  def: ServiceDefinition<C>,
  opts: StartOptions & { env?: Record<string, string> } = {},
): Promise<TestService<C>> {
  const config = loadServiceConfig(def, { ...process.env, ...run.env(def.name, opts.env) });
  await provisionService(def, config);
  const app = await startService(def, config, { listen: false, quiet: true, ...opts });
  let closed = false;
  return {
    app,
    config,
    request: async ({ method, url, payload, token, headers }) => {
      const res = await app.inject({
        method: method as never,
        url,
        payload: payload as never,
        headers: { authorization: `Bearer ${token ?? run.token()}`, ...(headers ?? {}) },
      });
      return { statusCode: res.statusCode, headers: res.headers, json: () => res.json(), body: res.body };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
    },
  };
}
