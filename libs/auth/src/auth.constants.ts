/**
 * The HS256 secret for local runs only (laptop, tests, `node tools/token.mjs`). Anyone can read
 * it here, so a token signed with it proves nothing: AuthModule refuses it when
 * NODE_ENV=production. tools/token.mjs carries the same value (it cannot import TypeScript);
 * token-cli.spec.ts keeps the two in step.
 */
export const LOCAL_DEV_JWT_SECRET = 'kkb-local-dev-secret-change-me';

export const DEFAULT_JWT_ISSUER = 'kkb';
export const DEFAULT_JWT_AUDIENCE = 'kkb';

export const AUTH_OPTIONS = Symbol('kkb:auth-options');
export const IS_PUBLIC_KEY = 'kkb:auth:public';
export const ROLES_KEY = 'kkb:auth:roles';
export const OWN_RESOURCE_KEY = 'kkb:auth:own-resource';

/** Where OIDC access tokens carry the role and the region scope unless OIDC_ROLE_CLAIM / OIDC_SCOPE_CLAIM say otherwise. */
export const DEFAULT_OIDC_ROLE_CLAIM = 'kkb_role';
export const DEFAULT_OIDC_SCOPE_CLAIM = 'kkb_region';
