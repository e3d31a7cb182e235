// Peta: every kampung with coordinates as a point coloured by its level, on one canvas layer
// (PointsLayer: a national map has 83,762), filterable by level; a click opens a popup with a link to the kampung.
// The tile source comes from /config.json; the points draw whether or not tiles load.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { api, data } from '../../api/client';
import type { KampungPoint, KampungPoints } from '../../api/views';
import { dottedRegion, useSession } from '../../auth/session';
import RegionPicker from '../../components/RegionPicker';
import { ErrorMessage, Loading } from '../../components/Status';
import { useConfig } from '../../config';
import { formatNumber } from '../../format';
import { LEVEL_STYLE, LEVELS, levelStyle, type Level } from '../../levels';
import { apiFilter, CHOICES, INDONESIA, parseChoices, type Choice } from './choices';
import { PointsLayer } from './PointsLayer';
import { useRegionName } from '../../region';

export default function MapPage() {
  const { t } = useTranslation('map');
  const { scope } = useSession();
  const [params, setParams] = useSearchParams();
  const region = params.get('region') ?? dottedRegion(scope);
  const choices = useMemo(() => parseChoices(params.get('level')), [params]);
  const filter = apiFilter(choices);
  const regionName = useRegionName(region);

  const points = useQuery({
    queryKey: ['kampung-points', region, filter],
    enabled: filter !== null,
    queryFn: async () =>
      data<KampungPoints>(
        await api.classification.GET('/api/v1/kampung-levels/points', {
          params: { query: { ...(region ? { region } : {}), ...filter } },
        }),
      ).items,
  });
  // Drawn in this order, so the assessed levels lie on top of the not yet assessed.
  const shown = useMemo(() => {
    if (filter === null) return [];
    const rank = (p: KampungPoint) => (p.level ? LEVELS.indexOf(p.level) + 1 : 0);
    return (points.data ?? [])
      .filter((p) => choices.has((p.level ?? 'none') as Choice))
      .sort((a, b) => rank(a) - rank(b));
  }, [points.data, choices, filter]);

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) next.delete(k);
      else next.set(k, v);
    }
    setParams(next, { replace: true });
  };
  const toggle = (choice: Choice) => {
    const next = new Set(choices);
    if (next.has(choice)) next.delete(choice);
    else next.add(choice);
    update({
      level: next.size === CHOICES.length ? null : CHOICES.filter((c) => next.has(c)).join(',') || 'off',
    });
  };

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>{t('title')}</h1>
          <p className="muted">
            {t('subtitle', { region: region ? (regionName ?? region) : t('common:region.nation') })}
          </p>
        </div>
        <div className="page-header__actions">
          <Link className="button button--secondary" to={region ? `/kampung?region=${region}` : '/kampung'}>
            {t('openList')}
          </Link>
        </div>
      </div>
      <div className="map-layout">
        <aside className="card map-filters" aria-labelledby="map-filters-title">
          <h2 id="map-filters-title">{t('filters')}</h2>
          <div className="filters filters--stack">
            <RegionPicker
              idPrefix="map-region"
              value={region}
              onChange={(code) => update({ region: code === dottedRegion(scope) ? null : code })}
            />
            <fieldset className="field">
              <legend>{t('common:level.label')}</legend>
              <div className="checks checks--stack">
                {CHOICES.map((c) => {
                  const style = c === 'none' ? LEVEL_STYLE.none : LEVEL_STYLE[c];
                  return (
                    <label key={c} className="check">
                      <input type="checkbox" checked={choices.has(c)} onChange={() => toggle(c)} />
                      <span className="swatch" style={{ background: style.colour }} aria-hidden="true" />
                      {t(style.key)}
                    </label>
                  );
                })}
              </div>
            </fieldset>
          </div>
          <p className="map-count" role="status" aria-live="polite">
            {points.isFetching
              ? t('common:status.loading')
              : t('count', { count: shown.length, n: formatNumber(shown.length) })}
          </p>
          <p className="muted map-note">{t('note')}</p>
          <PointList points={shown} />
        </aside>
        <div className="card map-card">
          {points.error && <ErrorMessage error={points.error} onRetry={() => void points.refetch()} />}
          {points.isPending && filter !== null && <Loading />}
          <PointsMap points={shown} />
        </div>
      </div>
    </div>
  );
}

