import { createPublicKey } from 'node:crypto';
import {
  DEFAULT_JWT_AUDIENCE,
  DEFAULT_JWT_ISSUER,
  DEFAULT_OIDC_ROLE_CLAIM,
  DEFAULT_OIDC_SCOPE_CLAIM,
  LOCAL_DEV_JWT_SECRET,
} from './auth.constants';
import {
  OIDC_ALGORITHMS,
  type AuthModuleOptions,
  type OidcAlgorithm,
  type OidcOptions,
  type ResolvedAuthOptions,
  type ResolvedOidcOptions,
} from './auth-options.interface';
import { asymmetricAlgorithmFor, pemFromEnv } from './jwt-key.util';

/**
 * Fails at boot, naming the variable, rather than letting every request fail later. There is
 * deliberately no fallback to LOCAL_DEV_JWT_SECRET: a forgotten JWT_SECRET in a cluster must not
 * quietly accept tokens anyone can mint.
 *
 * With OIDC_ISSUER (or `options.oidc`) the services accept the OpenID Provider's access tokens;
 * JWT_SECRET / JWT_PUBLIC_KEY may be set as well (a laptop's tools/token.mjs and demo seed), and
 * each token is checked against the one its `iss` names.
 */
export function resolveAuthOptions(
  options: AuthModuleOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedAuthOptions {
  const explicit = options.secret !== undefined || options.publicKey !== undefined;
  const secret = explicit ? options.secret : env.JWT_SECRET || undefined;
  const publicKey = explicit ? options.publicKey : env.JWT_PUBLIC_KEY || undefined;
  const issuer = options.issuer ?? (env.JWT_ISSUER || DEFAULT_JWT_ISSUER);
  const audience = options.audience ?? (env.JWT_AUDIENCE || DEFAULT_JWT_AUDIENCE);

  const oidc = resolveOidcOptions(options.oidc, env);

  if (secret && publicKey) {
    throw new Error('auth: set either JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256/ES256), not both');
  }
  if (secret) {
    if (env.NODE_ENV === 'production' && secret === LOCAL_DEV_JWT_SECRET) {
      throw new Error(
        'auth: JWT_SECRET is the public local development secret; set a real one in production',
      );
    }
    return { key: { secret }, algorithm: 'HS256', issuer, audience, ...(oidc && { oidc }) };
  }
  if (publicKey) {
    const pem = pemFromEnv(publicKey);
    let key;
    try {
      key = createPublicKey(pem);
    } catch (err) {
      throw new Error(`auth: JWT_PUBLIC_KEY is not a readable PEM public key (${(err as Error).message})`);
    }
    return {
      key: { publicKey: pem },
      algorithm: asymmetricAlgorithmFor(key, 'JWT_PUBLIC_KEY'),
      issuer,
      audience,
      ...(oidc && { oidc }),
    };
  }
  if (oidc) return { algorithm: 'RS256', issuer, audience, oidc };
  throw new Error(
    `auth: OIDC_ISSUER, JWT_SECRET or JWT_PUBLIC_KEY is required (for local runs: JWT_SECRET=${LOCAL_DEV_JWT_SECRET})`,
  );
}

const CLAIM_PATH = /^[A-Za-z_][\w:-]*(\.[A-Za-z_][\w:-]*)*$/;

function resolveOidcOptions(
  option: OidcOptions | false | undefined,
  env: NodeJS.ProcessEnv,
): ResolvedOidcOptions | undefined {
  if (option === false) return undefined;
  const given: Partial<OidcOptions> = option ?? {
    issuer: env.OIDC_ISSUER || undefined,
    audience: env.OIDC_AUDIENCE || undefined,
    jwksUrl: env.OIDC_JWKS_URL || undefined,
    roleClaim: env.OIDC_ROLE_CLAIM || undefined,
    scopeClaim: env.OIDC_SCOPE_CLAIM || undefined,
    algorithms: env.OIDC_ALGORITHMS
      ? (env.OIDC_ALGORITHMS.split(',').map((a) => a.trim()) as OidcAlgorithm[])
      : undefined,
  };
  if (!given.issuer) {
    if (option === undefined && (env.OIDC_AUDIENCE || env.OIDC_JWKS_URL))
      throw new Error('auth: OIDC_AUDIENCE / OIDC_JWKS_URL are set but OIDC_ISSUER is not');
    if (option) throw new Error('auth: oidc.issuer is required');
    return undefined;
  }
  const issuer = given.issuer;
  if (!given.audience) throw new Error('auth: OIDC_AUDIENCE is required with OIDC_ISSUER');
  const httpUrl = (value: string, variable: string) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new Error(`auth: ${variable}=${value} is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new Error(`auth: ${variable}=${value} must be an http(s) URL`);
    if (url.protocol === 'http:' && env.NODE_ENV === 'production' && !isLoopback(url.hostname))
      throw new Error(`auth: ${variable}=${value} must use https in production`);
  };
  httpUrl(issuer, 'OIDC_ISSUER');
  if (given.jwksUrl) httpUrl(given.jwksUrl, 'OIDC_JWKS_URL');
  const roleClaim = given.roleClaim ?? DEFAULT_OIDC_ROLE_CLAIM;
  const scopeClaim = given.scopeClaim ?? DEFAULT_OIDC_SCOPE_CLAIM;
  for (const [variable, claim] of [
    ['OIDC_ROLE_CLAIM', roleClaim],
    ['OIDC_SCOPE_CLAIM', scopeClaim],
  ]) {
    if (!CLAIM_PATH.test(claim))
      throw new Error(`auth: ${variable}=${claim} is not a claim name or dotted path`);
  }
  const algorithms = given.algorithms ?? [...OIDC_ALGORITHMS];
  const unknown = algorithms.filter((a) => !(OIDC_ALGORITHMS as readonly string[]).includes(a));
  if (unknown.length || algorithms.length === 0)
    throw new Error(
      `auth: OIDC_ALGORITHMS may list only ${OIDC_ALGORITHMS.join(', ')} (got ${algorithms.join(', ') || 'none'})`,
    );
  return {
    issuer,
    audience: given.audience,
    ...(given.jwksUrl && { jwksUrl: given.jwksUrl }),
    roleClaim,
    scopeClaim,
    algorithms,
    jwksCacheMaxAgeMs: given.jwksCacheMaxAgeMs ?? 10 * 60_000,
    jwksCooldownMs: given.jwksCooldownMs ?? 30_000,
  };
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname);
}
