import path from 'node:path';
import { DEFAULT_JWT_AUDIENCE, DEFAULT_JWT_ISSUER } from '@kkb/auth';
import type { RouteTable } from './route-table';

export type Mode = 'development' | 'production';

export interface FrontDoorConfig {
  host: string;
  port: number;
  /** development serves the sign-in page's /dev routes; production answers them 404. */
  mode: Mode;
  /** service name -> base URL the front door proxies to. */
  upstreams: Record<string, string>;
  /** The built console (vite build output). */
  consoleDir: string;
  jwt: { secret?: string; issuer: string; audience: string };
  tiles: { url: string; attribution: string };
  /** Log each proxied request (off by default: the services log their own requests). */
  logRequests: boolean;
  /** Where openapi.json, asyncapi.json and api-docs.html are (default: beside routes.json; docs.ts). */
  docsDir?: string;
}

const DEFAULT_TILES = {
  url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
  attribution: '&copy; OpenStreetMap contributors',
};

/**
 * Reads the front door's settings from the environment and fails fast, naming the variable.
 *   PORT (3000), HOST (0.0.0.0), KKB_MODE (development, or production when NODE_ENV=production),
 *   <SERVICE>_URL (e.g. REGISTRY_URL; default http://127.0.0.1:<the table's port>),
 *   CONSOLE_DIR (dist/apps/console), JWT_SECRET (development sign-in), JWT_ISSUER, JWT_AUDIENCE,
 *   MAP_TILE_URL, MAP_TILE_ATTRIBUTION, FRONT_DOOR_LOG_REQUESTS.
 */
export function frontDoorConfig(table: RouteTable, env: NodeJS.ProcessEnv = process.env): FrontDoorConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT=${env.PORT} is not a port`);
  const mode = (env.KKB_MODE ?? (env.NODE_ENV === 'production' ? 'production' : 'development')) as Mode;
  if (mode !== 'development' && mode !== 'production')
    throw new Error(`KKB_MODE=${env.KKB_MODE} must be development or production`);
  if (mode === 'development' && env.NODE_ENV === 'production')
    throw new Error('KKB_MODE=development is refused with NODE_ENV=production (it signs anyone in)');
  const upstreams: Record<string, string> = {};
  for (const [name, { port: servicePort }] of Object.entries(table.services)) {
    const variable = `${name.toUpperCase().replace(/-/g, '_')}_URL`;
    const value = env[variable] ?? `http://127.0.0.1:${servicePort}`;
    try {
      const url = new URL(value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
      upstreams[name] = url.origin;
    } catch {
      throw new Error(`${variable}=${value} is not an http(s) URL`);
    }
  }
  if (mode === 'development' && !env.JWT_SECRET)
    throw new Error('JWT_SECRET is required in development mode (the sign-in page signs tokens with it)');
  return {
    host: env.HOST ?? '0.0.0.0',
    port,
    mode,
    upstreams,
    consoleDir: path.resolve(env.CONSOLE_DIR ?? path.join(__dirname, '..', '..', 'console')),
    jwt: {
      secret: mode === 'development' ? env.JWT_SECRET : undefined,
      issuer: env.JWT_ISSUER ?? DEFAULT_JWT_ISSUER,
      audience: env.JWT_AUDIENCE ?? DEFAULT_JWT_AUDIENCE,
    },
    tiles: {
      url: env.MAP_TILE_URL ?? DEFAULT_TILES.url,
      attribution: env.MAP_TILE_ATTRIBUTION ?? DEFAULT_TILES.attribution,
    },
    logRequests: ['1', 'true', 'yes'].includes(String(env.FRONT_DOOR_LOG_REQUESTS).toLowerCase()),
  };
}
