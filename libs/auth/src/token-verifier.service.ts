import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { decodeJwt } from 'jose';
import {
  JsonWebTokenError,
  JwtService,
  NotBeforeError,
  TokenExpiredError,
  type JwtVerifyOptions,
} from '@nestjs/jwt';
import { AUTH_OPTIONS } from './auth.constants';
import type { ResolvedAuthOptions } from './auth-options.interface';
import { OidcVerifier } from './oidc-verifier';
import type { Principal } from './principal.interface';
import { principalFromClaims } from './principal.util';

@Injectable()
export class TokenVerifier {
  /**
   * The key as a KeyObject, made once: given a string, jsonwebtoken tries createPublicKey on
   * every verify and builds the secret key from the exception, about 1 ms of CPU per request.
   */
  private readonly key?: Pick<JwtVerifyOptions, 'secret' | 'publicKey'>;
  private readonly oidc?: OidcVerifier;

  constructor(
    private readonly jwt: JwtService,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {
    const k = options.key;
    if (options.oidc) this.oidc = new OidcVerifier(options.oidc);
    // @nestjs/jwt types these as string | Buffer, but hands them to jsonwebtoken, which takes a KeyObject.
    const asOption = (key: KeyObject) => key as unknown as string;
    this.key = !k
      ? undefined
      : 'secret' in k
        ? { secret: asOption(createSecretKey(Buffer.from(k.secret))) }
        : { publicKey: asOption(createPublicKey(k.publicKey)) };
  }

  /**
   * Verifies signature, algorithm, `iss`, `aud` and `exp`, then the claims; 401 on any failure.
   * With both an OpenID Provider and a local key, the token's (unverified) `iss` picks the
   * verifier; each then checks everything itself, so a wrong pick can only refuse.
   */
  async verify(token: string): Promise<Principal> {
    if (this.oidc && (!this.key || this.issuerOf(token) === this.options.oidc?.issuer))
      return this.oidc.verify(token);
    return this.verifyLocal(token, this.key as NonNullable<typeof this.key>);
  }

  private issuerOf(token: string): unknown {
    try {
      return decodeJwt(token).iss;
    } catch {
      return undefined;
    }
  }

  private async verifyLocal(token: string, key: NonNullable<typeof this.key>): Promise<Principal> {
    let claims: Record<string, unknown>;
    try {
      claims = await this.jwt.verifyAsync<Record<string, unknown>>(token, {
        ...key,
        algorithms: [this.options.algorithm],
        issuer: this.options.issuer,
        audience: this.options.audience,
      });
    } catch (err) {
      throw new UnauthorizedException(this.describe(err));
    }
    // jsonwebtoken accepts a token without `exp`; one that never expires cannot be revoked.
    if (typeof claims.exp !== 'number') throw new UnauthorizedException('token has no expiry');
    return principalFromClaims(claims);
  }

  private describe(err: unknown): string {
    if (err instanceof TokenExpiredError) return 'token expired';
    if (err instanceof NotBeforeError) return 'token not yet valid';
    if (err instanceof JsonWebTokenError) {
      const message = err.message;
      if (message === 'invalid signature') return 'token signature is invalid';
      if (message.startsWith('jwt audience invalid'))
        return `token audience must be ${this.options.audience}`;
      if (message.startsWith('jwt issuer invalid')) return `token issuer must be ${this.options.issuer}`;
      if (message === 'invalid algorithm') return `token algorithm must be ${this.options.algorithm}`;
      if (message === 'jwt malformed' || message === 'invalid token') return 'token is malformed';
    }
    return 'token is invalid';
  }
}
