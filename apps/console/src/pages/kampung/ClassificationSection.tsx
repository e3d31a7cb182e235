import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, formatMonth, formatNumber } from '../../format';
import LevelBadge from './LevelBadge';
import { bandLabel, formatTarget, formatValue, indicatorName } from './indicators';
import { INDEX_NAMES, type Classification, type IndicatorMove } from './views';

function Score({ value }: { value: number }) {
  return <>{formatNumber(value, 2)}</>;
}

/** The level with each indicator (value, band, score), the three indices against the pass mark. */
export function ClassificationSection({ c }: { c: Classification }) {
  const { t } = useTranslation('kampung');
  if (c.status !== 'assessed' || !c.indices) {
    return (
      <section className="card" aria-labelledby="classification-heading">
        <h2 id="classification-heading">{t('classification.title')}</h2>
        <p>
          <LevelBadge level={null} testId="classification-level" />
        </p>
        <p data-testid="not-assessed">{t('classification.notAssessed')}</p>
        {c.report && (
          <p className="muted">{t('classification.reportOnly', { period: formatMonth(c.report.period) })}</p>
        )}
      </section>
    );
  }
  const indices = c.indices;
  return (
    <section className="card" aria-labelledby="classification-heading">
      <div className="card__header">
        <h2 id="classification-heading">{t('classification.title')}</h2>
        <LevelBadge level={c.level} testId="classification-level" />
      </div>
      <dl className="facts facts--inline">
        <dt>{t('classification.evaluatedAt')}</dt>
        <dd>{formatDate(c.evaluatedAt, { time: true })}</dd>
        <dt>{t('classification.ruleSet')}</dt>
        <dd>{t('classification.ruleSetVersion', { version: c.ruleSetVersion })}</dd>
        <dt>{t('classification.profileUsed')}</dt>
        <dd>{c.profile ? formatMonth(c.profile.period, { long: true }) : '–'}</dd>
        <dt>{t('classification.reportUsed')}</dt>
        <dd>{c.report ? formatMonth(c.report.period, { long: true }) : t('classification.noReport')}</dd>
        {c.previousLevel !== undefined && (
          <>
            <dt>{t('classification.previous')}</dt>
            <dd>{c.previousLevel ? t(`common:level.${c.previousLevel}`) : t('common:level.none')}</dd>
          </>
        )}
      </dl>

      <div className="table-wrap">
        <table className="data" data-testid="index-table">
          <caption>{t('classification.indicesCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('classification.index')}</th>
              <th scope="col" className="num">
                {t('classification.score')}
              </th>
              <th scope="col" className="num">
                {t('classification.passMark')}
              </th>
              <th scope="col">{t('classification.result')}</th>
            </tr>
          </thead>
          <tbody>
            {INDEX_NAMES.map((n) => (
              <tr key={n} data-testid="index-row" data-index={n}>
                <th scope="row">{t(`index.${n}`)}</th>
                <td className="num">
                  <Score value={indices[n].value} />
                </td>
                <td className="num">
                  <Score value={indices[n].passMark} />
                </td>
                <td>
                  <span className={indices[n].passes ? 'pass' : 'fail'}>
                    {indices[n].passes ? t('classification.passes') : t('classification.fails')}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div className="table-wrap">
        <table className="data" data-testid="indicator-table">
          <caption>{t('classification.indicatorsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('classification.indicator')}</th>
              <th scope="col" className="num">
                {t('classification.value')}
              </th>
              <th scope="col">{t('classification.band')}</th>
              <th scope="col" className="num">
                {t('classification.score')}
              </th>
              <th scope="col">{t('classification.bands')}</th>
            </tr>
          </thead>
          {INDEX_NAMES.map((n) => (
            <tbody key={n}>
              <tr className="group-row">
                <th scope="colgroup" colSpan={5}>
                  {t(`index.${n}`)} · <Score value={indices[n].value} />
                </th>
              </tr>
              {indices[n].indicators.map((ind) => (
                <tr key={ind.id} data-testid="indicator-row" data-indicator={ind.id}>
                  <th scope="row" className="indicator-name">
                    {indicatorName(t, ind.id, ind.name)}
                  </th>
                  <td className="num">
                    {ind.value === null ? (
                      <span className="muted" title={ind.missing}>
                        {t('classification.missing')}
                      </span>
                    ) : (
                      formatValue(ind.value, ind.unit)
                    )}
                  </td>
                  <td>{bandLabel(t, ind.band)}</td>
                  <td className="num nowrap" data-testid="indicator-score">
                    {t('classification.scoreOf', { score: ind.score, max: ind.maxScore })}
                  </td>
                  <td className="bands">
                    {ind.bands.map((b, i) => (
                      <Fragment key={i}>
                        {i > 0 && ' · '}
                        <span className={b.label === ind.band ? 'band band--current' : 'band'}>
                          {bandLabel(t, b.label)} → {b.score}
                        </span>
                      </Fragment>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          ))}
        </table>
      </div>
    </section>
  );
}

function MoveRow({ move }: { move: IndicatorMove }) {
  const { t } = useTranslation('kampung');
  const target = formatTarget(move);
  return (
    <tr data-testid="lift-move" data-indicator={move.indicator}>
      <th scope="row">{indicatorName(t, move.indicator, move.name)}</th>
      <td className="num">{move.fromValue === null ? '–' : formatValue(move.fromValue, move.unit)}</td>
      <td>{target ?? t('lift.anyValue')}</td>
      <td>{bandLabel(t, move.toBand)}</td>
      <td className="num">
        {move.fromScore} → {move.toScore}
      </td>
    </tr>
  );
}

function MovesTable({ moves, caption }: { moves: IndicatorMove[]; caption: string }) {
  const { t } = useTranslation('kampung');
  return (
    <div className="table-wrap">
      <table className="data">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('classification.indicator')}</th>
            <th scope="col" className="num">
              {t('lift.now')}
            </th>
            <th scope="col">{t('lift.target')}</th>
            <th scope="col">{t('lift.band')}</th>
            <th scope="col" className="num">
              {t('classification.score')}
            </th>
          </tr>
        </thead>
        <tbody>
          {moves.map((m) => (
            <MoveRow key={m.indicator} move={m} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The way to the next level: which indices must start passing and the fewest indicator moves. */
export function LiftSection({ c }: { c: Classification }) {
  const { t } = useTranslation('kampung');
  if (c.status !== 'assessed' || !c.lift) return null;
  const next = c.lift.nextLevel;
  return (
    <section className="card" aria-labelledby="lift-heading" data-testid="next-level">
      <h2 id="lift-heading">{t('lift.title')}</h2>
      {!next ? (
        <p>{c.level === 'berkelanjutan' ? t('lift.top') : t('lift.unreachable')}</p>
      ) : (
        <>
          <p>
            {t('lift.toLevel')} <LevelBadge level={next.level} testId="next-level-badge" />{' '}
            {t('lift.indicesMustPass', {
              indices: next.indices.map((n) => t(`index.${n}`)).join(', '),
            })}
          </p>
          <MovesTable moves={next.moves} caption={t('lift.movesCaption')} />
        </>
      )}
      {c.lift.failing.length > 0 && (
        <details className="lift-details">
          <summary>{t('lift.failingTitle')}</summary>
          {c.lift.failing.map((f) => (
            <div key={f.index}>
              <h3>
                {t(`index.${f.index}`)}:{' '}
                {t('lift.failing', {
                  value: formatNumber(f.value, 2),
                  passMark: formatNumber(f.passMark, 2),
                  points: f.pointsNeeded,
                })}
              </h3>
              {f.moves.length > 0 ? (
                <MovesTable
                  moves={f.moves}
                  caption={t('lift.indexMovesCaption', { index: t(`index.${f.index}`) })}
                />
              ) : (
                <p className="muted">{t('lift.cannotPass')}</p>
              )}
            </div>
          ))}
        </details>
      )}
    </section>
  );
}
