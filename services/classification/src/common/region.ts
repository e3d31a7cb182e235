import { compactRegionCode, scopePrefix, type Principal } from '@kkb/auth';
import { ProblemException } from '@kkb/platform';

/** `1610052041` → `16.10.05.2041`; '' stays ''. */
export const dottedRegion = (compact: string): string =>
  [compact.slice(0, 2), compact.slice(2, 4), compact.slice(4, 6), compact.slice(6)].filter(Boolean).join('.');

/**
 * The region asked for (or the caller's scope when none is), checked against the scope: a compact
 * code, '' for the nation. A region outside the scope is refused (403), never narrowed silently.
 */
export function scopedRegion(code: string | undefined, user: Principal): string {
  const scope = scopePrefix(user);
  const compact = code ? compactRegionCode(code) : scope;
  if (scope && !compact.startsWith(scope)) {
    throw new ProblemException(
      403,
      'out-of-scope',
      'Forbidden',
      `region ${compact} is outside your scope ${scope}`,
    );
  }
  return compact;
}

/** The `LIKE` pattern of the dotted village codes inside a compact region ('' = every one). */
export function villagePattern(compact: string): string {
  if (!compact) return '%';
  return compact.length === 10 ? dottedRegion(compact) : `${dottedRegion(compact)}.%`;
}
