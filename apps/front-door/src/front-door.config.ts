import path from 'node:path';
import {
  DEFAULT_JWT_AUDIENCE,
  DEFAULT_JWT_ISSUER,
  DEFAULT_OIDC_ROLE_CLAIM,
  DEFAULT_OIDC_SCOPE_CLAIM,
} from '@kkb/auth';
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
  /**
   * The OpenID Provider the console signs in with (authorization code + PKCE). When set, the
   * development sign-in routes are gone, in either mode.
   */
  oidc?: OidcClientConfig;
  tiles: { url: string; attribution: string };
  /** Log each proxied request (off by default: the services log their own requests). */
  logRequests: boolean;
  /** Where openapi.json, asyncapi.json and api-docs.html are (default: beside routes.json; docs.ts). */
  docsDir?: string;
}

/** What the console needs to sign in through the OpenID Provider; served in /config.json. */
export interface OidcClientConfig {
  issuer: string;
  /** The console's (public) client id at the provider. */
  clientId: string;
  /** Scopes the console asks for. */
  scope: string;
  /** RFC 8707 resource indicator the access token is for (oidc-provider); unset for Keycloak. */
  resource?: string;
  /** Where the access token carries the role and the region scope. */
  roleClaim: string;
  scopeClaim: string;
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
 *   MAP_TILE_URL, MAP_TILE_ATTRIBUTION, FRONT_DOOR_LOG_REQUESTS,
 *   OIDC_ISSUER, OIDC_CLIENT_ID (kkb-console), OIDC_CONSOLE_SCOPE (openid profile), OIDC_RESOURCE,
 *   OIDC_ROLE_CLAIM (kkb_role), OIDC_SCOPE_CLAIM (kkb_region).
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
  const oidc = oidcClientConfig(env);
  if (mode === 'development' && !env.JWT_SECRET && !oidc)
    throw new Error(
      'JWT_SECRET or OIDC_ISSUER is required in development mode (the sign-in page signs tokens with JWT_SECRET)',
    );
  return {
    host: env.HOST ?? '0.0.0.0',
    port,
    mode,
    upstreams,
    consoleDir: path.resolve(env.CONSOLE_DIR ?? path.join(__dirname, '..', '..', 'console')),
    jwt: {
      // With an OpenID Provider, nobody signs in without it: no development tokens.
      secret: mode === 'development' && !oidc ? env.JWT_SECRET : undefined,
      issuer: env.JWT_ISSUER ?? DEFAULT_JWT_ISSUER,
      audience: env.JWT_AUDIENCE ?? DEFAULT_JWT_AUDIENCE,
    },
    ...(oidc && { oidc }),
    tiles: {
      url: env.MAP_TILE_URL ?? DEFAULT_TILES.url,
      attribution: env.MAP_TILE_ATTRIBUTION ?? DEFAULT_TILES.attribution,
    },
    logRequests: ['1', 'true', 'yes'].includes(String(env.FRONT_DOOR_LOG_REQUESTS).toLowerCase()),
  };
}

function oidcClientConfig(env: NodeJS.ProcessEnv): OidcClientConfig | undefined {
  if (!env.OIDC_ISSUER) return undefined;
  let url: URL;
  try {
    url = new URL(env.OIDC_ISSUER);
  } catch {
    throw new Error(`OIDC_ISSUER=${env.OIDC_ISSUER} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`OIDC_ISSUER=${env.OIDC_ISSUER} must be an http(s) URL`);
  return {
    issuer: env.OIDC_ISSUER,
    clientId: env.OIDC_CLIENT_ID || 'kkb-console',
    scope: env.OIDC_CONSOLE_SCOPE || 'openid profile',
    ...(env.OIDC_RESOURCE && { resource: env.OIDC_RESOURCE }),
    roleClaim: env.OIDC_ROLE_CLAIM || DEFAULT_OIDC_ROLE_CLAIM,
    scopeClaim: env.OIDC_SCOPE_CLAIM || DEFAULT_OIDC_SCOPE_CLAIM,
  };
}
