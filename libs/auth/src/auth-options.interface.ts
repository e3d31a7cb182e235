/** The only algorithms accepted; pinning them rules out `alg: none` and HS/RS confusion. */
export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';

/** Asymmetric algorithms an OpenID Provider may sign access tokens with (never `none`, never HS*). */
export const OIDC_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type OidcAlgorithm = (typeof OIDC_ALGORITHMS)[number];

export interface OidcOptions {
  /** The provider's issuer identifier, exactly as in its tokens' `iss`. */
  issuer: string;
  /** The `aud` the access tokens must carry for this platform. */
  audience: string;
  /** The JWKS address; discovered from `<issuer>/.well-known/openid-configuration` when unset. */
  jwksUrl?: string;
  /** Claim (a dotted path reaches nested claims) holding the role; default `kkb_role`. */
  roleClaim?: string;
  /** Claim holding the region scope (a region code prefix, '' = national); default `kkb_region`. */
  scopeClaim?: string;
  /** Accepted signing algorithms; default RS256, PS256, ES256, EdDSA. */
  algorithms?: OidcAlgorithm[];
  /** How long fetched keys are used before they are fetched again (ms); default 10 minutes. */
  jwksCacheMaxAgeMs?: number;
  /** Least time between two fetches caused by an unknown `kid` (ms); default 30 s. */
  jwksCooldownMs?: number;
}

export interface AuthModuleOptions {
  /** HS256 shared secret; falls back to JWT_SECRET. */
  secret?: string;
  /** PEM public key (RSA → RS256, EC P-256 → ES256); falls back to JWT_PUBLIC_KEY. */
  publicKey?: string;
  /** Expected `iss`; falls back to JWT_ISSUER, then 'kkb'. */
  issuer?: string;
  /** Expected `aud`; falls back to JWT_AUDIENCE, then 'kkb'. */
  audience?: string;
  /**
   * Tokens from an OpenID Provider, verified against its JWKS; falls back to OIDC_ISSUER,
   * OIDC_AUDIENCE, OIDC_JWKS_URL, OIDC_ROLE_CLAIM, OIDC_SCOPE_CLAIM, OIDC_ALGORITHMS.
   * `false` turns the fallback off.
   */
  oidc?: OidcOptions | false;
}

export type ResolvedOidcOptions = Required<Omit<OidcOptions, 'jwksUrl'>> & { jwksUrl?: string };

export interface ResolvedAuthOptions {
  /** The key of locally signed tokens (HS256 or a PEM); absent when only OIDC is configured. */
  key?: { secret: string } | { publicKey: string };
  algorithm: JwtAlgorithm;
  issuer: string;
  audience: string;
  oidc?: ResolvedOidcOptions;
}
