import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { formatDate, formatNumber } from '../../format';
import type { AuditEntry } from './views';

function show(value: unknown, t: TFunction): string {
  if (value === null || value === undefined || value === '') return '–';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? t('kampung:yes') : t('kampung:no');
  if (typeof value === 'number') return formatNumber(value, 6);
  if (Array.isArray(value)) return value.length === 0 ? '–' : value.map((v) => show(v, t)).join(', ');
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null && v !== '');
  return entries.length === 0 ? '–' : `{ ${entries.map(([k, v]) => `${k}: ${show(v, t)}`).join('; ')} }`;
}

function ChangeList({
  changes,
  initial = false,
}: {
  changes: [string, { from: unknown; to: unknown }][];
  initial?: boolean;
}) {
  const { t } = useTranslation('kampung');
  return (
    <ul className="plain-list changes">
      {changes.map(([field, c]) => (
        <li key={field}>
          <strong>{t(`field.${field}`, { defaultValue: field })}</strong>:{' '}
          {initial ? show(c.to, t) : `${show(c.from, t)} → ${show(c.to, t)}`}
        </li>
      ))}
    </ul>
  );
}

/** Who changed what, when and why (registry audit), newest first. */
export default function AuditSection({
  items,
  hasMore,
  loadingMore,
  onMore,
}: {
  items: AuditEntry[];
  hasMore: boolean;
  loadingMore: boolean;
  onMore: () => void;
}) {
  const { t } = useTranslation('kampung');
  const rows = [...items].reverse();
  return (
    <section className="card" aria-labelledby="audit-heading">
      <h2 id="audit-heading">{t('audit.title')}</h2>
      {rows.length === 0 ? (
        <p className="status status--empty">{t('audit.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="data" data-testid="audit-table">
            <caption className="visually-hidden">{t('audit.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('audit.at')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.changes')}</th>
                <th scope="col">{t('audit.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => {
                const changes = Object.entries(a.changes ?? {});
                return (
                  <tr key={a.id} data-testid="audit-row">
                    <th scope="row">
                      {formatDate(a.at, { time: true })}
                      <span className="muted"> · {t('register.version', { version: a.version })}</span>
                    </th>
                    <td>{t(`auditAction.${a.action}`, { defaultValue: a.action })}</td>
                    <td>
                      {a.actor}
                      {a.actorRole && (
                        <span className="muted">
                          {' '}
                          ({t(`common:role.${a.actorRole}`, { defaultValue: a.actorRole })})
                        </span>
                      )}
                    </td>
                    <td>
                      {changes.length === 0 ? (
                        '–'
                      ) : a.action === 'registered' ? (
                        <details>
                          <summary>{t('audit.initialData', { count: changes.length })}</summary>
                          <ChangeList changes={changes} initial />
                        </details>
                      ) : (
                        <ChangeList changes={changes} />
                      )}
                    </td>
                    <td>{a.reason ?? '–'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {hasMore && (
        <p>
          <button type="button" className="button button--secondary" onClick={onMore} disabled={loadingMore}>
            {t('audit.more')}
          </button>
        </p>
      )}
    </section>
  );
}
