// Daftar Kampung: the kampung in scope with their level, filtered (region, level, model,
// assessed, name), sorted and paged by cursor; filters live in the URL, the cursors of the
// pages seen in a stack (Previous pops it). Export downloads the same filter as CSV or XLSX,
// streamed by the API.
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, authorizedFetch, data } from '../../api/client';
import type { KampungLevelPage } from '../../api/views';
import { dottedRegion, useSession } from '../../auth/session';
import { LevelChip } from '../../components/LevelChip';
import RegionPicker from '../../components/RegionPicker';
import { Empty, ErrorMessage, Loading } from '../../components/Status';
import { formatDate, formatDecimal, formatNumber } from '../../format';
import { LEVEL_STYLE, LEVELS } from '../../levels';
import { fileNameOf, filterQuery, PAGE_SIZE, readFilters, type Filters, type Sort } from './filters';

export default function ListPage() {
  const { t } = useTranslation('list');
  const { scope } = useSession();
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params, scope);
  const query = filterQuery(filters);
  const filterKey = JSON.stringify(query);

  // Cursor stack of the pages before the current one, reset whenever the filter changes.
  const [paging, setPaging] = useState<{ key: string; stack: string[] }>({ key: filterKey, stack: [] });
  const stack = paging.key === filterKey ? paging.stack : [];
  const cursor = stack[stack.length - 1];

  const page = useQuery({
    queryKey: ['kampung-levels', 'list', filterKey, cursor ?? ''],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      data<KampungLevelPage>(
        await api.classification.GET('/api/v1/kampung-levels', {
          params: { query: { ...query, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } },
        }),
      ),
  });

  const update = (changes: Partial<Record<keyof Filters, string | null>>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    setParams(next, { replace: false });
  };

  const [search, setSearch] = useState(filters.q);
  useEffect(() => setSearch(filters.q), [filters.q]);

  const exportFile = useMutation({
    mutationFn: async (format: 'csv' | 'xlsx') => {
      const qs = new URLSearchParams({ ...query, format });
      const response = await authorizedFetch(`/api/v1/kampung-levels/export?${qs.toString()}`);
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = fileNameOf(response, `kampung-kb.${format}`);
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return format;
    },
  });

  const sortBy = (sort: Sort) =>
    update({ sort, order: filters.sort === sort && filters.order === 'asc' ? 'desc' : 'asc' });
  const ariaSort = (sort: Sort) =>
    filters.sort === sort ? (filters.order === 'asc' ? 'ascending' : 'descending') : undefined;
  const sortHeader = (sort: Sort, label: string) => (
    <th scope="col" aria-sort={ariaSort(sort)}>
      <button type="button" className="sort-button" onClick={() => sortBy(sort)}>
        {label}
        <span aria-hidden="true" className="sort-icon">
          {filters.sort === sort ? (filters.order === 'asc' ? '▲' : '▼') : '↕'}
        </span>
        <span className="visually-hidden">
          {filters.sort === sort
            ? filters.order === 'asc'
              ? t('sort.asc')
              : t('sort.desc')
            : t('sort.none')}
        </span>
      </button>
    </th>
  );

  const items = page.data?.items ?? [];
  const pageNumber = stack.length + 1;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    update({ q: search });
  };

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>{t('title')}</h1>
          <p className="muted">{t('subtitle')}</p>
        </div>
        <div className="page-header__actions" role="group" aria-label={t('export.label')}>
          <button
            type="button"
            className="button button--secondary"
            disabled={exportFile.isPending}
            onClick={() => exportFile.mutate('csv')}
          >
            {t('export.csv')}
          </button>
          <button
            type="button"
            className="button button--secondary"
            disabled={exportFile.isPending}
            onClick={() => exportFile.mutate('xlsx')}
          >
            {t('export.xlsx')}
          </button>
        </div>
      </div>
      <div role="status" aria-live="polite" className="export-status">
        {exportFile.isPending && t('export.pending')}
        {exportFile.isSuccess && t('export.done')}
      </div>
      {exportFile.error && <ErrorMessage error={exportFile.error} />}

      <section className="card" aria-labelledby="list-filters-title">
        <h2 id="list-filters-title">{t('filters.title')}</h2>
        <form className="filters" onSubmit={submit} role="search">
          <div className="field">
            <label htmlFor="list-q">{t('filters.search')}</label>
            <input
              id="list-q"
              type="search"
              value={search}
              placeholder={t('filters.searchPlaceholder')}
              onChange={(e) => setSearch(e.target.value)}
            />
          </div>
          <button type="submit" className="button button--primary">
            {t('filters.apply')}
          </button>
          <RegionPicker
            idPrefix="list-region"
            value={filters.region}
            onChange={(code) => update({ region: code === dottedRegion(scope) ? null : code })}
          />
          <div className="field">
            <label htmlFor="list-assessed">{t('filters.assessed')}</label>
            <select
              id="list-assessed"
              value={filters.assessed}
              onChange={(e) => update({ assessed: e.target.value })}
            >
              <option value="">{t('filters.any')}</option>
              <option value="true">{t('filters.assessedYes')}</option>
              <option value="false">{t('filters.assessedNo')}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="list-model">{t('filters.model')}</label>
            <select id="list-model" value={filters.model} onChange={(e) => update({ model: e.target.value })}>
              <option value="">{t('filters.any')}</option>
              <option value="true">{t('filters.modelYes')}</option>
              <option value="false">{t('filters.modelNo')}</option>
            </select>
          </div>
          <fieldset className="field">
            <legend>{t('common:level.label')}</legend>
            <div className="checks">
              {LEVELS.map((l) => (
                <label className="check" key={l}>
                  <input
                    type="checkbox"
                    checked={filters.level.includes(l)}
                    onChange={() => {
                      const next = filters.level.includes(l)
                        ? filters.level.filter((x) => x !== l)
                        : LEVELS.filter((x) => x === l || filters.level.includes(x));
                      update({ level: next.join(',') });
                    }}
                  />
                  <span className="swatch" style={{ background: LEVEL_STYLE[l].colour }} aria-hidden="true" />
                  {t(LEVEL_STYLE[l].key)}
                </label>
              ))}
            </div>
          </fieldset>
          <Link to="/kampung" className="button button--secondary">
            {t('common:action.reset')}
          </Link>
        </form>
      </section>

      <section className="card" aria-labelledby="list-table-title">
        <div className="card__header">
          <h2 id="list-table-title">{t('table.title')}</h2>
          <span className="muted">{t('table.page', { n: formatNumber(pageNumber) })}</span>
        </div>
        {page.isPending && <Loading />}
        {page.error && <ErrorMessage error={page.error} onRetry={() => void page.refetch()} />}
        {page.data && items.length === 0 && <Empty>{t('table.empty')}</Empty>}
        {items.length > 0 && (
          <div className="table-wrap" aria-busy={page.isFetching}>
            <table className="data">
              <caption className="visually-hidden">
                {t('table.caption', { n: formatNumber(pageNumber) })}
              </caption>
              <thead>
                <tr>
                  {sortHeader('name', t('table.name'))}
                  {sortHeader('village', t('table.village'))}
                  {sortHeader('level', t('common:level.label'))}
                  <th scope="col" className="num">
                    <abbr title={t('table.scoresLong')}>{t('table.scores')}</abbr>
                  </th>
                  <th scope="col">{t('table.model')}</th>
                  {sortHeader('evaluatedAt', t('table.evaluatedAt'))}
                </tr>
              </thead>
              <tbody>
                {items.map((k) => (
                  <tr key={k.kampungId}>
                    <th scope="row">
                      <Link to={`/kampung/${k.kampungId}`}>{k.name}</Link>
                    </th>
                    <td>{k.villageCode}</td>
                    <td>
                      <LevelChip level={k.level} />
                    </td>
                    <td className="num">
                      {k.scores
                        ? [k.scores.input, k.scores.process, k.scores.output]
                            .map((s) => formatDecimal(s))
                            .join(' / ')
                        : '–'}
                    </td>
                    <td>
                      {k.modelProvince && <span className="tag">{t('common:model.province')}</span>}
                      {k.modelRegency && <span className="tag">{t('common:model.regency')}</span>}
                    </td>
                    <td>{formatDate(k.evaluatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav className="pager" aria-label={t('table.paging')}>
          <button
            type="button"
            className="button button--secondary"
            disabled={stack.length === 0 || page.isFetching}
            onClick={() => setPaging({ key: filterKey, stack: stack.slice(0, -1) })}
          >
            ‹ {t('common:action.previous')}
          </button>
          <span>{t('table.page', { n: formatNumber(pageNumber) })}</span>
          <button
            type="button"
            className="button button--secondary"
            disabled={!page.data?.nextCursor || page.isFetching}
            onClick={() => {
              const next = page.data?.nextCursor;
              if (next) setPaging({ key: filterKey, stack: [...stack, next] });
            }}
          >
            {t('common:action.next')} ›
          </button>
        </nav>
      </section>
    </div>
  );
}
