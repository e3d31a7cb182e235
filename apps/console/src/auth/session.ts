import { createElement, useCallback, useSyncExternalStore, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { decodeClaims, getToken, setToken, subscribe } from './token-store';

export { setToken } from './token-store';

export type Role = 'national' | 'province' | 'regency' | 'field_officer' | 'verifier' | 'integrator';

export interface Session {
  token: string | null;
  role: Role | null;
  /** Compact region prefix of the token ('' = the whole country, '16', '1610', '1610052041'). */
  scope: string;
  name: string | null;
  signOut: () => void;
}

/** A compact region code ('1610052041') as the dotted code the registry shows ('16.10.05.2041'). */
export function dottedRegion(compact: string): string {
  const c = compact.replace(/\./g, '');
  const parts = [c.slice(0, 2), c.slice(2, 4), c.slice(4, 6), c.slice(6)].filter((p) => p);
  return parts.join('.');
}

export function useSession(): Session {
  const token = useSyncExternalStore(subscribe, getToken, () => null);
  const claims = token ? decodeClaims(token) : null;
  const signOut = useCallback(() => setToken(null), []);
  return {
    token,
    role: (claims?.role as Role | undefined) ?? null,
    scope: claims?.scope ?? '',
    name: claims?.name ?? claims?.sub ?? null,
    signOut,
  };
}

/** Route guard: without a (non-expired) token, go to sign-in and come back afterwards. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { token } = useSession();
  const location = useLocation();
  if (!token) {
    const next = location.pathname + location.search;
    return createElement(Navigate, { to: `/masuk?next=${encodeURIComponent(next)}`, replace: true });
  }
  return children;
}
