/** The only algorithms accepted; pinning them rules out `alg: none` and HS/RS confusion. */
export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';

export interface AuthModuleOptions {
  /** HS256 shared secret; falls back to JWT_SECRET. */
  secret?: string;
  /** PEM public key (RSA → RS256, EC P-256 → ES256); falls back to JWT_PUBLIC_KEY. */
  publicKey?: string;
  /** Expected `iss`; falls back to JWT_ISSUER, then 'kkb'. */
  issuer?: string;
  /** Expected `aud`; falls back to JWT_AUDIENCE, then 'kkb'. */
  audience?: string;
}

export interface ResolvedAuthOptions {
  key: { secret: string } | { publicKey: string };
  algorithm: JwtAlgorithm;
  issuer: string;
  audience: string;
}
