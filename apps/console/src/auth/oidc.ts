// Sign-in through the platform's OpenID Provider (the local one of `npm start`, or the ministry's
// Keycloak): authorization code + PKCE with oidc-client-ts. The console keeps only the access
// token (in sessionStorage, as the development sign-in does); the provider's session lets the
// officer back in without typing anything while it lasts.
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { OidcConfig } from '../config';
import { signedOut } from './token-store';

/** The page the provider sends the browser back to: the sign-in page itself. */
export const CALLBACK_PATH = '/masuk';

let manager: { key: string; value: UserManager } | null = null;

export function userManager(config: OidcConfig): UserManager {
  const key = JSON.stringify(config);
  if (manager?.key !== key) {
    const resource = config.resource ? { resource: config.resource } : undefined;
    manager = {
      key,
      value: new UserManager({
        authority: config.issuer,
        client_id: config.clientId,
        redirect_uri: `${window.location.origin}${CALLBACK_PATH}`,
        response_type: 'code',
        scope: config.scope,
        loadUserInfo: false,
        automaticSilentRenew: false,
        extraQueryParams: resource,
        extraTokenParams: resource,
        userStore: new WebStorageStateStore({ store: window.sessionStorage }),
        stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
      }),
    };
  }
  return manager.value;
}

/** True when the address is the provider's answer (a code or an error, with our state). */
export function isCallback(search: string): boolean {
  const params = new URLSearchParams(search);
  return params.has('state') && (params.has('code') || params.has('error'));
}

/**
 * Goes to the provider; `next` comes back in the state. After Keluar the provider is asked to
 * let the officer choose again (prompt=login) rather than reuse its session.
 */
export async function startSignIn(config: OidcConfig, next: string): Promise<void> {
  const manager = userManager(config);
  await manager.removeUser();
  await manager.signinRedirect({ state: { next }, ...(signedOut() && { prompt: 'login' }) });
}

/** Trades the code for tokens (PKCE verifier from sessionStorage); returns the token and `next`. */
export async function finishSignIn(config: OidcConfig): Promise<{ token: string; next: string | null }> {
  const user = await userManager(config).signinRedirectCallback();
  const state = user.state as { next?: unknown } | undefined;
  return { token: user.access_token, next: typeof state?.next === 'string' ? state.next : null };
}
