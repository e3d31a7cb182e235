import { UnauthorizedException } from '@nestjs/common';
import { principalFromClaims } from './principal.util';

const claims = (overrides: Record<string, unknown>): Record<string, unknown> => ({
  sub: 'officer-1',
  role: 'national',
  scope: '',
  ...overrides,
});

describe(principalFromClaims.name, () => {
  it.each([
    [{ role: 'national', scope: '' }, ''],
    [{ role: 'province', scope: '16' }, '16'],
    [{ role: 'regency', scope: '16.10' }, '1610'],
    [{ role: 'field_officer', scope: '1610052041' }, '1610052041'],
    [{ role: 'field_officer', scope: '16' }, '16'],
    [{ role: 'verifier', scope: '161005' }, '161005'],
    [{ role: 'integrator', scope: '' }, ''],
    [{ role: 'integrator', scope: '16' }, '16'],
  ])('should accept %p', (overrides, scope) => {
    expect(principalFromClaims(claims(overrides))).toEqual({
      sub: 'officer-1',
      role: overrides.role,
      scope,
    });
  });

  it('should carry the name when the token has one', () => {
    expect(principalFromClaims(claims({ name: 'Budi' }))).toEqual({
      sub: 'officer-1',
      name: 'Budi',
      role: 'national',
      scope: '',
    });
  });

  it.each([
    [{ sub: undefined }, 'token has no subject'],
    [{ sub: '' }, 'token has no subject'],
    [{ name: 42 }, 'token name must be a string'],
    [{ role: 'admin' }, "token role 'admin' is not a known role"],
    [{ role: undefined }, "token role 'undefined' is not a known role"],
    [{ scope: undefined }, 'token has no scope'],
    [{ scope: 16 }, 'token has no scope'],
    [{ role: 'province', scope: '161' }, "token scope '161' is not a region code prefix"],
    [{ role: 'national', scope: '16' }, 'role national requires an empty scope'],
    [{ role: 'province', scope: '' }, 'role province requires a 2-digit scope'],
    [{ role: 'province', scope: '1610' }, 'role province requires a 2-digit scope'],
    [{ role: 'regency', scope: '16' }, 'role regency requires a 4-digit scope'],
    [{ role: 'regency', scope: '161005' }, 'role regency requires a 4-digit scope'],
    [{ role: 'field_officer', scope: '' }, 'role field_officer requires a scope of at least 2 digits'],
    [{ role: 'verifier', scope: '' }, 'role verifier requires a scope of at least 2 digits'],
  ])('should reject %p with 401 %p', (overrides, message) => {
    const call = () => principalFromClaims(claims(overrides));
    expect(call).toThrow(UnauthorizedException);
    expect(call).toThrow(message);
  });
});