/** The points as links, for keyboards and screen readers (the canvas points are mouse-only). */
function PointList({ points }: { points: KampungPoint[] }) {
  const { t } = useTranslation('map');
  const [open, setOpen] = useState(false);
  const LIMIT = 300;
  return (
    <details className="point-list" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>{t('listSummary', { n: formatNumber(points.length) })}</summary>
      {open && (
        <>
          <ul>
            {points.slice(0, LIMIT).map((p) => (
              <li key={p.kampungId}>
                <span
                  className="swatch"
                  style={{ background: levelStyle(p.level).colour }}
                  aria-hidden="true"
                />
                <Link to={`/kampung/${p.kampungId}`}>{p.name}</Link>
                <span className="visually-hidden"> ({t(levelStyle(p.level).key)})</span>
              </li>
            ))}
          </ul>
          {points.length > LIMIT && <p className="muted">{t('listMore', { n: formatNumber(LIMIT) })}</p>}
        </>
      )}
    </details>
  );
}

function PointsMap({ points }: { points: KampungPoint[] }) {
  const { t } = useTranslation('map');
  const navigate = useNavigate();
  const config = useConfig();
  const container = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layer = useRef<PointsLayer<KampungPoint> | null>(null);
  const tiles = useRef<L.TileLayer | null>(null);
  const fitted = useRef<string>('');
  const labels = useRef({ open: '', level: (l: Level | null) => String(l) });
  labels.current = { open: t('open'), level: (l) => t(levelStyle(l).key) };
  const navigateRef = useRef(navigate);
  navigateRef.current = navigate;
  const popupRef = useRef<(p: KampungPoint) => HTMLElement>(() => document.createElement('div'));

  useEffect(() => {
    if (!container.current) return;
    const m = L.map(container.current, { preferCanvas: true, zoomControl: true, minZoom: 4, maxZoom: 18 });
    m.fitBounds(INDONESIA);
    map.current = m;
    layer.current = new PointsLayer<KampungPoint>(
      (p) => levelStyle(p.level).colour,
      (p, at) => {
        L.popup({ offset: [0, -4] })
          .setLatLng(at)
          .setContent(popupRef.current(p))
          .openOn(m);
      },
    ).addTo(m);
    return () => {
      m.remove();
      map.current = null;
    };
  }, []);

  useEffect(() => {
    const m = map.current;
    if (!m || !config.data) return;
    tiles.current?.remove();
    tiles.current = L.tileLayer(config.data.tiles.url, {
      attribution: config.data.tiles.attribution,
      maxZoom: 19,
    }).addTo(m);
  }, [config.data]);

  useEffect(() => {
    const m = map.current;
    const group = layer.current;
    if (!m || !group) return;
    group.setPoints(points);
    // Fit to the points once per set of points (not on every filter change within it).
    const key = `${points.length}:${points[0]?.kampungId ?? ''}`;
    if (points.length > 0 && fitted.current !== key) {
      fitted.current = key;
      let south = 90;
      let north = -90;
      let west = 180;
      let east = -180;
      for (const p of points) {
        south = Math.min(south, p.latitude);
        north = Math.max(north, p.latitude);
        west = Math.min(west, p.longitude);
        east = Math.max(east, p.longitude);
      }
      m.fitBounds(L.latLngBounds([south, west], [north, east]).pad(0.1), { maxZoom: 12, animate: false });
    }
  }, [points]);

  popupRef.current = popup;
  function popup(p: KampungPoint): HTMLElement {
    const box = document.createElement('div');
    box.className = 'map-popup';
    const title = document.createElement('strong');
    title.textContent = p.name;
    const level = document.createElement('span');
    const style = levelStyle(p.level);
    level.className = 'level-chip';
    level.style.background = style.colour;
    level.style.color = style.text;
    level.textContent = labels.current.level(p.level);
    const link = document.createElement('a');
    link.href = `/kampung/${p.kampungId}`;
    link.className = 'map-popup__link';
    link.textContent = labels.current.open;
    link.addEventListener('click', (e) => {
      e.preventDefault();
      void navigateRef.current(`/kampung/${p.kampungId}`);
    });
    box.append(title, level, link);
    return box;
  }

  return <div ref={container} className="map" role="region" aria-label={t('mapLabel')} />;
}
