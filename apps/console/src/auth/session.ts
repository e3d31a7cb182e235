import { createElement, useCallback, useSyncExternalStore, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { decodeClaims, getToken, markSignedOut, setToken, subscribe } from './token-store';

export { setToken } from './token-store';
export { dottedRegion } from '../region-code';

export type Role = 'national' | 'province' | 'regency' | 'field_officer' | 'verifier' | 'integrator';

export interface Session {
  token: string | null;
  role: Role | null;
  /** Compact region prefix of the token ('' = the whole country, '16', '1610', '1610052041'). */
  scope: string;
  name: string | null;
  signOut: () => void;
}

export function useSession(): Session {
  const token = useSyncExternalStore(subscribe, getToken, () => null);
  const claims = token ? decodeClaims(token) : null;
  const signOut = useCallback(() => {
    markSignedOut();
    setToken(null);
  }, []);
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
