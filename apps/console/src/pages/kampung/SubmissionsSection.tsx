import { useTranslation } from 'react-i18next';
import { formatDate, formatMonth } from '../../format';
import { periodOf, type Submission } from './views';

export function StatusTag({ status }: { status: string }) {
  const { t } = useTranslation('kampung');
  return (
    <span className={`state state--${status}`} data-testid="submission-status" data-status={status}>
      {t(`submissionStatus.${status}`, { defaultValue: status })}
    </span>
  );
}

/** The kampung's submissions (profiles and monthly reports) with their state, newest first. */
export default function SubmissionsSection({ items }: { items: Submission[] }) {
  const { t } = useTranslation('kampung');
  return (
    <section className="card" aria-labelledby="submissions-heading">
      <h2 id="submissions-heading">{t('submissions.title')}</h2>
      {items.length === 0 ? (
        <p className="status status--empty">{t('submissions.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="data" data-testid="submissions-table">
            <caption className="visually-hidden">{t('submissions.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('submissions.kind')}</th>
                <th scope="col">{t('submissions.period')}</th>
                <th scope="col">{t('submissions.status')}</th>
                <th scope="col">{t('submissions.submitted')}</th>
                <th scope="col">{t('submissions.decision')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id} data-testid="submission-row" data-status={s.status}>
                  <th scope="row">
                    {t(`kind.${s.kind}`, { defaultValue: s.kind })}
                    <span className="muted">
                      {' '}
                      v{s.instrumentVersion}
                      {s.via === 'import' && ` · ${t('submissions.imported')}`}
                    </span>
                  </th>
                  <td>{formatMonth(periodOf(s.period), { long: true })}</td>
                  <td>
                    <StatusTag status={s.status} />
                  </td>
                  <td>
                    {formatDate(s.submittedAt, { time: true })}
                    <span className="muted"> · {s.submittedBy}</span>
                  </td>
                  <td>
                    {s.status === 'verified' &&
                      t('submissions.verifiedBy', {
                        by: s.verifiedBy ?? '–',
                        at: formatDate(s.verifiedAt, { time: true }),
                      })}
                    {s.status === 'rejected' && (
                      <>
                        {t('submissions.rejectedBy', {
                          by: s.rejectedBy ?? '–',
                          at: formatDate(s.rejectedAt, { time: true }),
                        })}
                        {s.rejectionReason && (
                          <>
                            <br />
                            <q data-testid="rejection-reason">{s.rejectionReason}</q>
                          </>
                        )}
                      </>
                    )}
                    {s.status === 'superseded' &&
                      t('submissions.supersededAt', { at: formatDate(s.supersededAt, { time: true }) })}
                    {s.status === 'submitted' && <span className="muted">{t('submissions.waiting')}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
