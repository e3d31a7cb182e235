import { useEffect } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { useLiveQuery } from 'dexie-react-hooks';
import { useTranslation } from 'react-i18next';
import { useQuery } from '@tanstack/react-query';
import { useSession } from '../auth/session';
import { api, data } from '../api/client';
import { formatNumber } from '../format';
import LanguageSwitch from '../components/LanguageSwitch';
import { useRegionName } from '../region';
import { db, WAITING } from '../field/db';
import { useOnline } from '../field/hooks';
import { startSender } from '../field/sender';
import { afterSignIn, refreshInstruments, refreshKampung, useOwner } from '../field/store';

/** The unread count of the officer's inbox, shared with the inbox page through the query key. */
export function useUnreadCount(enabled = true) {
  return useQuery({
    queryKey: ['inbox', 'unread'],
    enabled,
    refetchInterval: 60_000,
    queryFn: async () => {
      const body = data<{ unread?: number }>(
        await api.notifications.GET('/api/v1/inbox', { params: { query: { limit: 1 } } }),
      );
      return body?.unread ?? 0;
    },
  });
}

export default function Layout() {
  const { t } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const unread = useUnreadCount(session.role !== null && session.role !== 'integrator');
  const regionName = useRegionName(session.scope);
  const online = useOnline();
  const fieldOfficer = session.role === 'field_officer';
  const owner = useOwner();
  const waiting = useLiveQuery(
    () =>
      db.reports
        .where('state')
        .anyOf([...WAITING])
        .and((r) => r.owner === owner)
        .count(),
    [owner],
    0,
  );

  // Field entry: what a field officer needs offline is refreshed whenever there is a connection,
  // and the queue is sent (it also runs for a report queued before a reload or a sign-in).
  useEffect(() => {
    if (!fieldOfficer || !owner) return;
    startSender();
    void afterSignIn(owner);
    if (!online) return;
    refreshInstruments().catch(() => undefined);
    refreshKampung().catch(() => undefined);
  }, [fieldOfficer, online, owner]);

  const links: { to: string; label: string; end?: boolean; badge?: number; badgeLabel?: string }[] = [
    { to: '/', label: t('nav.home'), end: true },
    { to: '/peta', label: t('nav.map') },
    { to: '/kampung', label: t('nav.list') },
    { to: '/verifikasi', label: t('nav.verification') },
    { to: '/kotak-masuk', label: t('nav.inbox'), badge: unread.data },
  ];
  if (fieldOfficer)
    links.splice(
      1,
      0,
      { to: '/isi', label: t('entry:nav.entry') },
      {
        to: '/antrean',
        label: t('entry:nav.queue'),
        badge: waiting,
        badgeLabel: t('nav.waiting', { count: waiting }),
      },
    );
  if (session.role === 'national') links.push({ to: '/nasional', label: t('nav.national') });
  if (['field_officer', 'regency', 'province', 'national'].includes(session.role ?? ''))
    links.push({ to: '/impor', label: t('import:nav') });

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <div className="topbar__inner">
          <NavLink to="/" className="brand">
            <span className="brand__mark" aria-hidden="true">
              KB
            </span>
            <span className="brand__text">
              <span className="brand__title">{t('app.name')}</span>
              <span className="brand__subtitle">{t('app.subtitle')}</span>
            </span>
          </NavLink>
          <div className="topbar__user">
            <div className="user">
              <span className="user__name">{session.name ?? t('user.unknown')}</span>
              <span className="user__meta">
                {session.role ? t(`role.${session.role}`) : ''}
                {' · '}
                {session.scope === '' ? t('region.nation') : (regionName ?? session.scope)}
              </span>
            </div>
            <LanguageSwitch />
            <button
              type="button"
              className="button button--ghost"
              onClick={() => {
                session.signOut();
                void navigate('/masuk');
              }}
            >
              {t('action.signOut')}
            </button>
          </div>
        </div>
        <nav className="mainnav" aria-label={t('nav.label')}>
          <ul>
            {links.map((l) => (
              <li key={l.to}>
                <NavLink to={l.to} end={l.end}>
                  {l.label}
                  {l.badge !== undefined && l.badge > 0 && (
                    <span className="badge" aria-label={l.badgeLabel ?? t('nav.unread', { count: l.badge })}>
                      {formatNumber(l.badge)}
                    </span>
                  )}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        {!online && (
          <p className="offline-banner" role="status">
            {t('entry:offline')}
          </p>
        )}
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="footer">
        <p>{t('app.footer')}</p>
      </footer>
    </div>
  );
}
