import { UnauthorizedException } from '@nestjs/common';
import type { Principal } from './principal.interface';
import { isRegionCode, compactRegionCode } from './region-code.util';
import { Role, isRole } from './role.enum';

/**
 * Turns verified JWT claims into a Principal, or throws UnauthorizedException (401).
 * A signed token can still be wrong (an issuer bug, a hand-edited CLI call), and a wrong scope
 * widens access, so the claims are checked as strictly as the signature.
 */
export function principalFromClaims(claims: Record<string, unknown>): Principal {
  const { sub, name, role, scope } = claims;
  if (typeof sub !== 'string' || sub.length === 0) throw new UnauthorizedException('token has no subject');
  if (name !== undefined && typeof name !== 'string')
    throw new UnauthorizedException('token name must be a string');
  if (!isRole(role)) throw new UnauthorizedException(`token role '${String(role)}' is not a known role`);
  if (typeof scope !== 'string') throw new UnauthorizedException('token has no scope');
  if (scope !== '' && !isRegionCode(scope)) {
    throw new UnauthorizedException(`token scope '${scope}' is not a region code prefix`);
  }
  const compact = scope === '' ? '' : compactRegionCode(scope);
  const problem = scopeProblem(role, compact);
  if (problem) throw new UnauthorizedException(problem);
  return name === undefined ? { sub, role, scope: compact } : { sub, name, role, scope: compact };
}

function scopeProblem(role: Role, scope: string): string | undefined {
  switch (role) {
    case Role.national:
      return scope === '' ? undefined : 'role national requires an empty scope';
    case Role.province:
      return scope.length === 2 ? undefined : 'role province requires a 2-digit scope';
    case Role.regency:
      return scope.length === 4 ? undefined : 'role regency requires a 4-digit scope';
    case Role.field_officer:
    case Role.verifier:
      return scope.length >= 2 ? undefined : `role ${role} requires a scope of at least 2 digits`;
    case Role.integrator:
      return undefined;
  }
}
