// Sign-in. With an OpenID Provider (the front door's /config.json names it) the page sends the
// officer there (authorization code + PKCE) and, when the provider sends the browser back here
// with a code, trades it for the access token. Without one, the development sign-in: the front
// door lists local identities (role + region) and mints a token for the chosen one; both
// endpoints exist only in development mode, and a 404 means production mode with no provider.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, toApiError } from '../../api/client';
import { finishSignIn, isCallback, startSignIn } from '../../auth/oidc';
import { setToken } from '../../auth/session';
import { useConfig, type OidcConfig } from '../../config';
import LanguageSwitch from '../../components/LanguageSwitch';
import { ErrorMessage, Loading } from '../../components/Status';

interface Identity {
  role: string;
  scope: string;
  name: string;
  label: string;
}

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw await toApiError(response);
  return (await response.json()) as T;
}

/** Only same-origin paths: `next` comes from the address bar. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/masuk') ? next : '/';
}

export default function SignInPage() {
  const config = useConfig();
  if (config.isPending)
    return (
      <Frame>
        <Loading />
      </Frame>
    );
  const oidc = config.data?.oidc;
  return oidc ? <ProviderSignIn oidc={oidc} /> : <DevelopmentSignIn />;
}

function Frame({ children }: { children: ReactNode }) {
  const { t } = useTranslation('signin');
  return (
    <div className="signin">
      <header className="signin__header">
        <span className="brand">
          <span className="brand__mark" aria-hidden="true">
            KB
          </span>
          <span className="brand__text">
            <span className="brand__title">{t('common:app.name')}</span>
            <span className="brand__subtitle">{t('common:app.subtitle')}</span>
          </span>
        </span>
        <LanguageSwitch />
      </header>
      <main id="main" className="signin__main">
        <section className="card signin__card" aria-labelledby="signin-title">
          <h1 id="signin-title">{t('title')}</h1>
          {children}
        </section>
      </main>
    </div>
  );
}

/** Through the OpenID Provider: a button out, and the code trade when the provider sends us back. */
function ProviderSignIn({ oidc }: { oidc: OidcConfig }) {
  const { t } = useTranslation('signin');
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const callback = isCallback(window.location.search);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(callback);
  // A code is good once: React's development double effects must not trade it twice.
  const traded = useRef(false);

  useEffect(() => {
    if (!callback || traded.current) return;
    traded.current = true;
    finishSignIn(oidc)
      .then(({ token, next }) => {
        setToken(token, { role: oidc.roleClaim, scope: oidc.scopeClaim });
        void navigate(safeNext(next), { replace: true });
      })
      .catch((err: unknown) => {
        setBusy(false);
        setError(err instanceof Error ? err : new Error(String(err)));
        // Drop the spent code from the address so a retry starts afresh.
        window.history.replaceState(null, '', '/masuk');
      });
  }, [callback, oidc, navigate]);

  const go = () => {
    setBusy(true);
    setError(null);
    startSignIn(oidc, safeNext(params.get('next'))).catch((err: unknown) => {
      setBusy(false);
      setError(err instanceof Error ? err : new Error(String(err)));
    });
  };

  return (
    <Frame>
      {busy && callback ? (
        <Loading />
      ) : (
        <>
          <p className="muted">{t('provider.intro')}</p>
          {error && (
            <div className="notice notice--warning" role="alert">
              <h2>{t('provider.failed')}</h2>
              <p>{error.message}</p>
            </div>
          )}
          <button type="button" className="button button--primary" disabled={busy} onClick={go}>
            {busy ? t('common:status.loading') : t('provider.button')}
          </button>
          <p className="signin__note">{t('provider.note', { issuer: new URL(oidc.issuer).host })}</p>
        </>
      )}
    </Frame>
  );
}

function DevelopmentSignIn() {
  const { t } = useTranslation('signin');
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [chosen, setChosen] = useState<string>('');

  const identities = useQuery({
    queryKey: ['dev', 'identities'],
    retry: false,
    queryFn: () => getJson<{ identities: Identity[] }>('/dev/identities').then((b) => b.identities),
  });

  const signIn = useMutation({
    mutationFn: (identity: Identity) =>
      getJson<{ token: string; expiresAt: string }>('/dev/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role: identity.role, scope: identity.scope, name: identity.name }),
      }),
    onSuccess: (body) => {
      setToken(body.token);
      void navigate(safeNext(params.get('next')), { replace: true });
    },
  });

  const list = identities.data ?? [];
  const key = (i: Identity) => `${i.role}|${i.scope}|${i.name}`;
  const selected = list.find((i) => key(i) === chosen) ?? null;
  const notAvailable = identities.error instanceof ApiError && identities.error.status === 404;

  return (
    <Frame>
      {identities.isPending && <Loading />}
      {notAvailable && (
        <div className="notice notice--warning" role="alert">
          <h2>{t('unavailable.title')}</h2>
          <p>{t('unavailable.body')}</p>
        </div>
      )}
      {identities.error && !notAvailable && (
        <ErrorMessage error={identities.error} onRetry={() => void identities.refetch()} />
      )}
      {list.length > 0 && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (selected) signIn.mutate(selected);
          }}
        >
          <p className="muted">{t('intro')}</p>
          <fieldset className="identity-list">
            <legend>{t('identity')}</legend>
            {list.map((i) => (
              <label key={key(i)} className={`identity ${chosen === key(i) ? 'is-selected' : ''}`}>
                <input
                  type="radio"
                  name="identity"
                  value={key(i)}
                  checked={chosen === key(i)}
                  onChange={() => setChosen(key(i))}
                />
                <span className="identity__text">
                  <span className="identity__label">{i.label}</span>
                  <span className="identity__meta">
                    {t(`common:role.${i.role}`, { defaultValue: i.role })} ·{' '}
                    {i.scope === '' ? t('common:region.nation') : i.scope} · {i.name}
                  </span>
                </span>
              </label>
            ))}
          </fieldset>
          {signIn.error && <ErrorMessage error={signIn.error} />}
          <button type="submit" className="button button--primary" disabled={!selected || signIn.isPending}>
            {signIn.isPending ? t('common:status.loading') : t('common:action.signIn')}
          </button>
        </form>
      )}
      <p className="signin__note">{t('note')}</p>
    </Frame>
  );
}
