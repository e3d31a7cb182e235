import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import { Empty, ErrorMessage, Loading } from '../../components/Status';
import { formatDate, formatNumber } from '../../format';
import { bandLabel, indicatorName } from '../kampung/indicators';
import LevelBadge from '../kampung/LevelBadge';
import { INDEX_NAMES, type RuleSet, type RuleSetSummary } from '../kampung/views';

function RuleSetDetail({ version }: { version: number }) {
  const { t } = useTranslation('national');
  const rs = useQuery({
    queryKey: ['rule-set', version],
    staleTime: Infinity,
    queryFn: async () =>
      data<RuleSet>(
        await api.classification.GET('/api/v1/rule-sets/{version}', { params: { path: { version } } }),
      ),
  });
  if (rs.error) return <ErrorMessage error={rs.error} onRetry={() => void rs.refetch()} />;
  if (rs.isPending) return <Loading />;
  const def = rs.data.definition;
  return (
    <div data-testid="rule-set-detail">
      <h3>{t('ruleSets.detailTitle', { version: rs.data.version, name: rs.data.name })}</h3>
      <p>{t('ruleSets.passMark', { passMark: formatNumber(def.passMark, 2) })}</p>
      <div className="table-wrap">
        <table className="data">
          <caption>{t('ruleSets.indicatorsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('ruleSets.indicator')}</th>
              <th scope="col">{t('ruleSets.source')}</th>
              <th scope="col">{t('ruleSets.bands')}</th>
              <th scope="col" className="num">
                {t('ruleSets.missingScore')}
              </th>
            </tr>
          </thead>
          {INDEX_NAMES.map((n) => (
            <tbody key={n}>
              <tr className="group-row">
                <th scope="colgroup" colSpan={4}>
                  {t(`kampung:index.${n}`)}
                </th>
              </tr>
              {def.indicators
                .filter((ind) => ind.index === n)
                .map((ind) => (
                  <tr key={ind.id} data-testid="rule-indicator">
                    <th scope="row">
                      {indicatorName(t, ind.id, ind.name)}
                      <span className="muted"> ({t(`ruleSets.unit.${ind.unit}`)})</span>
                    </th>
                    <td>{t(`ruleSets.sourceValue.${ind.source}`)}</td>
                    <td className="bands">
                      {ind.bands.map((b, i) => (
                        <span key={i}>
                          {i > 0 && ' · '}
                          {bandLabel(t, b.label)} → {b.score}
                        </span>
                      ))}
                    </td>
                    <td className="num">{ind.missingScore}</td>
                  </tr>
                ))}
            </tbody>
          ))}
        </table>
      </div>
      <div className="table-wrap">
        <table className="data">
          <caption>{t('ruleSets.mappingCaption')}</caption>
          <thead>
            <tr>
              {INDEX_NAMES.map((n) => (
                <th key={n} scope="col">
                  {t(`kampung:index.${n}`)}
                </th>
              ))}
              <th scope="col">{t('ruleSets.level')}</th>
            </tr>
          </thead>
          <tbody>
            {def.levelMapping.map((rule, i) => (
              <tr key={i}>
                {INDEX_NAMES.map((n) => (
                  <td key={n}>{rule[n] ? t('ruleSets.pass') : t('ruleSets.fail')}</td>
                ))}
                <td>
                  <LevelBadge level={rule.level} testId="mapping-level" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** Every rule set version (read only), and one with its indicators, bands and level mapping. */
export default function RuleSets() {
  const { t } = useTranslation('national');
  const [chosen, setChosen] = useState<number | null>(null);
  const list = useQuery({
    queryKey: ['rule-sets'],
    queryFn: async () => data<RuleSetSummary[]>(await api.classification.GET('/api/v1/rule-sets')),
  });
  const items = list.data ?? [];
  const inForce = items.find((r) => r.status === 'published')?.version ?? null;
  const shown = chosen ?? inForce ?? items[0]?.version ?? null;

  return (
    <section className="card" aria-labelledby="rule-sets-heading" data-testid="rule-sets">
      <h2 id="rule-sets-heading">{t('ruleSets.title')}</h2>
      {list.error ? (
        <ErrorMessage error={list.error} onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty>{t('ruleSets.empty')}</Empty>
      ) : (
        <>
          <div className="table-wrap">
            <table className="data">
              <caption className="visually-hidden">{t('ruleSets.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('ruleSets.version')}</th>
                  <th scope="col">{t('ruleSets.name')}</th>
                  <th scope="col">{t('ruleSets.status')}</th>
                  <th scope="col">{t('ruleSets.published')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('ruleSets.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <tr
                    key={r.version}
                    className={r.version === shown ? 'is-selected' : undefined}
                    data-testid="rule-set-row"
                  >
                    <th scope="row">{r.version}</th>
                    <td>{r.name}</td>
                    <td>
                      {t(`ruleSets.state.${r.status}`)}
                      {r.version === inForce && <span className="tag">{t('ruleSets.inForce')}</span>}
                    </td>
                    <td>
                      {r.publishedAt
                        ? t('ruleSets.publishedBy', {
                            at: formatDate(r.publishedAt, { time: true }),
                            by: r.publishedBy ?? '–',
                          })
                        : '–'}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="button button--secondary button--small"
                        aria-pressed={r.version === shown}
                        aria-label={t('ruleSets.showLabel', { version: r.version })}
                        onClick={() => setChosen(r.version)}
                      >
                        {t('ruleSets.show')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {shown !== null && <RuleSetDetail version={shown} />}
        </>
      )}
    </section>
  );
}
