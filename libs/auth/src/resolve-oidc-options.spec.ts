import { resolveAuthOptions } from './resolve-auth-options.util';

describe('resolveAuthOptions with an OpenID Provider', () => {
  const issuer = 'https://sso.example.go.id/realms/kampung-kb';

  it('should read the OIDC_* variables, with the claim and algorithm defaults', () => {
    expect(resolveAuthOptions({}, { OIDC_ISSUER: issuer, OIDC_AUDIENCE: 'kkb-api' }).oidc).toEqual({
      issuer,
      audience: 'kkb-api',
      roleClaim: 'kkb_role',
      scopeClaim: 'kkb_region',
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      jwksCacheMaxAgeMs: 600_000,
      jwksCooldownMs: 30_000,
    });
  });

  it('should need no JWT key with an issuer, and keep the JWT key beside it when set', () => {
    const alone = resolveAuthOptions({}, { OIDC_ISSUER: issuer, OIDC_AUDIENCE: 'a' });
    expect(alone.key).toBeUndefined();
    const both = resolveAuthOptions({}, { OIDC_ISSUER: issuer, OIDC_AUDIENCE: 'a', JWT_SECRET: 's' });
    expect(both.key).toEqual({ secret: 's' });
    expect(both.oidc?.issuer).toBe(issuer);
  });

  it('should take the JWKS address, claim paths and algorithms when given', () => {
    const oidc = resolveAuthOptions(
      {},
      {
        OIDC_ISSUER: issuer,
        OIDC_AUDIENCE: 'a',
        OIDC_JWKS_URL: `${issuer}/protocol/openid-connect/certs`,
        OIDC_ROLE_CLAIM: 'realm_access.roles',
        OIDC_SCOPE_CLAIM: 'region',
        OIDC_ALGORITHMS: 'ES256, RS256',
      },
    ).oidc;
    expect(oidc).toMatchObject({
      jwksUrl: `${issuer}/protocol/openid-connect/certs`,
      roleClaim: 'realm_access.roles',
      scopeClaim: 'region',
      algorithms: ['ES256', 'RS256'],
    });
  });

  it.each([
    [{ OIDC_ISSUER: issuer }, /OIDC_AUDIENCE is required/],
    [{ OIDC_AUDIENCE: 'a', JWT_SECRET: 's' }, /OIDC_ISSUER is not/],
    [{ OIDC_ISSUER: 'sso.example', OIDC_AUDIENCE: 'a' }, /OIDC_ISSUER=sso.example is not a URL/],
    [{ OIDC_ISSUER: issuer, OIDC_AUDIENCE: 'a', OIDC_ALGORITHMS: 'none' }, /OIDC_ALGORITHMS may list only/],
    [{ OIDC_ISSUER: issuer, OIDC_AUDIENCE: 'a', OIDC_ALGORITHMS: 'HS256' }, /OIDC_ALGORITHMS may list only/],
    [{ OIDC_ISSUER: issuer, OIDC_AUDIENCE: 'a', OIDC_ROLE_CLAIM: 'a..b' }, /OIDC_ROLE_CLAIM=a..b/],
    [
      { OIDC_ISSUER: 'http://sso.example', OIDC_AUDIENCE: 'a', NODE_ENV: 'production' },
      /must use https in production/,
    ],
  ])('should refuse %j at boot', (env, message) => {
    expect(() => resolveAuthOptions({}, env)).toThrow(message);
  });

  it('should allow plain http for a provider on loopback (the local one of npm start)', () => {
    const env = { OIDC_ISSUER: 'http://127.0.0.1:3005', OIDC_AUDIENCE: 'urn:kkb', NODE_ENV: 'production' };
    expect(resolveAuthOptions({}, env).oidc?.issuer).toBe('http://127.0.0.1:3005');
  });

  it('should ignore the OIDC_* variables when the options say oidc: false', () => {
    expect(resolveAuthOptions({ oidc: false, secret: 's' }, { OIDC_ISSUER: issuer }).oidc).toBeUndefined();
  });
});
