// Beranda: the region's coverage against the every-village target, its level distribution,
// month-by-month trends, the child regions (a click goes one level down, the region code in
// the URL) and its model kampung. Everything is read for the region in the URL, else the
// officer's own scope; the APIs refuse regions outside it.
import { useMemo } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api, data } from '../../api/client';
import type {
  CoverageEntry,
  CoverageTrendView,
  CoverageView,
  KampungLevelPage,
  LevelCounts,
  LevelsHistoryView,
  LevelsView,
} from '../../api/views';
import { dottedRegion, useSession } from '../../auth/session';
import Breadcrumbs from '../../components/Breadcrumbs';
import type { ChartOption } from '../../components/Chart';
import Chart from '../../components/LazyChart';
import { LevelChip, LevelLegend } from '../../components/LevelChip';
import { Empty, ErrorMessage, Loading } from '../../components/Status';
import { formatMonth, formatNumber, formatPercent } from '../../format';
import { LEVEL_STYLE, LEVELS } from '../../levels';

const CHILD_LEVEL: Record<CoverageEntry['level'], CoverageEntry['level'] | null> = {
  nation: 'province',
  province: 'regency',
  regency: 'district',
  district: 'village',
  village: null,
};

export function useHomeRegion(): { region: string; link: (code: string) => string } {
  const { scope } = useSession();
  const [params] = useSearchParams();
  const own = dottedRegion(scope);
  const region = params.get('region') ?? own;
  return { region, link: (code: string) => (code === own ? '/' : `/?region=${encodeURIComponent(code)}`) };
}

export default function HomePage() {
  const { t } = useTranslation('home');
  const { region, link } = useHomeRegion();
  const query = region ? { region } : {};

  const coverage = useQuery({
    queryKey: ['coverage', region],
    queryFn: async () =>
      data<CoverageView>(
        await api.registry.GET('/api/v1/coverage', { params: { query: { ...query, breakdown: true } } }),
      ),
  });
  const levels = useQuery({
    queryKey: ['levels', region],
    queryFn: async () =>
      data<LevelsView>(
        await api.classification.GET('/api/v1/levels', { params: { query: { ...query, breakdown: true } } }),
      ),
  });

  // A region outside the officer's scope (or no such region): one message, nothing else to show.
  const refused = coverage.error instanceof ApiError && [400, 403, 404].includes(coverage.error.status);

  const name = coverage.data
    ? coverage.data.code === null
      ? t('common:region.nation')
      : coverage.data.name
    : '';

  return (
    <div className="page">
      <div className="page-header">
        <div>
          {region && <Breadcrumbs region={region} to={link} />}
          <h1>{coverage.data ? t('title', { name }) : t('titlePlain')}</h1>
          <p className="muted">{t('subtitle')}</p>
        </div>
        <div className="page-header__actions">
          <Link className="button button--secondary" to={region ? `/peta?region=${region}` : '/peta'}>
            {t('openMap')}
          </Link>
          <Link className="button button--secondary" to={region ? `/kampung?region=${region}` : '/kampung'}>
            {t('openList')}
          </Link>
        </div>
      </div>

      <section aria-labelledby="coverage-title">
        <h2 id="coverage-title" className="visually-hidden">
          {t('coverage.title')}
        </h2>
        {coverage.isPending && <Loading />}
        {coverage.error && (
          <ErrorMessage
            error={coverage.error}
            onRetry={refused ? undefined : () => void coverage.refetch()}
          />
        )}
        {coverage.data && <CoverageKpis coverage={coverage.data} levels={levels.data} />}
      </section>

      {!refused && (
        <>
          <div className="grid grid--2">
            <LevelDistribution levels={levels.data} error={levels.error} pending={levels.isPending} />
            <ModelKampung region={region} />
          </div>

          <div className="grid grid--2">
            <KampungTrend region={region} />
            <LevelTrend region={region} />
          </div>

          {coverage.data && <ChildRegions coverage={coverage.data} levels={levels.data} />}
        </>
      )}
    </div>
  );
}

