// The bearer token in sessionStorage (closing the tab signs out), with a tiny subscription so
// React re-renders on sign-in and sign-out. Claims are decoded for display only; the APIs check
// the signature and enforce the scope.
const KEY = 'kkb.console.token';
const listeners = new Set<() => void>();

export interface Claims {
  role: string;
  scope: string;
  sub?: string;
  name?: string;
  exp?: number;
}

export function decodeClaims(token: string): Claims | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const base64 = part
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as Partial<Claims>;
    if (typeof claims.role !== 'string') return null;
    return { ...claims, role: claims.role, scope: typeof claims.scope === 'string' ? claims.scope : '' };
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

export function setToken(token: string | null): void {
  const s = storage();
  if (token) s?.setItem(KEY, token);
  else s?.removeItem(KEY);
  listeners.forEach((l) => l());
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A 401 from any API: the token expired or was refused; drop it and go to sign-in. */
export function onUnauthorized(): void {
  setToken(null);
  if (typeof window !== 'undefined' && !window.location.pathname.startsWith('/masuk')) {
    const next = window.location.pathname + window.location.search;
    window.location.assign(`/masuk?next=${encodeURIComponent(next)}`);
  }
}
