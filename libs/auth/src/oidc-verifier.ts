import { ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { ResolvedOidcOptions } from './auth-options.interface';
import type { Principal } from './principal.interface';
import { principalFromClaims } from './principal.util';
import { isRole } from './role.enum';

/**
 * Verifies an OpenID Provider's JWT access tokens against its JWKS. The key set is fetched once
 * (discovered from the issuer's metadata unless OIDC_JWKS_URL names it) and kept by jose's
 * createRemoteJWKSet: refetched after `jwksCacheMaxAgeMs`, or at once (at most every
 * `jwksCooldownMs`) when a token names a `kid` it does not hold, which is how a rotation shows.
 * So no request waits on the network except the first and those just after a rotation.
 */
export class OidcVerifier {
  private keys?: Promise<JWTVerifyGetKey>;

  constructor(private readonly options: ResolvedOidcOptions) {}

  async verify(token: string): Promise<Principal> {
    const keys = await this.keySet();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: this.options.algorithms,
        // A token that never expires cannot be revoked.
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      throw this.refusal(err);
    }
    const name = payload.name ?? payload.preferred_username;
    return principalFromClaims({
      sub: payload.sub,
      ...(name !== undefined && { name }),
      role: roleFrom(claimAt(payload, this.options.roleClaim)),
      scope: claimAt(payload, this.options.scopeClaim),
    });
  }

  private keySet(): Promise<JWTVerifyGetKey> {
    if (!this.keys) {
      this.keys = this.discover().catch((err: unknown) => {
        this.keys = undefined; // the next request tries again
        throw new ServiceUnavailableException(
          `the identity provider's keys could not be fetched (${(err as Error).message})`,
        );
      });
    }
    return this.keys;
  }

  private async discover(): Promise<JWTVerifyGetKey> {
    let jwksUrl = this.options.jwksUrl;
    if (!jwksUrl) {
      const where = `${this.options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const res = await fetch(where, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`${where} answered ${res.status}`);
      const metadata = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
      // RFC 8414 §3.3: the metadata must name the issuer it was fetched for.
      if (metadata.issuer !== this.options.issuer)
        throw new Error(`${where} names issuer ${String(metadata.issuer)}, not ${this.options.issuer}`);
      if (typeof metadata.jwks_uri !== 'string') throw new Error(`${where} has no jwks_uri`);
      jwksUrl = metadata.jwks_uri;
    }
    return createRemoteJWKSet(new URL(jwksUrl), {
      cacheMaxAge: this.options.jwksCacheMaxAgeMs,
      cooldownDuration: this.options.jwksCooldownMs,
      timeoutDuration: 5000,
    });
  }

  private refusal(err: unknown): Error {
    if (err instanceof errors.JWTExpired) return new UnauthorizedException('token expired');
    if (err instanceof errors.JWTClaimValidationFailed) {
      if (err.claim === 'iss')
        return new UnauthorizedException(`token issuer must be ${this.options.issuer}`);
      if (err.claim === 'aud')
        return new UnauthorizedException(`token audience must be ${this.options.audience}`);
      if (err.claim === 'nbf') return new UnauthorizedException('token not yet valid');
      if (err.claim === 'exp') return new UnauthorizedException('token has no expiry');
      if (err.claim === 'sub') return new UnauthorizedException('token has no subject');
      return new UnauthorizedException(`token claim ${err.claim} is invalid`);
    }
    if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported)
      return new UnauthorizedException(
        `token algorithm must be one of ${this.options.algorithms.join(', ')}`,
      );
    if (err instanceof errors.JWSSignatureVerificationFailed)
      return new UnauthorizedException('token signature is invalid');
    if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys)
      return new UnauthorizedException("token is not signed by one of the identity provider's keys");
    if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid)
      return new UnauthorizedException('token is malformed');
    if (
      err instanceof errors.JWKSTimeout ||
      err instanceof errors.JWKSInvalid ||
      !(err instanceof errors.JOSEError)
    )
      return new ServiceUnavailableException(
        `the identity provider's keys could not be fetched (${(err as Error).message})`,
      );
    return new UnauthorizedException('token is invalid');
  }
}

/** A claim by name or dotted path (`realm_access.roles`). */
export function claimAt(payload: Record<string, unknown>, path: string): unknown {
  if (path in payload) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * A role claim may be a list (Keycloak's realm or client roles): it must then hold exactly one of
 * the platform's roles, other entries (offline_access...) being ignored.
 */
function roleFrom(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const known = value.filter(isRole);
  if (known.length === 1) return known[0];
  throw new UnauthorizedException(
    known.length === 0
      ? 'token role claim holds none of the platform roles'
      : `token role claim holds more than one platform role (${known.join(', ')})`,
  );
}
