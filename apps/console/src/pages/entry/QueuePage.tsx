// Menunggu dikirim: what is finished and waits for the network, what the service refused (for the
// officer to resolve: nothing is dropped), and what went out from this device.
import { useLocation, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useLiveQuery } from 'dexie-react-hooks';
import { db, NEEDS_OFFICER, WAITING, type FieldReport } from '../../field/db';
import { sendNow } from '../../field/sender';
import { deleteReport, reopen, useOwner } from '../../field/store';
import { reportSubject, useOnline } from '../../field/hooks';
import { formatDate } from '../../format';
import { Loading } from '../../components/Status';
import './entry.css';

const when = (ms: number) => formatDate(new Date(ms).toISOString(), { time: true });

export default function QueuePage() {
  const { t, i18n } = useTranslation('entry');
  const navigate = useNavigate();
  const location = useLocation();
  const online = useOnline();
  const flash = (location.state as { flash?: string } | null)?.flash;
  const owner = useOwner();
  const reports = useLiveQuery(
    () =>
      db.reports
        .orderBy('updatedAt')
        .reverse()
        .filter((r) => r.owner === owner)
        .toArray(),
    [owner],
  );
  if (!reports) return <Loading />;

  const waiting = reports.filter((r) => WAITING.includes(r.state));
  const needs = reports.filter((r) => NEEDS_OFFICER.includes(r.state));
  const sent = reports.filter((r) => r.state === 'sent').slice(0, 50);
  const subjectOf = (r: FieldReport) => reportSubject(t, r, i18n.language);
  const errorText = (r: FieldReport) =>
    r.lastError
      ? r.lastError.status === 0
        ? t('queue.noAnswer')
        : `${r.lastError.status} ${r.lastError.title}`
      : '';

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>{t('queue.title')}</h1>
          <p>{t('queue.intro')}</p>
        </div>
        <div className="page-header__actions">
          <button
            type="button"
            className="button button--primary"
            disabled={!online || waiting.length === 0}
            onClick={() => void sendNow()}
          >
            {t('queue.sendNow')}
          </button>
        </div>
      </div>
      {flash && (
        <div className="status status--success" role="status">
          {flash}
        </div>
      )}

      <section className="card" aria-labelledby="waiting-title">
        <h2 id="waiting-title">
          {t('queue.title')} <span className="count-badge">{waiting.length}</span>
        </h2>
        {waiting.length === 0 ? (
          <p className="muted">{t('queue.empty')}</p>
        ) : (
          <div className="table-wrap">
            <table className="data" data-testid="queue">
              <caption className="visually-hidden">{t('queue.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('queue.subject')}</th>
                  <th scope="col">{t('queue.status')}</th>
                  <th scope="col" className="num">
                    {t('queue.attempts')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {waiting.map((r) => (
                  <tr key={r.id} data-report-id={r.id}>
                    <td>{subjectOf(r)}</td>
                    <td>
                      <span className={`state state--${r.state}`}>{t(`queue.state.${r.state}`)}</span>
                      {r.state === 'queued' && r.attempts > 0 && (
                        <span className="muted">
                          {' · '}
                          {t('queue.nextAttempt', { time: when(r.nextAttemptAt) })}
                          {r.lastError && ` · ${t('queue.lastError', { error: errorText(r) })}`}
                        </span>
                      )}
                    </td>
                    <td className="num">{r.attempts}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {needs.length > 0 && (
        <section className="card card--attention" aria-labelledby="needs-title">
          <h2 id="needs-title">{t('queue.needsYou')}</h2>
          <p>{t('queue.needsYouIntro')}</p>
          <ul className="needs-list">
            {needs.map((r) => {
              const subject = subjectOf(r);
              return (
                <li key={r.id} className="needs" data-report-id={r.id}>
                  <div>
                    <strong>{subject}</strong> ·{' '}
                    <span className={`state state--${r.state}`}>{t(`queue.state.${r.state}`)}</span>
                    <p>
                      {r.state === 'conflict'
                        ? t('queue.conflictText')
                        : (r.lastError?.detail ?? r.lastError?.title)}
                    </p>
                    {r.lastError?.errors && (
                      <ul className="needs__errors">
                        {r.lastError.errors.map((e) => (
                          <li key={`${e.field}:${e.reason}`}>
                            <code>{e.field}</code>: {e.reason}
                          </li>
                        ))}
                      </ul>
                    )}
                  </div>
                  <div className="needs__actions">
                    <button
                      type="button"
                      className="button button--primary button--small"
                      aria-label={t('queue.fixLabel', { subject })}
                      onClick={async () => void navigate(`/isi/${await reopen(r)}`)}
                    >
                      {t('queue.fix')}
                    </button>
                    <button
                      type="button"
                      className="button button--secondary button--small"
                      aria-label={t('queue.discardLabel', { subject })}
                      onClick={() => {
                        if (window.confirm(t('queue.confirmDiscard', { subject }))) void deleteReport(r.id);
                      }}
                    >
                      {t('queue.discard')}
                    </button>
                  </div>
                </li>
              );
            })}
          </ul>
        </section>
      )}

      <section className="card" aria-labelledby="sent-title">
        <h2 id="sent-title">{t('queue.sent')}</h2>
        {sent.length === 0 ? (
          <p className="muted">{t('queue.sentEmpty')}</p>
        ) : (
          <div className="table-wrap">
            <table className="data" data-testid="sent">
              <caption className="visually-hidden">{t('queue.sentCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('queue.subject')}</th>
                  <th scope="col">{t('queue.status')}</th>
                  <th scope="col">{t('queue.sentAt')}</th>
                </tr>
              </thead>
              <tbody>
                {sent.map((r) => (
                  <tr key={r.id} data-report-id={r.id}>
                    <td>{subjectOf(r)}</td>
                    <td>{t(`queue.sentStatus.${r.sentStatus === 200 ? '200' : '201'}`)}</td>
                    <td>{r.sentAt ? when(r.sentAt) : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