function CoverageKpis({ coverage, levels }: { coverage: CoverageView; levels?: LevelsView }) {
  const { t } = useTranslation('home');
  return (
    <dl className="grid grid--kpi">
      <div className="kpi">
        <dt>{t('coverage.villages')}</dt>
        <dd>
          {formatNumber(coverage.villages)}
          <span className="kpi__note">{t('coverage.villagesNote')}</span>
        </dd>
      </div>
      <div className="kpi kpi--accent">
        <dt>{t('coverage.kampung')}</dt>
        <dd>
          {formatNumber(coverage.kampung)}
          <span className="kpi__note">{t('coverage.kampungNote')}</span>
        </dd>
      </div>
      <div className="kpi">
        <dt>{t('coverage.percent')}</dt>
        <dd>
          {formatPercent(coverage.percent)}
          <span className="progress" aria-hidden="true">
            <span style={{ width: `${Math.min(100, Math.max(0, coverage.percent))}%` }} />
          </span>
          <span className="kpi__note">{t('coverage.percentNote')}</span>
        </dd>
      </div>
      <div className="kpi kpi--warn">
        <dt>{t('coverage.gap')}</dt>
        <dd>
          {formatNumber(coverage.gap)}
          <span className="kpi__note">{t('coverage.gapNote')}</span>
        </dd>
      </div>
      {levels && (
        <div className="kpi">
          <dt>{t('coverage.assessed')}</dt>
          <dd>
            {formatNumber(levels.assessed)}
            <span className="kpi__note">
              {t('coverage.assessedNote', { percent: formatPercent(levels.coverage) })}
            </span>
          </dd>
        </div>
      )}
    </dl>
  );
}

function LevelDistribution({
  levels,
  error,
  pending,
}: {
  levels?: LevelsView;
  error: unknown;
  pending: boolean;
}) {
  const { t, i18n } = useTranslation('home');
  const chart = useMemo(() => {
    if (!levels) return null;
    const rows = [
      ...LEVELS.map((l) => ({
        name: t(LEVEL_STYLE[l].key),
        value: levels.levels[l],
        colour: LEVEL_STYLE[l].colour,
      })),
      { name: t(LEVEL_STYLE.none.key), value: levels.notAssessed, colour: LEVEL_STYLE.none.colour },
    ];
    const option: ChartOption = {
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        valueFormatter: (v) => formatNumber(Number(v)),
      },
      xAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: (v: number) => formatNumber(v) } },
      yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name), axisTick: { show: false } },
      series: [
        {
          type: 'bar',
          name: t('levels.kampung'),
          barMaxWidth: 28,
          data: rows.map((r) => ({ value: r.value, itemStyle: { color: r.colour } })),
          label: { show: true, position: 'right', formatter: (p) => formatNumber(Number(p.value)) },
        },
      ],
    };
    const total = levels.kampung;
    return {
      option,
      table: {
        caption: t('levels.title'),
        columns: [t('common:level.label'), t('levels.kampung'), t('levels.share')],
        rows: rows.map((r) => [
          r.name,
          formatNumber(r.value),
          formatPercent(total ? (r.value / total) * 100 : 0),
        ]),
      },
      label: t('levels.chartLabel', {
        summary: rows.map((r) => `${r.name} ${formatNumber(r.value)}`).join(', '),
      }),
    };
  }, [levels, t, i18n.language]);

  return (
    <section className="card" aria-labelledby="levels-title">
      <div className="card__header">
        <h2 id="levels-title">{t('levels.title')}</h2>
        {levels && (
          <span className="muted">
            {t('levels.total', { count: levels.kampung, n: formatNumber(levels.kampung) })}
          </span>
        )}
      </div>
      {pending && <Loading />}
      {error !== null && error !== undefined && <ErrorMessage error={error} />}
      {chart && (
        <>
          <Chart option={chart.option} label={chart.label} table={chart.table} height={240} />
          <LevelLegend />
        </>
      )}
    </section>
  );
}

function KampungTrend({ region }: { region: string }) {
  const { t, i18n } = useTranslation('home');
  const trend = useQuery({
    queryKey: ['coverage-trend', region],
    queryFn: async () =>
      data<CoverageTrendView>(
        await api.registry.GET('/api/v1/coverage/trend', { params: { query: region ? { region } : {} } }),
      ),
  });
  const chart = useMemo(() => {
    const months = trend.data?.months ?? [];
    if (months.length === 0) return null;
    const option: ChartOption = {
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', valueFormatter: (v) => formatNumber(Number(v)) },
      xAxis: { type: 'category', data: months.map((m) => formatMonth(m.month)), boundaryGap: false },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: (v: number) => formatNumber(v) } },
      series: [
        {
          type: 'line',
          name: t('trend.kampung'),
          data: months.map((m) => m.kampung),
          showSymbol: months.length <= 24,
          lineStyle: { color: '#0b4f6c', width: 2.5 },
          itemStyle: { color: '#0b4f6c' },
          areaStyle: { color: 'rgba(11, 79, 108, 0.12)' },
        },
      ],
    };
    const last = months[months.length - 1];
    return {
      option,
      label: t('trend.kampungLabel', {
        from: formatMonth(months[0].month, { long: true }),
        to: formatMonth(last.month, { long: true }),
        n: formatNumber(last.kampung),
      }),
      table: {
        caption: t('trend.kampungTitle'),
        columns: [t('trend.month'), t('trend.kampung')],
        rows: months.map((m) => [formatMonth(m.month, { long: true }), formatNumber(m.kampung)]),
      },
    };
  }, [trend.data, t, i18n.language]);
  return (
    <section className="card" aria-labelledby="trend-kampung-title">
      <div className="card__header">
        <h2 id="trend-kampung-title">{t('trend.kampungTitle')}</h2>
        <span className="muted">{t('trend.kampungNote')}</span>
      </div>
      {trend.isPending && <Loading />}
      {trend.error && <ErrorMessage error={trend.error} />}
      {trend.data && !chart && <Empty>{t('trend.empty')}</Empty>}
      {chart && <Chart option={chart.option} label={chart.label} table={chart.table} />}
    </section>
  );
}

