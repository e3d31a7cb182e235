// The bearer token in sessionStorage (closing the tab signs out), with a tiny subscription so
// React re-renders on sign-in and sign-out. Claims are decoded for display only; the APIs check
// the signature and enforce the scope.
const KEY = 'kkb.console.token';
/** Where the token carries role and scope, when not `role` / `scope` (an OpenID Provider's token). */
const CLAIMS_KEY = 'kkb.console.claims';
const listeners = new Set<() => void>();

export interface Claims {
  role: string;
  scope: string;
  sub?: string;
  name?: string;
  exp?: number;
}

export interface ClaimNames {
  role: string;
  scope: string;
}

/** A claim by name or dotted path; a list of roles yields its one known role. */
function claimAt(payload: Record<string, unknown>, path: string): unknown {
  if (path in payload) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const ROLES = ['national', 'province', 'regency', 'field_officer', 'verifier', 'integrator'];

function claimNames(): ClaimNames {
  try {
    const stored = storage()?.getItem(CLAIMS_KEY);
    const names = stored ? (JSON.parse(stored) as Partial<ClaimNames>) : {};
    return { role: names.role ?? 'role', scope: names.scope ?? 'scope' };
  } catch {
    return { role: 'role', scope: 'scope' };
  }
}

export function decodeClaims(token: string, names: ClaimNames = claimNames()): Claims | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const base64 = part
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const payload = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    let role = claimAt(payload, names.role);
    if (Array.isArray(role)) role = role.find((r) => ROLES.includes(String(r)));
    const scope = claimAt(payload, names.scope);
    if (typeof role !== 'string') return null;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return {
      role,
      // Compact digits, as the APIs use them ('16.10' → '1610').
      scope: typeof scope === 'string' ? scope.replace(/\./g, '') : '',
      sub: text(payload.sub),
      name: text(payload.name) ?? text(payload.preferred_username),
      exp: typeof payload.exp === 'number' ? payload.exp : undefined,
    };
  } catch {
    return null;
  }
}

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

export function getToken(): string | null {
  const token = storage()?.getItem(KEY) ?? null;
  if (!token) return null;
  const claims = decodeClaims(token);
  if (!claims || (claims.exp !== undefined && claims.exp * 1000 <= Date.now())) return null;
  return token;
}

/** `names`: where an OpenID Provider's token carries role and scope (else `role` and `scope`). */
export function setToken(token: string | null, names?: ClaimNames): void {
  const s = storage();
  if (token) s?.setItem(KEY, token);
  else s?.removeItem(KEY);
  if (token) s?.removeItem(SIGNED_OUT_KEY);
  if (token && names) s?.setItem(CLAIMS_KEY, JSON.stringify(names));
  else s?.removeItem(CLAIMS_KEY);
  listeners.forEach((l) => l());
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const SIGNED_OUT_KEY = 'kkb.console.signedOut';

/**
 * The officer pressed Keluar: the next sign-in through an OpenID Provider asks who is signing in
 * (prompt=login) instead of riding the provider's session back in as the same person.
 */
export function markSignedOut(): void {
  storage()?.setItem(SIGNED_OUT_KEY, '1');
}

export function signedOut(): boolean {
  return storage()?.getItem(SIGNED_OUT_KEY) === '1';
}

/** A 401 from any API: the token expired or was refused; drop it and go to sign-in. */
export function onUnauthorized(): void {
  setToken(null);
  if (typeof window !== 'undefined' && !window.location.pathname.startsWith('/masuk')) {
    const next = window.location.pathname + window.location.search;
    window.location.assign(`/masuk?next=${encodeURIComponent(next)}`);
  }
}
