import { createPrivateKey } from 'node:crypto';
import { JwtService, type JwtSignOptions } from '@nestjs/jwt';
import { DEFAULT_JWT_AUDIENCE, DEFAULT_JWT_ISSUER } from './auth.constants';
import { asymmetricAlgorithmFor } from './jwt-key.util';
import type { Role } from './role.enum';

interface MintTokenClaims {
  role: Role;
  scope: string;
  sub: string;
  name?: string;
  /** Seconds or a duration such as '12h'; negative makes an already expired token. Default '1h'. */
  expiresIn?: JwtSignOptions['expiresIn'];
  issuer?: string;
  audience?: string;
}

export type MintTokenOptions = MintTokenClaims &
  ({ secret: string; privateKey?: never } | { privateKey: string; secret?: never });

/**
 * Signs a token the way an identity provider would, for tests and tools/token.mjs's users.
 * The claims are not checked here, so tests can mint the bad tokens the guard must refuse.
 */
export function mintToken(options: MintTokenOptions): string {
  const { role, scope, sub, name, expiresIn = '1h', issuer, audience, secret, privateKey } = options;
  const payload = name === undefined ? { role, scope } : { name, role, scope };
  const signOptions: JwtSignOptions = {
    subject: sub,
    expiresIn,
    issuer: issuer ?? DEFAULT_JWT_ISSUER,
    audience: audience ?? DEFAULT_JWT_AUDIENCE,
  };
  if (secret !== undefined)
    return new JwtService().sign(payload, { ...signOptions, secret, algorithm: 'HS256' });
  const algorithm = asymmetricAlgorithmFor(createPrivateKey(privateKey), 'privateKey');
  return new JwtService().sign(payload, { ...signOptions, privateKey, algorithm });
}