function LevelTrend({ region }: { region: string }) {
  const { t, i18n } = useTranslation('home');
  const history = useQuery({
    queryKey: ['levels-history', region],
    queryFn: async () =>
      data<LevelsHistoryView>(
        await api.classification.GET('/api/v1/levels/history', {
          params: { query: region ? { region } : {} },
        }),
      ),
  });
  const chart = useMemo(() => {
    const months = history.data?.months ?? [];
    if (months.length === 0) return null;
    const option: ChartOption = {
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0, itemWidth: 14, itemHeight: 10 },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        valueFormatter: (v) => formatNumber(Number(v)),
      },
      xAxis: { type: 'category', data: months.map((m) => formatMonth(m.month)) },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: (v: number) => formatNumber(v) } },
      series: LEVELS.map((l) => ({
        type: 'bar' as const,
        stack: 'levels',
        name: t(LEVEL_STYLE[l].key),
        itemStyle: { color: LEVEL_STYLE[l].colour },
        barMaxWidth: 36,
        data: months.map((m) => m.levels[l]),
      })),
    };
    const last = months[months.length - 1];
    return {
      option,
      label: t('trend.levelsLabel', {
        to: formatMonth(last.month, { long: true }),
        summary: LEVELS.map((l) => `${t(LEVEL_STYLE[l].key)} ${formatNumber(last.levels[l])}`).join(', '),
      }),
      table: {
        caption: t('trend.levelsTitle'),
        columns: [t('trend.month'), ...LEVELS.map((l) => t(LEVEL_STYLE[l].key)), t('trend.assessed')],
        rows: months.map((m) => [
          formatMonth(m.month, { long: true }),
          ...LEVELS.map((l) => formatNumber(m.levels[l])),
          formatNumber(m.assessed),
        ]),
      },
    };
  }, [history.data, t, i18n.language]);
  return (
    <section className="card" aria-labelledby="trend-levels-title">
      <div className="card__header">
        <h2 id="trend-levels-title">{t('trend.levelsTitle')}</h2>
        <span className="muted">{t('trend.levelsNote')}</span>
      </div>
      {history.isPending && <Loading />}
      {history.error && <ErrorMessage error={history.error} />}
      {history.data && !chart && <Empty>{t('trend.empty')}</Empty>}
      {chart && <Chart option={chart.option} label={chart.label} table={chart.table} />}
    </section>
  );
}

