import { ForbiddenException } from '@nestjs/common';
import type { Principal } from './principal.interface';
import { compactRegionCode } from './region-code.util';

type Scoped = Pick<Principal, 'scope'>;

/**
 * The compact prefix to filter queries by (`WHERE region_code LIKE $prefix || '%'`);
 * '' means the whole country.
 */
export function scopePrefix(principal: Scoped): string {
  return principal.scope;
}

/**
 * Whether the region lies within the principal's scope. A region above the scope (province 16
 * for a regency 1610 officer) is outside it: seeing the whole province is not theirs.
 * Throws InvalidRegionCodeError (400) when `regionCode` is malformed.
 */
export function regionInScope(principal: Scoped, regionCode: string): boolean {
  return compactRegionCode(regionCode).startsWith(principal.scope);
}

/** Throws ForbiddenException (403) naming the region when it lies outside the principal's scope. */
export function assertInScope(principal: Scoped, regionCode: string): void {
  if (!regionInScope(principal, regionCode)) {
    throw new ForbiddenException(
      `region ${compactRegionCode(regionCode)} is outside your scope ${principal.scope}`,
    );
  }
}
