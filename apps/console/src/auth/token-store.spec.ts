import { decodeClaims } from './token-store';

function token(claims: object): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'at+jwt' })}.${part(claims)}.signature`;
}

describe('decodeClaims with an OpenID Provider claim mapping', () => {
  const names = { role: 'kkb_role', scope: 'kkb_region' };

  it("reads role and region from the configured claims, not OAuth's scope string", () => {
    const claims = decodeClaims(
      token({
        kkb_role: 'regency',
        kkb_region: '16.10',
        scope: 'openid profile',
        sub: 'nurhayati',
        exp: 2e9,
      }),
      names,
    );
    expect(claims).toEqual({ role: 'regency', scope: '1610', sub: 'nurhayati', name: undefined, exp: 2e9 });
  });

  it('takes the one platform role from a role list (Keycloak realm roles) and the username as name', () => {
    const claims = decodeClaims(
      token({
        realm_access: { roles: ['offline_access', 'verifier'] },
        region: '16',
        preferred_username: 'sri',
      }),
      { role: 'realm_access.roles', scope: 'region' },
    );
    expect(claims).toMatchObject({ role: 'verifier', scope: '16', name: 'sri' });
  });

  it('finds no role where the mapping says none is', () => {
    expect(decodeClaims(token({ role: 'national', scope: '' }), names)).toBeNull();
  });
});