function ModelKampung({ region }: { region: string }) {
  const { t } = useTranslation('home');
  const models = useQuery({
    queryKey: ['kampung-levels', 'model', region],
    queryFn: async () =>
      data<KampungLevelPage>(
        await api.classification.GET('/api/v1/kampung-levels', {
          params: {
            query: { ...(region ? { region } : {}), model: true, sort: 'level', order: 'desc', limit: 8 },
          },
        }),
      ),
  });
  const items = models.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="model-title">
      <div className="card__header">
        <h2 id="model-title">{t('model.title')}</h2>
        <Link to={region ? `/kampung?region=${region}&model=true` : '/kampung?model=true'}>
          {t('model.all')}
        </Link>
      </div>
      {models.isPending && <Loading />}
      {models.error && <ErrorMessage error={models.error} />}
      {models.data && items.length === 0 && <Empty>{t('model.empty')}</Empty>}
      {items.length > 0 && (
        <ul className="model-list">
          {items.map((k) => (
            <li key={k.kampungId}>
              <div>
                <Link to={`/kampung/${k.kampungId}`} className="model-list__name">
                  {k.name}
                </Link>
                <span className="model-list__meta">
                  {k.modelProvince && <span className="tag">{t('common:model.province')}</span>}
                  {k.modelRegency && <span className="tag">{t('common:model.regency')}</span>}
                  <span className="muted">{k.villageCode}</span>
                </span>
              </div>
              <LevelChip level={k.level} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

interface ChildRow extends CoverageEntry {
  counts?: LevelCounts;
}

function ChildRegions({ coverage, levels }: { coverage: CoverageView; levels?: LevelsView }) {
  const { t, i18n } = useTranslation('home');
  const navigate = useNavigate();
  const { link } = useHomeRegion();
  const childLevel = CHILD_LEVEL[coverage.level];
  const rows: ChildRow[] = useMemo(() => {
    const byCode = new Map((levels?.children ?? []).map((c) => [c.region, c]));
    return (coverage.children ?? []).map((c) => ({ ...c, counts: c.code ? byCode.get(c.code) : undefined }));
  }, [coverage, levels]);
  const drillable = childLevel !== null && childLevel !== 'village';
  const href = (code: string) => (drillable ? link(code) : `/kampung?region=${encodeURIComponent(code)}`);

  const chart = useMemo(() => {
    // Villages are 0 or 100 % each: the table says it better than bars.
    if (rows.length === 0 || rows.length > 60 || childLevel === 'village') return null;
    const option: ChartOption = {
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        valueFormatter: (v) => formatPercent(Number(v)),
      },
      xAxis: {
        type: 'value',
        max: (extent: { max: number }) => Math.min(100, Math.max(10, Math.ceil((extent.max * 1.15) / 5) * 5)),
        axisLabel: { formatter: (v: number) => formatPercent(v, { digits: 0 }) },
      },
      yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name), axisTick: { show: false } },
      series: [
        {
          type: 'bar',
          name: t('children.percent'),
          data: rows.map((r) => r.percent),
          barMaxWidth: 22,
          itemStyle: { color: '#0b4f6c' },
          label: { show: true, position: 'right', formatter: (p) => formatPercent(Number(p.value)) },
        },
      ],
    };
    return {
      option,
      height: Math.max(160, rows.length * 30 + 24),
      label: t('children.chartLabel', { level: t(`common:region.level.${childLevel ?? 'village'}`) }),
    };
  }, [rows, t, i18n.language, childLevel]);

  if (!childLevel) return null;
  const levelName = t(`common:region.level.${childLevel}`);

  return (
    <section className="card" aria-labelledby="children-title">
      <div className="card__header">
        <h2 id="children-title">{t('children.title', { level: levelName })}</h2>
        <span className="muted">{drillable ? t('children.hint') : t('children.hintVillages')}</span>
      </div>
      {rows.length === 0 ? (
        <Empty>{t('children.empty')}</Empty>
      ) : (
        <>
          {chart && (
            <Chart
              option={chart.option}
              label={chart.label}
              height={chart.height}
              onClick={(e) => {
                const row = rows[e.dataIndex];
                if (row?.code) void navigate(href(row.code));
              }}
            />
          )}
          <div className="table-wrap">
            <table className="data">
              <caption className="visually-hidden">{t('children.title', { level: levelName })}</caption>
              <thead>
                <tr>
                  <th scope="col">{levelName}</th>
                  <th scope="col" className="num">
                    {t('coverage.villages')}
                  </th>
                  <th scope="col" className="num">
                    {t('coverage.kampung')}
                  </th>
                  <th scope="col" className="num">
                    {t('coverage.percent')}
                  </th>
                  <th scope="col" className="num">
                    {t('coverage.gap')}
                  </th>
                  <th scope="col" className="num">
                    {t('coverage.assessed')}
                  </th>
                  {LEVELS.map((l) => (
                    <th scope="col" className="num" key={l}>
                      {t(LEVEL_STYLE[l].key)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.code ?? r.name}>
                    <th scope="row">
                      {r.code && (drillable || r.kampung > 0) ? (
                        <Link to={href(r.code)}>{r.name}</Link>
                      ) : (
                        r.name
                      )}
                      <span className="cell-sub">{r.code}</span>
                    </th>
                    <td className="num">{formatNumber(r.villages)}</td>
                    <td className="num">{formatNumber(r.kampung)}</td>
                    <td className="num">{formatPercent(r.percent)}</td>
                    <td className="num">{formatNumber(r.gap)}</td>
                    <td className="num">{formatNumber(r.counts?.assessed)}</td>
                    {LEVELS.map((l) => (
                      <td className="num" key={l}>
                        {formatNumber(r.counts?.levels[l])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
