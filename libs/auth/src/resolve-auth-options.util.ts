import { createPublicKey } from 'node:crypto';
import { DEFAULT_JWT_AUDIENCE, DEFAULT_JWT_ISSUER, LOCAL_DEV_JWT_SECRET } from './auth.constants';
import type { AuthModuleOptions, ResolvedAuthOptions } from './auth-options.interface';
import { asymmetricAlgorithmFor, pemFromEnv } from './jwt-key.util';

/**
 * Fails at boot, naming the variable, rather than letting every request fail later. There is
 * deliberately no fallback to LOCAL_DEV_JWT_SECRET: a forgotten JWT_SECRET in a cluster must not
 * quietly accept tokens anyone can mint.
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

  if (secret && publicKey) {
    throw new Error('auth: set either JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256/ES256), not both');
  }
  if (secret) {
    if (env.NODE_ENV === 'production' && secret === LOCAL_DEV_JWT_SECRET) {
      throw new Error(
        'auth: JWT_SECRET is the public local development secret; set a real one in production',
      );
    }
    return { key: { secret }, algorithm: 'HS256', issuer, audience };
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
    };
  }
  throw new Error(
    `auth: JWT_SECRET or JWT_PUBLIC_KEY is required (for local runs: JWT_SECRET=${LOCAL_DEV_JWT_SECRET})`,
  );
}
