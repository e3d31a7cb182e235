// The result of one upload: its counts, then every row's result (row, outcome, column, reason)
// a page at a time from GET /api/v1/imports/:id/rows (`after` the last row shown), optionally the
// rejected rows only.
import { forwardRef, useMemo, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { compile } from '@kkb/instrument-rules';
import { api, data } from '../../api/client';
import { Empty, ErrorMessage, Loading } from '../../components/Status';
import { formatNumber } from '../../format';
import { reasonIn } from './reasons';
import { answerQuestionId } from './template';
import { labelOf, languageOf, type ImportJob, type LoadedInstrument, type RowResult } from './views';

export const PAGE_SIZE = 50;

interface Props {
  job: ImportJob;
  instrument: LoadedInstrument;
  fileName: string;
}

const ImportResult = forwardRef<HTMLHeadingElement, Props>(function ImportResult(
  { job, instrument, fileName },
  headingRef,
) {
  const { t, i18n } = useTranslation('import');
  const lang = languageOf(i18n.language);
  const [onlyFailed, setOnlyFailed] = useState(false);
  // The `after` of every page shown before this one: previous pops it.
  const [stack, setStack] = useState<number[]>([]);
  const after = stack.length ? stack[stack.length - 1] : 0;

  const compiled = useMemo(() => compile(instrument.definition), [instrument]);
  const page = useQuery({
    queryKey: ['import-rows', job.id, onlyFailed, after],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      data<RowResult[]>(
        await api.survey.GET('/api/v1/imports/{id}/rows', {
          params: {
            path: { id: job.id },
            // One more than shown: whether there is a next page.
            query: { after, limit: PAGE_SIZE + 1, ...(onlyFailed ? { outcome: 'failed' as const } : {}) },
          },
        }),
      ),
  });
  const rows = (page.data ?? []).slice(0, PAGE_SIZE);
  const hasNext = (page.data?.length ?? 0) > PAGE_SIZE;
  const pageNumber = stack.length + 1;

  const fieldLabel = (field: string): { label: string; code?: string } => {
    const id = answerQuestionId(field);
    const q = id ? compiled.questions.get(id) : undefined;
    if (q) return { label: labelOf(t, q, lang), code: q.id };
    return { label: t(`fields.${field.replace(/\./g, '_')}`, { defaultValue: field }) };
  };

  /** A row's problems, one line per reason (a broken rule names every field it adds up). */
  const problemsOf = (r: RowResult) => {
    const byReason = new Map<string, string[]>();
    for (const e of r.errors ?? []) {
      const reason = reasonIn(t, compiled, e.field, e.reason, lang);
      byReason.set(reason, [...(byReason.get(reason) ?? []), e.field]);
    }
    return [...byReason].map(([reason, fields]) => ({ reason, fields }));
  };

  const counts: { key: 'rows' | 'created' | 'unchanged' | 'failed'; className: string }[] = [
    { key: 'rows', className: 'kpi' },
    { key: 'created', className: 'kpi kpi--accent' },
    { key: 'unchanged', className: 'kpi' },
    { key: 'failed', className: job.failed > 0 ? 'kpi kpi--warn' : 'kpi' },
  ];

  return (
    <section className="card" aria-labelledby="import-result-heading" data-testid="import-result">
      <div className="card__header">
        <h2 id="import-result-heading" ref={headingRef} tabIndex={-1}>
          {t('result.title')}
        </h2>
        <span className={`state state--import-${job.status}`} data-testid="import-status">
          {t(`result.status.${job.status}`)}
        </span>
      </div>
      <p className="muted">
        {t('result.summary', {
          file: fileName,
          instrument: t(`entry:kind.${instrument.kind}`, { defaultValue: instrument.title }),
          version: job.instrumentVersion,
        })}
      </p>
      <p className="visually-hidden" role="status">
        {t('result.done', {
          count: job.rows,
          rows: formatNumber(job.rows),
          created: formatNumber(job.created),
          unchanged: formatNumber(job.unchanged),
          failed: formatNumber(job.failed),
        })}
      </p>
      <dl className="grid grid--kpi import-counts" data-testid="import-counts">
        {counts.map((c) => (
          <div key={c.key} className={c.className} data-count={c.key}>
            <dt>{t(`result.${c.key}`)}</dt>
            <dd>{formatNumber(job[c.key])}</dd>
          </div>
        ))}
      </dl>
      {job.error && (
        <p className="notice" role="note">
          {job.error}
        </p>
      )}

      {job.rows === 0 ? (
        <Empty>{t('result.noRows')}</Empty>
      ) : (
        <>
          <label className="check import-filter">
            <input
              type="checkbox"
              checked={onlyFailed}
              onChange={(e) => {
                setOnlyFailed(e.target.checked);
                setStack([]);
              }}
              data-testid="only-failed"
            />
            {t('result.onlyFailed')}
          </label>
          {page.error ? (
            <ErrorMessage error={page.error} onRetry={() => void page.refetch()} />
          ) : page.isPending ? (
            <Loading />
          ) : rows.length === 0 ? (
            <Empty>{t('result.empty')}</Empty>
          ) : (
            <div className="table-wrap">
              <table className="data import-rows" data-testid="import-rows" aria-busy={page.isFetching}>
                <caption>{t('result.caption', { page: formatNumber(pageNumber) })}</caption>
                <thead>
                  <tr>
                    <th scope="col" className="num">
                      {t('result.row')}
                    </th>
                    <th scope="col">{t('result.outcome')}</th>
                    <th scope="col">{t('result.field')}</th>
                    <th scope="col">{t('result.reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => {
                    const problems = problemsOf(r);
                    const lines = problems.length ? problems : [null];
                    return lines.map((p, i) => (
                      <tr
                        key={`${r.row}-${i}`}
                        className={i > 0 ? 'import-rows__more' : undefined}
                        data-testid="import-row"
                        data-row={r.row}
                        data-outcome={r.outcome}
                        data-fields={p?.fields.join(' ')}
                      >
                        {i === 0 && (
                          <>
                            <th scope="row" className="num" rowSpan={lines.length}>
                              {formatNumber(r.row)}
                            </th>
                            <td rowSpan={lines.length}>
                              <span className={`state state--import-${r.outcome}`}>
                                {t(`result.outcomeValue.${r.outcome}`)}
                              </span>
                            </td>
                          </>
                        )}
                        <td>
                          {p ? (
                            <ul className="plain-list">
                              {p.fields.map((f) => {
                                const field = fieldLabel(f);
                                return (
                                  <li key={f}>
                                    {field.label}
                                    {field.code && <code className="muted">{field.code}</code>}
                                  </li>
                                );
                              })}
                            </ul>
                          ) : (
                            <span className="muted">–</span>
                          )}
                        </td>
                        <td>{p ? p.reason : <span className="muted">–</span>}</td>
                      </tr>
                    ));
                  })}
                </tbody>
              </table>
            </div>
          )}
          {(stack.length > 0 || hasNext) && (
            <nav className="pager" aria-label={t('result.paging')} data-testid="import-pager">
              <button
                type="button"
                className="button button--secondary"
                disabled={stack.length === 0 || page.isFetching}
                onClick={() => setStack(stack.slice(0, -1))}
              >
                ‹ {t('common:action.previous')}
              </button>
              <span data-testid="import-page-number">
                {rows.length > 0 &&
                  t('result.page', {
                    n: formatNumber(pageNumber),
                    from: formatNumber(rows[0].row),
                    to: formatNumber(rows[rows.length - 1].row),
                  })}
              </span>
              <button
                type="button"
                className="button button--secondary"
                disabled={!hasNext || page.isFetching}
                onClick={() => setStack([...stack, rows[rows.length - 1].row])}
              >
                {t('common:action.next')} ›
              </button>
            </nav>
          )}
        </>
      )}
    </section>
  );
});

export default ImportResult;
