import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import Chart, { type ChartOption } from '../../components/Chart';
import { formatDate, formatMonth, formatNumber } from '../../format';
import { LEVELS, levelKey, levelStyle } from '../../levels';
import LevelBadge from './LevelBadge';
import type { Evaluation } from './views';

const MONTH = 31 * 24 * 3600 * 1000;

/** The level history as a step chart (oldest to newest) and as a table of every evaluation. */
export default function HistorySection({ items }: { items: Evaluation[] }) {
  const { t, i18n } = useTranslation('kampung');
  const ordered = useMemo(
    () => [...items].sort((a, b) => a.evaluatedAt.localeCompare(b.evaluatedAt)),
    [items],
  );
  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 110, right: 24, top: 16, bottom: 40 },
      tooltip: {
        trigger: 'item',
        formatter: (p: unknown) => {
          const e = ordered[(p as { dataIndex: number }).dataIndex];
          return e ? `${formatDate(e.evaluatedAt, { time: true })}<br/>${t(levelKey(e.level))}` : '';
        },
      },
      xAxis: {
        type: 'time',
        // A month either side, so that one assessment (or several on one day) still reads as a point in time.
        min: ordered.length ? Date.parse(ordered[0].evaluatedAt) - MONTH : undefined,
        max: ordered.length ? Date.parse(ordered[ordered.length - 1].evaluatedAt) + MONTH : undefined,
        splitNumber: 4,
        axisLabel: { formatter: (v: number) => formatMonth(new Date(v).toISOString().slice(0, 7)) },
      },
      yAxis: {
        type: 'category',
        data: LEVELS.map((l) => t(levelKey(l))),
        boundaryGap: false,
      },
      series: [
        {
          type: 'line',
          name: t('history.level'),
          step: 'end',
          symbol: 'circle',
          symbolSize: 12,
          lineStyle: { color: '#52606d', width: 2 },
          data: ordered.map((e) => ({
            value: [e.evaluatedAt, LEVELS.indexOf(e.level)],
            itemStyle: { color: levelStyle(e.level).colour },
          })),
        },
      ],
    }),
    // the language changes the level names and the date labels
    [ordered, t, i18n.language],
  );

  return (
    <section className="card" aria-labelledby="history-heading">
      <h2 id="history-heading">{t('history.title')}</h2>
      {ordered.length === 0 ? (
        <p className="status status--empty">{t('history.empty')}</p>
      ) : (
        <>
          <Chart
            option={option}
            height={240}
            label={t('history.chartLabel', { count: ordered.length })}
            table={{
              caption: t('history.title'),
              columns: [t('history.date'), t('history.level')],
              rows: ordered.map((e) => [formatDate(e.evaluatedAt, { time: true }), t(levelKey(e.level))]),
            }}
          />
          <details>
            <summary>{t('history.tableToggle', { count: ordered.length })}</summary>
            <div className="table-wrap">
              <table className="data" data-testid="history-table">
                <caption>{t('history.tableCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('history.date')}</th>
                    <th scope="col">{t('history.level')}</th>
                    <th scope="col" className="num">
                      {t('index.input')}
                    </th>
                    <th scope="col" className="num">
                      {t('index.process')}
                    </th>
                    <th scope="col" className="num">
                      {t('index.output')}
                    </th>
                    <th scope="col">{t('history.trigger')}</th>
                    <th scope="col">{t('history.data')}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...ordered].reverse().map((e) => (
                    <tr key={e.evaluationId}>
                      <th scope="row">{formatDate(e.evaluatedAt, { time: true })}</th>
                      <td>
                        <LevelBadge level={e.level} testId="history-level" />
                      </td>
                      <td className="num">{formatNumber(e.indices.input, 2)}</td>
                      <td className="num">{formatNumber(e.indices.process, 2)}</td>
                      <td className="num">{formatNumber(e.indices.output, 2)}</td>
                      <td>
                        {t(`trigger.${e.trigger}`, { defaultValue: e.trigger })}
                        <span className="muted">
                          {' · '}
                          {t('classification.ruleSetVersion', { version: e.ruleSetVersion })}
                        </span>
                      </td>
                      <td>
                        {t('history.profile', { period: formatMonth(e.profile.period) })}
                        {e.report && <>, {t('history.report', { period: formatMonth(e.report.period) })}</>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}
