import { useTranslation } from 'react-i18next';
import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { ApiError } from '../api/client';

export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <div className="status status--loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('status.loading')}
    </div>
  );
}

/** A failed query, said in words: scope refusals and missing things differ from outages. */
export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  let message = t('status.error');
  if (error instanceof ApiError) {
    if (error.status === 403) message = t('status.forbidden');
    else if (error.status === 404) message = t('status.notFound');
    else if (error.status >= 500) message = t('status.unavailable');
    else message = error.detail ?? error.title;
  }
  return (
    <div className="status status--error" role="alert">
      <p>{message}</p>
      {error instanceof ApiError && error.status === 403 && (
        <p className="status__detail">
          <Link to="/">{t('status.backToScope')}</Link>
        </p>
      )}
      {onRetry && (
        <button type="button" className="button button--secondary" onClick={onRetry}>
          {t('action.retry')}
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="status status--empty">{children}</p>;
}

export function RouteError() {
  const { t } = useTranslation();
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <main id="main" className="page page--narrow">
      <h1>{notFound ? t('status.pageNotFound') : t('status.error')}</h1>
      <p>
        <Link to="/">{t('nav.home')}</Link>
      </p>
    </main>
  );
}
