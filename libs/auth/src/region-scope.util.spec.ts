import { ForbiddenException } from '@nestjs/common';
import { InvalidRegionCodeError } from './invalid-region-code.error';
import type { Principal } from './principal.interface';
import { assertInScope, regionInScope, scopePrefix } from './region-scope.util';
import { Role } from './role.enum';

const principal = (role: Role, scope: string): Principal => ({ sub: 'officer-1', role, scope });

describe(regionInScope.name, () => {
  it('should put every region inside the national scope', () => {
    const national = principal(Role.national, '');
    expect(regionInScope(national, '16')).toBe(true);
    expect(regionInScope(national, '94.71.01.1001')).toBe(true);
  });

  it('should put a province officer in their own province, dotted or compact', () => {
    const province = principal(Role.province, '16');
    expect(regionInScope(province, '16')).toBe(true);
    expect(regionInScope(province, '16.10.05.2041')).toBe(true);
    expect(regionInScope(province, '1610052041')).toBe(true);
  });

  it('should keep a province officer out of another province', () => {
    expect(regionInScope(principal(Role.province, '16'), '1801')).toBe(false);
  });

  it('should keep a regency officer out of the province above and of sibling regencies', () => {
    const regency = principal(Role.regency, '1610');
    expect(regionInScope(regency, '16.10.05')).toBe(true);
    expect(regionInScope(regency, '16')).toBe(false);
    expect(regionInScope(regency, '1611')).toBe(false);
  });

  it('should not mistake a shared leading digit for a shared province', () => {
    expect(regionInScope(principal(Role.province, '16'), '1161')).toBe(false);
  });

  it('should throw a 400 for a malformed region code', () => {
    expect(() => regionInScope(principal(Role.province, '16'), '16.1')).toThrow(InvalidRegionCodeError);
  });
});

describe(assertInScope.name, () => {
  it('should pass a region inside the scope', () => {
    expect(() => assertInScope(principal(Role.province, '16'), '16.10.05.2041')).not.toThrow();
  });

  it('should throw a 403 that names the region and the scope', () => {
    const call = () => assertInScope(principal(Role.province, '16'), '18.01');
    expect(call).toThrow(ForbiddenException);
    expect(call).toThrow('region 1801 is outside your scope 16');
  });
});

describe(scopePrefix.name, () => {
  it('should give the compact prefix to filter queries by', () => {
    expect(scopePrefix(principal(Role.national, ''))).toBe('');
    expect(scopePrefix(principal(Role.regency, '1610'))).toBe('1610');
  });
});
