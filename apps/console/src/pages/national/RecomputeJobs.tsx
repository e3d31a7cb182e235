import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import { Empty, ErrorMessage, Loading } from '../../components/Status';
import { formatDate, formatNumber, formatPercent } from '../../format';
import type { RecomputeJobPage } from '../kampung/views';

/** Recomputation jobs, newest first; polled every 2 s while one runs, every 30 s otherwise. */
export default function RecomputeJobs() {
  const { t } = useTranslation('national');
  const jobs = useQuery({
    queryKey: ['recompute-jobs'],
    refetchInterval: (q) =>
      (q.state.data as RecomputeJobPage | undefined)?.items.some((j) => j.status === 'running')
        ? 2_000
        : 30_000,
    queryFn: async () =>
      data<RecomputeJobPage>(
        await api.classification.GET('/api/v1/recompute-jobs', { params: { query: { limit: 20 } } }),
      ),
  });
  const items = jobs.data?.items ?? [];
  const running = items.filter((j) => j.status === 'running').length;

  return (
    <section className="card" aria-labelledby="jobs-heading" data-testid="recompute-jobs">
      <div className="card__header">
        <h2 id="jobs-heading">{t('jobs.title')}</h2>
        {jobs.isSuccess && (
          <span className="muted" role="status" aria-live="polite">
            {running > 0 ? t('jobs.running', { count: running }) : t('jobs.idle')}
          </span>
        )}
      </div>
      {jobs.error ? (
        <ErrorMessage error={jobs.error} onRetry={() => void jobs.refetch()} />
      ) : jobs.isPending ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty>{t('jobs.empty')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <caption className="visually-hidden">{t('jobs.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('jobs.ruleSet')}</th>
                <th scope="col">{t('jobs.status')}</th>
                <th scope="col">{t('jobs.progress')}</th>
                <th scope="col" className="num">
                  {t('jobs.changed')}
                </th>
                <th scope="col">{t('jobs.started')}</th>
                <th scope="col">{t('jobs.finished')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((j) => {
                const pct = j.total > 0 ? (100 * j.processed) / j.total : j.status === 'done' ? 100 : 0;
                const text = t('jobs.progressText', {
                  processed: formatNumber(j.processed),
                  total: formatNumber(j.total),
                  percent: formatPercent(pct, { digits: 0 }),
                });
                return (
                  <tr key={j.id} data-testid="recompute-job" data-status={j.status}>
                    <th scope="row">{t('jobs.version', { version: j.ruleSetVersion })}</th>
                    <td>
                      <span className={`state state--${j.status}`}>{t(`jobs.state.${j.status}`)}</span>
                      {j.error && (
                        <p className="field-error" title={j.error}>
                          {t('jobs.error')}
                        </p>
                      )}
                    </td>
                    <td>
                      <div className="progress-row">
                        <progress
                          value={Math.min(j.processed, j.total)}
                          max={Math.max(j.total, 1)}
                          aria-label={t('jobs.progressLabel', { version: j.ruleSetVersion })}
                          aria-valuetext={text}
                        />
                        <span>{text}</span>
                      </div>
                    </td>
                    <td className="num">{formatNumber(j.changed)}</td>
                    <td>{formatDate(j.createdAt, { time: true })}</td>
                    <td>{formatDate(j.finishedAt, { time: true })}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
