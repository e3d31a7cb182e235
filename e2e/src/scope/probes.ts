import { Role } from '@kkb/auth';
import {
  aggregateProbe,
  canonical,
  customProbe,
  describeRes,
  listProbe,
  nationalOnlyProbe,
  publicProbe,
  qs,
  referenceProbe,
  regionVariants,
  resourceProbe,
  type Check,
  type Probe,
  type Target,
  type Variant,
} from './checks';
import { keyOf, type ServiceName } from './scope-table';
import {
  callerByKey,
  compact,
  insideScope,
  parentsOf,
  REGIONS,
  type Caller,
  type FixtureSubscription,
  type Place,
  type Req,
  type World,
} from './world';

/**
 * How the spec exercises each operation of apps/front-door/scope.json, keyed like the table
 * (`service METHOD /path`). Writes to the platform's data are chosen so that only a resource the
 * caller may reach gives the tell-tale answer, and nothing changes even then: a stale If-Match
 * (412), a submission already verified (409), a retry of a stored submission (200 unchanged), a
 * kampung in a village that already has one (409), an empty body for national-only writes (400).
 * Only the callers' own things change: read marks, preferences, their own subscriptions.
 */

const get = (service: ServiceName, url: string): Req => ({ service, method: 'GET', url });
/** A dead-letter sequence no test run reaches. */
const NO_LETTER = 999_999_999;
const STALE = { 'if-match': '"999"' };
const REASON = { reason: 'scope probe' };

interface PlaceTarget extends Target {
  place: Place;
}
const places = (w: World): PlaceTarget[] =>
  w.places.map((p) => ({
    label: `the kampung of ${p.village}`,
    region: p.compact,
    marker: p.kampungName,
    place: p,
  }));

/** A list of items (`{ items }`) or a bare array. */
const itemsOf = <R>(body: unknown): R[] => {
  if (Array.isArray(body)) return body as R[];
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) throw new Error('no items');
  return items as R[];
};

const placeVariants =
  (param: string, value: (p: Place) => string) =>
  (c: Caller, w: World): Variant[] =>
    w.places
      .filter((p) => !insideScope(c, p.village))
      .map((p) => ({ label: `${param}=${value(p)}`, params: { [param]: value(p) } }));

const both =
  (...fns: ((c: Caller, w: World) => Variant[])[]) =>
  (c: Caller, w: World): Variant[] =>
    fns.flatMap((f) => f(c, w));

const regionParam = (param: string) => (c: Caller) => regionVariants(c, param);

const kampungResource = (
  service: ServiceName,
  method: string,
  path: (p: Place) => string,
  reachable: number[],
  extra: Partial<Pick<Req, 'payload' | 'headers'>> = {},
): Probe =>
  resourceProbe({
    targets: places,
    request: (t) => ({ service, method, url: path(t.place), ...extra }),
    reachable,
  });

interface RegionTarget extends Target {
  code: string;
}
const regionTargets = (): RegionTarget[] =>
  REGIONS.map((r) => ({ label: `region ${r.code}`, region: compact(r.code), code: r.code }));
/** Regions: the scope's own ancestors are visible too (a regency officer may read its province). */
const regionVisible = (c: Caller, region: string): boolean =>
  region === '' || insideScope(c, region) || c.compact.startsWith(region);

const KAMPUNG_ROW = (row: { villageCode?: string }) =>
  row.villageCode ? compact(row.villageCode) : undefined;

// ---- notifications: subscriptions and the inbox -------------------------------------------------

interface SubscriptionTarget extends Target {
  sub: FixtureSubscription;
}
const subscriptions = (w: World): SubscriptionTarget[] =>
  w.subscriptions.map((s) => ({
    label: `the subscription of ${s.ownerKey}`,
    region: compact(s.region),
    owner: s.owner,
    marker: `scope fixture of ${s.ownerKey}`,
    sub: s,
  }));

interface DeliveryTarget extends Target {
  subscriptionId: string;
  deliveryId: string;
}
/** Each subscription's own delivery, and every other subscription's delivery under it (nobody's). */
const deliveries = (w: World): DeliveryTarget[] =>
  w.subscriptions.flatMap((s) =>
    w.subscriptions.map((d) => ({
      label:
        s === d
          ? `a delivery of the subscription of ${s.ownerKey}`
          : `a delivery of ${d.ownerKey}'s subscription under ${s.ownerKey}'s`,
      region: compact(s.region),
      owner: s === d ? s.owner : 'nobody',
      subscriptionId: s.id,
      deliveryId: d.deliveryId,
    })),
  );

const ownSubscription = (
  method: string,
  suffix: string,
  reachable: number[],
  payload?: unknown,
  extra?: (check: Check) => Promise<void>,
): Probe =>
  resourceProbe({
    expect: 'own-resource',
    targets: subscriptions,
    request: (t) => ({
      service: 'notifications',
      method,
      url: `/api/v1/subscriptions/${t.sub.id}${suffix}`,
      payload,
    }),
    reachable,
    extra,
  });

const ownDelivery = (method: string, suffix: string, reachable: number[]): Probe =>
  resourceProbe({
    expect: 'own-resource',
    targets: deliveries,
    request: (t) => ({
      service: 'notifications',
      method,
      url: `/api/v1/subscriptions/${t.subscriptionId}/deliveries/${t.deliveryId}${suffix}`,
    }),
    reachable,
  });

/**
 * A subscription's deliveries (its events, redeliveries and replays) carry only events of its
 * region, which lies inside its owner's scope: a webhook never sends a foreign row.
 */
async function deliveredRegions(check: Check): Promise<void> {
  const w = check.ctx.world;
  const regions = new Map<string, string>(
    (
      (await w
        .db('notifications')
        .query(`SELECT event_id, region_code FROM "${w.schema('notifications')}".received_event`)) as {
        event_id: string;
        region_code: string;
      }[]
    ).map((r) => [r.event_id, r.region_code]),
  );
  for (const s of w.subscriptions) {
    const owner = callerByKey(s.ownerKey);
    const req = get('notifications', `/api/v1/subscriptions/${s.id}/deliveries?limit=500`);
    const res = await check.send(req, owner);
    if (!check.status(owner, req, res, [200])) continue;
    const rows = itemsOf<{ eventId: string; eventType: string }>(res.json());
    check.inside++;
    if (!rows.some((r) => regions.get(r.eventId)))
      check.fail(owner, req, describeRes(res), 'regional deliveries to check');
    for (const r of rows) {
      const region = regions.get(r.eventId);
      check.outside++;
      if (
        region === undefined ||
        (region !== '' && !(region.startsWith(compact(s.region)) && insideScope(owner, region)))
      )
        check.fail(
          owner,
          req,
          `a delivery of ${r.eventType} in ${region ?? 'an unknown region'}`,
          `only events of ${s.region}`,
        );
    }
  }
}

const unread = async (check: Check, c: Caller): Promise<number | undefined> => {
  const req = get('notifications', '/api/v1/inbox?limit=1');
  const res = await check.send(req, c);
  return check.status(c, req, res, [200]) ? (res.json() as { unread: number }).unread : undefined;
};

const prefsReq = (payload?: unknown): Req => ({
  service: 'notifications',
  method: payload === undefined ? 'GET' : 'PUT',
  url: '/api/v1/me/notification-preferences',
  payload,
});
const emailOf = (c: Caller) => `${c.sub}@scope.example`;

/** Each caller stores its own e-mail; then each reads back its own, never another's. */
async function preferencesOwnership(check: Check, smuggle: boolean): Promise<void> {
  const { callers, world } = check.ctx;
  for (const c of callers) {
    const req = prefsReq({ email: emailOf(c), digest: false });
    const res = await check.send(req, c);
    if (check.status(c, req, res, [200]) && (res.json() as { email: string }).email !== emailOf(c))
      check.fail(c, req, describeRes(res), `its own e-mail ${emailOf(c)}`);
  }
  if (smuggle) {
    // The digest scope comes from the token: a body naming a scope or role is refused or ignored.
    const nds = world.db('notifications');
    const ns = `"${world.schema('notifications')}"`;
    for (const c of callers.filter((x) => x.scope)) {
      const req = prefsReq({ email: emailOf(c), digest: true, scope: '', role: 'national' });
      const res = await check.send(req, c);
      check.outside++;
      if (res.status === 200) {
        const [row] = await nds.query(`SELECT role, scope FROM ${ns}.recipient WHERE sub = $1`, [c.sub]);
        if (row?.scope !== c.compact || row?.role !== c.role)
          check.fail(
            c,
            req,
            `stored as ${canonical(row)}`,
            `role ${c.role} and scope ${c.compact} from the token`,
          );
      } else check.status(c, req, res, [400], '400, or 200 keeping the token scope');
      const off = prefsReq({ email: emailOf(c), digest: false });
      check.status(c, off, await check.send(off, c), [200]);
    }
  }
  for (const c of callers) {
    const req = prefsReq();
    const res = await check.send(req, c);
    check.inside++;
    if (!smuggle) check.outside++;
    if (check.status(c, req, res, [200]) && (res.json() as { email: string }).email !== emailOf(c))
      check.fail(c, req, describeRes(res), `its own e-mail ${emailOf(c)}, not another subject's`);
  }
}

// ---- the table's operations ---------------------------------------------------------------------

const health = (service: ServiceName) => ({
  [keyOf(service, 'GET /health/live')]: publicProbe({ request: () => get(service, '/health/live') }),
  [keyOf(service, 'GET /health/ready')]: publicProbe({ request: () => get(service, '/health/ready') }),
});

export const PROBES: Record<string, Probe> = {
  // ---- registry ----
  ...health('registry'),
  [keyOf('registry', 'GET /api/v1/code-lists')]: referenceProbe({
    request: () => get('registry', '/api/v1/code-lists'),
  }),
  [keyOf('registry', 'GET /api/v1/coverage')]: aggregateProbe({
    request: (region, breakdown) => get('registry', `/api/v1/coverage${qs({ region, breakdown })}`),
    variants: ['', 'true'],
  }),
  [keyOf('registry', 'GET /api/v1/coverage/trend')]: aggregateProbe({
    request: (region) => get('registry', `/api/v1/coverage/trend${qs({ region })}`),
  }),
  [keyOf('registry', 'GET /api/v1/kampung')]: listProbe<{ villageCode?: string }>({
    request: (_c, params) => get('registry', `/api/v1/kampung${qs({ limit: '500', ...params })}`),
    rows: (res) => itemsOf(res.json()),
    regionOf: KAMPUNG_ROW,
    variants: regionParam('region'),
  }),
  [keyOf('registry', 'POST /api/v1/kampung')]: resourceProbe({
    targets: places,
    // Each village already has its kampung: only a caller past the scope check learns that (409).
    request: (t) => ({
      service: 'registry',
      method: 'POST',
      url: '/api/v1/kampung',
      payload: { villageCode: t.place.village, name: 'Kampung KB scope probe', launchDate: '2023-01-10' },
    }),
    reachable: [409],
  }),
  [keyOf('registry', 'GET /api/v1/kampung/{id}')]: kampungResource(
    'registry',
    'GET',
    (p) => `/api/v1/kampung/${p.kampungId}`,
    [200],
  ),
  [keyOf('registry', 'PATCH /api/v1/kampung/{id}')]: kampungResource(
    'registry',
    'PATCH',
    (p) => `/api/v1/kampung/${p.kampungId}`,
    [412],
    { payload: { description: 'scope probe' }, headers: STALE },
  ),
  [keyOf('registry', 'POST /api/v1/kampung/{id}/deactivate')]: kampungResource(
    'registry',
    'POST',
    (p) => `/api/v1/kampung/${p.kampungId}/deactivate`,
    [412],
    { payload: REASON, headers: STALE },
  ),
  [keyOf('registry', 'POST /api/v1/kampung/{id}/reactivate')]: kampungResource(
    'registry',
    'POST',
    (p) => `/api/v1/kampung/${p.kampungId}/reactivate`,
    [412],
    { payload: REASON, headers: STALE },
  ),
  [keyOf('registry', 'GET /api/v1/kampung/{id}/history')]: kampungResource(
    'registry',
    'GET',
    (p) => `/api/v1/kampung/${p.kampungId}/history`,
    [200],
  ),
  [keyOf('registry', 'POST /api/v1/kampung/{id}/merge')]: resourceProbe({
    targets: places,
    request: (t, _c, check) => {
      const survivor =
        check.ctx.world.places.find((p) => p !== t.place && p.key === 'home') ?? check.ctx.world.places[1];
      return {
        service: 'registry',
        method: 'POST',
        url: `/api/v1/kampung/${t.place.kampungId}/merge`,
        payload: { survivorId: survivor.kampungId, ...REASON },
        headers: STALE,
      };
    },
    reachable: [412],
    // The survivor is a second resource: merging one's own kampung into a foreign one is refused.
    extra: async (check) => {
      const w = check.ctx.world;
      const source = w.places.find((p) => p.key === 'merge-source');
      if (!source) throw new Error('no merge-source place');
      for (const c of check.ctx.callers.filter((x) => check.allowed(x) && insideScope(x, source.village))) {
        for (const survivor of w.places.filter((p) => !insideScope(c, p.village))) {
          const current = await w.call(
            get('registry', `/api/v1/kampung/${source.kampungId}`),
            callerByKey('national'),
          );
          const version = (current.json() as { version: number }).version;
          const req: Req = {
            service: 'registry',
            method: 'POST',
            url: `/api/v1/kampung/${source.kampungId}/merge`,
            payload: { survivorId: survivor.kampungId, reason: 'scope probe: foreign survivor' },
            headers: { 'if-match': `"${version}"` },
          };
          check.outside++;
          check.status(
            c,
            req,
            await check.send(req, c),
            [403, 404],
            `403/404: survivor ${survivor.village} is outside ${c.scope}`,
          );
        }
      }
    },
  }),
  [keyOf('registry', 'GET /api/v1/regions')]: listProbe<{ code: string }>({
    request: (_c, params) => get('registry', `/api/v1/regions${qs({ limit: '500', ...params })}`),
    rows: (res) => itemsOf(res.json()),
    regionOf: (row) => compact(row.code),
    visible: regionVisible,
    variants: both(regionParam('within'), (c) =>
      REGIONS.filter((r) => r.code.length === 13 && !insideScope(c, r.code)).map((r) => ({
        label: `q=${r.name}`,
        params: { q: r.name },
      })),
    ),
  }),
  [keyOf('registry', 'POST /api/v1/regions/import')]: nationalOnlyProbe({
    request: () => ({ service: 'registry', method: 'POST', url: '/api/v1/regions/import' }),
    reachable: [201],
    skipNational: 'it would re-import every region of the country',
  }),
  [keyOf('registry', 'GET /api/v1/regions/{code}')]: resourceProbe({
    targets: regionTargets,
    request: (t) => get('registry', `/api/v1/regions/${t.code}`),
    reachableBy: (c, t) => regionVisible(c, t.region),
    reachable: [200],
  }),
  [keyOf('registry', 'GET /api/v1/regions/{code}/ancestors')]: resourceProbe({
    targets: regionTargets,
    request: (t) => get('registry', `/api/v1/regions/${t.code}/ancestors`),
    reachableBy: (c, t) => regionVisible(c, t.region),
    reachable: [200],
  }),
  [keyOf('registry', 'GET /api/v1/regions/{code}/children')]: listProbe<{ code: string }>({
    request: (c, params) =>
      get('registry', `/api/v1/regions/${params.code ?? (c.scope || '16')}/children?limit=500`),
    rows: (res) => itemsOf(res.json()),
    regionOf: (row) => compact(row.code),
    visible: regionVisible,
    variants: (c) =>
      REGIONS.filter((r) => r.code.length < 13 && r.code !== c.scope).map((r) => ({
        label: `children of ${r.code}`,
        params: { code: r.code },
      })),
    expectsRows: (c) => c.compact.length < 10,
    foreignProof: false,
  }),

  // ---- survey ----
  ...health('survey'),
  [keyOf('survey', 'POST /api/v1/imports')]: customProbe('row-scoped-batch', async (check) => {
    const w = check.ctx.world;
    const questions = Object.keys(w.places[0].report.answers);
    const csv = [
      ['submission_id', 'kampung_id', 'year', 'month', ...questions].join(','),
      ...w.places.map((p) =>
        [
          p.report.id,
          p.kampungId,
          p.report.period.year,
          p.report.period.month,
          ...questions.map((q) => String(p.report.answers[q])),
        ].join(','),
      ),
    ].join('\r\n');
    const req: Req = {
      service: 'survey',
      method: 'POST',
      url: '/api/v1/imports?instrumentCode=monthly-report&instrumentVersion=1',
      payload: csv,
      headers: { 'content-type': 'text/csv' },
    };
    for (const c of check.ctx.callers) {
      const res = await check.send(req, c);
      if (!check.allowed(c)) {
        check.roleRefused(c, req, res);
        continue;
      }
      if (!check.status(c, req, res, [201])) continue;
      const results = (res.json() as { results?: { row: number; outcome: string }[] }).results ?? [];
      w.places.forEach((p, i) => {
        const r = results.find((x) => x.row === i + 1);
        const inside = insideScope(c, p.village);
        if (inside) check.inside++;
        else check.outside++;
        const expected = inside ? 'unchanged' : 'failed';
        if (r?.outcome !== expected)
          check.fail(
            c,
            `${req.method} ${req.url} row ${i + 1} (${p.village})`,
            JSON.stringify(r ?? null),
            `outcome ${expected}`,
          );
      });
    }
  }),
  [keyOf('survey', 'GET /api/v1/imports/{id}')]: resourceProbe({
    targets: (w) => places(w).map((t) => ({ ...t, label: `the import of ${t.place.village}'s officer` })),
    request: (t) => get('survey', `/api/v1/imports/${t.place.importId}`),
    reachable: [200],
  }),
  [keyOf('survey', 'GET /api/v1/imports/{id}/rows')]: resourceProbe({
    targets: (w) => places(w).map((t) => ({ ...t, label: `the import of ${t.place.village}'s officer` })),
    request: (t) => get('survey', `/api/v1/imports/${t.place.importId}/rows`),
    reachable: [200],
  }),
  [keyOf('survey', 'GET /api/v1/instruments')]: referenceProbe({
    request: () => get('survey', '/api/v1/instruments'),
  }),
  [keyOf('survey', 'GET /api/v1/instruments/{code}')]: referenceProbe({
    request: () => get('survey', '/api/v1/instruments/monthly-report'),
  }),
  [keyOf('survey', 'GET /api/v1/instruments/{code}/versions/{version}')]: referenceProbe({
    request: () => get('survey', '/api/v1/instruments/monthly-report/versions/1'),
  }),
  [keyOf('survey', 'POST /api/v1/instruments/{code}/versions')]: nationalOnlyProbe({
    // An empty definition: national gets 400 (nothing published), everyone else 403 first.
    request: () => ({
      service: 'survey',
      method: 'POST',
      url: '/api/v1/instruments/monthly-report/versions',
      payload: {},
    }),
    reachable: [400],
  }),
  [keyOf('survey', 'GET /api/v1/kampung/{kampungId}/profile')]: kampungResource(
    'survey',
    'GET',
    (p) => `/api/v1/kampung/${p.kampungId}/profile`,
    [200],
  ),
  [keyOf('survey', 'GET /api/v1/projections/kampung/{id}')]: kampungResource(
    'survey',
    'GET',
    (p) => `/api/v1/projections/kampung/${p.kampungId}`,
    [200],
  ),
  [keyOf('survey', 'GET /api/v1/submissions')]: listProbe<{ villageCode?: string }>({
    request: (_c, params) => get('survey', `/api/v1/submissions${qs({ limit: '500', ...params })}`),
    rows: (res) => itemsOf(res.json()),
    regionOf: KAMPUNG_ROW,
    variants: both(
      regionParam('region'),
      placeVariants('kampungId', (p) => p.kampungId),
    ),
  }),
  [keyOf('survey', 'POST /api/v1/submissions')]: resourceProbe({
    targets: places,
    // The stored report again (same id, same answers): 200 unchanged for its own field officers.
    request: (t) => ({
      service: 'survey',
      method: 'POST',
      url: '/api/v1/submissions',
      payload: t.place.report,
    }),
    reachable: [200],
  }),
  [keyOf('survey', 'GET /api/v1/submissions/{id}')]: kampungResource(
    'survey',
    'GET',
    (p) => `/api/v1/submissions/${p.report.id}`,
    [200],
  ),
  [keyOf('survey', 'POST /api/v1/submissions/{id}/verify')]: kampungResource(
    'survey',
    'POST',
    (p) => `/api/v1/submissions/${p.report.id}/verify`,
    [409],
  ),
  [keyOf('survey', 'POST /api/v1/submissions/{id}/reject')]: kampungResource(
    'survey',
    'POST',
    (p) => `/api/v1/submissions/${p.report.id}/reject`,
    [409],
    { payload: REASON },
  ),

  // ---- classification ----
  ...health('classification'),
  [keyOf('classification', 'GET /api/v1/kampung-levels')]: listProbe<{ villageCode?: string }>({
    request: (_c, params) =>
      get('classification', `/api/v1/kampung-levels${qs({ limit: '200', ...params })}`),
    rows: (res) => itemsOf(res.json()),
    regionOf: KAMPUNG_ROW,
    variants: both(
      regionParam('region'),
      placeVariants('q', (p) => p.village),
      placeVariants('q', (p) => p.kampungName),
    ),
  }),
  [keyOf('classification', 'GET /api/v1/kampung-levels/export')]: listProbe<string[]>({
    request: (_c, params) =>
      get('classification', `/api/v1/kampung-levels/export${qs({ format: 'csv', ...params })}`),
    rows: (res) => {
      const [header, ...lines] = res.text
        .replace(/^\uFEFF/, '')
        .split('\r\n')
        .filter(Boolean);
      if (!header?.includes('Kode Desa')) throw new Error('no CSV header');
      return lines.map((l) => l.split(','));
    },
    regionOf: (cells) =>
      (cells.find((x) => /^\d{2}\.\d{2}\.\d{2}\.\d{4}$/.test(x)) ?? '').replace(/\./g, '') || undefined,
    variants: both(
      regionParam('region'),
      placeVariants('q', (p) => p.village),
    ),
  }),
  [keyOf('classification', 'GET /api/v1/kampung-levels/points')]: listProbe<{ kampungId: string }>({
    request: (_c, params) => get('classification', `/api/v1/kampung-levels/points${qs(params)}`),
    rows: (res) => itemsOf(res.json()),
    regionOf: (row, w) => w.places.find((p) => p.kampungId === row.kampungId)?.compact,
    variants: both(
      regionParam('region'),
      placeVariants('q', (p) => p.village),
    ),
  }),
  [keyOf('classification', 'GET /api/v1/kampung/{id}/classification')]: kampungResource(
    'classification',
    'GET',
    (p) => `/api/v1/kampung/${p.kampungId}/classification`,
    [200],
  ),
  [keyOf('classification', 'GET /api/v1/kampung/{id}/classification/history')]: kampungResource(
    'classification',
    'GET',
    (p) => `/api/v1/kampung/${p.kampungId}/classification/history`,
    [200],
  ),
  [keyOf('classification', 'GET /api/v1/levels')]: aggregateProbe({
    request: (region, breakdown) => get('classification', `/api/v1/levels${qs({ region, breakdown })}`),
    variants: ['', 'true'],
  }),
  [keyOf('classification', 'GET /api/v1/levels/history')]: aggregateProbe({
    request: (region, _v, w) =>
      get('classification', `/api/v1/levels/history${qs({ region, from: '2020-01', to: w.month })}`),
  }),
  [keyOf('classification', 'GET /api/v1/projections/kampung/{id}')]: kampungResource(
    'classification',
    'GET',
    (p) => `/api/v1/projections/kampung/${p.kampungId}`,
    [200],
  ),
  [keyOf('classification', 'GET /api/v1/recompute-jobs')]: nationalOnlyProbe({
    request: () => get('classification', '/api/v1/recompute-jobs'),
    reachable: [200],
  }),
  [keyOf('classification', 'GET /api/v1/recompute-jobs/{id}')]: nationalOnlyProbe({
    request: (w) => get('classification', `/api/v1/recompute-jobs/${w.recomputeJobId}`),
    reachable: [200],
  }),
  [keyOf('classification', 'GET /api/v1/rule-sets')]: referenceProbe({
    request: () => get('classification', '/api/v1/rule-sets'),
  }),
  [keyOf('classification', 'GET /api/v1/rule-sets/{version}')]: referenceProbe({
    request: () => get('classification', '/api/v1/rule-sets/1'),
  }),
  [keyOf('classification', 'POST /api/v1/rule-sets')]: nationalOnlyProbe({
    request: () => ({ service: 'classification', method: 'POST', url: '/api/v1/rule-sets', payload: {} }),
    reachable: [400],
  }),
  [keyOf('classification', 'POST /api/v1/rule-sets/{version}/publish')]: nationalOnlyProbe({
    // Version 1 is in force already: 409 for national, and nothing changes.
    request: () => ({ service: 'classification', method: 'POST', url: '/api/v1/rule-sets/1/publish' }),
    reachable: [409],
  }),

  // ---- notifications ----
  ...health('notifications'),
  // The event feed: CloudEvents, oldest first.
  // The dead-letter admin API: national only; the calls name no letter that exists, or are
  // incomplete, so nothing is replayed or discarded.
  [keyOf('notifications', 'GET /api/v1/dead-letters')]: nationalOnlyProbe({
    request: () => get('notifications', '/api/v1/dead-letters?limit=1'),
    reachable: [200],
  }),
  [keyOf('notifications', 'GET /api/v1/dead-letters/audit')]: nationalOnlyProbe({
    request: () => get('notifications', '/api/v1/dead-letters/audit?limit=1'),
    reachable: [200],
  }),
  [keyOf('notifications', 'GET /api/v1/dead-letters/{seq}')]: nationalOnlyProbe({
    request: () => get('notifications', `/api/v1/dead-letters/${NO_LETTER}`),
    reachable: [404],
  }),
  [keyOf('notifications', 'POST /api/v1/dead-letters/{seq}/replay')]: nationalOnlyProbe({
    request: () => ({
      service: 'notifications',
      method: 'POST',
      url: `/api/v1/dead-letters/${NO_LETTER}/replay`,
    }),
    reachable: [404],
  }),
  [keyOf('notifications', 'DELETE /api/v1/dead-letters/{seq}')]: nationalOnlyProbe({
    request: () => ({ service: 'notifications', method: 'DELETE', url: `/api/v1/dead-letters/${NO_LETTER}` }),
    reachable: [404],
  }),
  [keyOf('notifications', 'POST /api/v1/dead-letters/replay')]: nationalOnlyProbe({
    request: () => ({
      service: 'notifications',
      method: 'POST',
      url: '/api/v1/dead-letters/replay',
      payload: {},
    }),
    reachable: [400],
  }),
  [keyOf('notifications', 'DELETE /api/v1/dead-letters')]: nationalOnlyProbe({
    request: () => ({ service: 'notifications', method: 'DELETE', url: '/api/v1/dead-letters' }),
    reachable: [400],
  }),
  [keyOf('notifications', 'GET /api/v1/events')]: listProbe<{
    province: string;
    data?: { villageCode?: unknown };
  }>({
    request: (_c, params) => get('notifications', `/api/v1/events${qs({ limit: '500', ...params })}`),
    rows: (res) => itemsOf(res.json()),
    regionOf: (row) => {
      const village = row.data?.villageCode;
      if (typeof village === 'string') return compact(village);
      return row.province === '00' ? '' : row.province;
    },
    variants: () =>
      ['kkb.registry.kampung.registered.v1', 'kkb.classification.kampung.classified.v1'].map((type) => ({
        label: `type=${type}`,
        params: { type },
      })),
  }),
  [keyOf('notifications', 'GET /api/v1/inbox')]: listProbe<{ id: string; region: string }>({
    request: () => get('notifications', '/api/v1/inbox?limit=500'),
    rows: (res) => itemsOf(res.json()),
    regionOf: (row) => row.region,
    ownerOf: (row, w) => w.addressed.find((a) => a.id === row.id)?.recipient,
    // Integrators get only what is addressed to them.
    expectsRows: (c) => c.role !== Role.integrator,
  }),
  [keyOf('notifications', 'POST /api/v1/inbox/read-all')]: customProbe('own-resource', async (check) => {
    // Everyone else marks all read; the regency officer's unread count must not move.
    const observer = callerByKey('regency-16.10');
    const before = await unread(check, observer);
    if (!before) check.fail(observer, 'GET /api/v1/inbox', String(before), 'unread items to watch');
    for (const c of check.ctx.callers.filter((x) => x !== observer)) {
      const req: Req = { service: 'notifications', method: 'POST', url: '/api/v1/inbox/read-all' };
      check.status(c, req, await check.send(req, c), check.allowed(c) ? [204] : [403]);
      if (check.allowed(c) && c.role !== Role.integrator) {
        check.inside++;
        const left = await unread(check, c);
        if (left !== 0)
          check.fail(c, 'GET /api/v1/inbox', `unread ${left}`, 'unread 0 after its own read-all');
      }
    }
    check.outside++;
    const after = await unread(check, observer);
    if (after !== before)
      check.fail(
        observer,
        'GET /api/v1/inbox',
        `unread ${after}`,
        `unread ${before}: others' read-all is theirs`,
      );
  }),
  [keyOf('notifications', 'POST /api/v1/inbox/{id}/read')]: resourceProbe<Target & { id: string }>({
    targets: (w) => [
      ...w.places.map((p) => ({
        label: `the inbox item of ${p.village}`,
        region: p.compact,
        id: p.inboxItemId,
      })),
      ...w.addressed.map((a) => ({
        label: `an item addressed to ${a.recipient}`,
        region: a.region,
        owner: a.recipient,
        id: a.id,
      })),
    ],
    request: (t) => ({ service: 'notifications', method: 'POST', url: `/api/v1/inbox/${t.id}/read` }),
    reachableBy: (c, t) =>
      t.owner ? t.owner === c.sub : c.role !== Role.integrator && insideScope(c, t.region),
    reachable: [204],
  }),
  [keyOf('notifications', 'GET /api/v1/me/notification-preferences')]: customProbe('own-resource', (check) =>
    preferencesOwnership(check, false),
  ),
  [keyOf('notifications', 'PUT /api/v1/me/notification-preferences')]: customProbe('own-resource', (check) =>
    preferencesOwnership(check, true),
  ),
  [keyOf('notifications', 'GET /api/v1/subscriptions')]: customProbe('own-resource', async (check) => {
    const w = check.ctx.world;
    const owners = new Map<string, string>(
      (
        (await w
          .db('notifications')
          .query(`SELECT id, owner FROM "${w.schema('notifications')}".subscription`)) as {
          id: string;
          owner: string;
        }[]
      ).map((r) => [r.id, r.owner]),
    );
    const req = get('notifications', '/api/v1/subscriptions?limit=500');
    for (const c of check.ctx.callers) {
      const res = await check.send(req, c);
      if (!check.allowed(c)) {
        check.roleRefused(c, req, res);
        continue;
      }
      if (!check.status(c, req, res, [200])) continue;
      const ids = itemsOf<{ id: string }>(res.json()).map((s) => s.id);
      for (const id of ids) {
        check.outside++;
        if (owners.get(id) !== c.sub)
          check.fail(c, req, `subscription ${id} of ${owners.get(id)}`, 'only its own');
      }
      for (const s of w.subscriptions.filter((x) => x.owner === c.sub)) {
        check.inside++;
        if (!ids.includes(s.id)) check.fail(c, req, describeRes(res), `its own subscription ${s.id}`);
      }
    }
    check.outside++;
  }),
  [keyOf('notifications', 'POST /api/v1/subscriptions')]: resourceProbe<Target & { code: string }>({
    targets: () => [
      { label: "region '' (the whole country)", region: '', code: '' },
      ...REGIONS.map((r) => ({ label: `region ${r.code}`, region: compact(r.code), code: r.code })),
    ],
    // Types that match no event: what is created here never sends anything.
    request: (t, _c, check) => ({
      service: 'notifications',
      method: 'POST',
      url: '/api/v1/subscriptions',
      payload: { url: check.ctx.world.webhookUrl, eventTypes: ['kkb.scope-probe.none.v1'], region: t.code },
    }),
    reachableBy: (c, t) => insideScope(c, t.region),
    reachable: [201],
  }),
  [keyOf('notifications', 'GET /api/v1/subscriptions/{id}')]: ownSubscription('GET', '', [200]),
  [keyOf('notifications', 'PATCH /api/v1/subscriptions/{id}')]: ownSubscription(
    'PATCH',
    '',
    [200],
    { description: 'scope probe' },
    // Its own subscription cannot be widened beyond the owner's scope.
    async (check) => {
      for (const s of check.ctx.world.subscriptions) {
        const owner = callerByKey(s.ownerKey);
        if (!owner.scope) continue;
        const wider = [
          '',
          ...parentsOf(owner.scope),
          ...REGIONS.map((r) => r.code).filter((r) => !insideScope(owner, r)),
        ];
        for (const region of [...new Set(wider)]) {
          const req: Req = {
            service: 'notifications',
            method: 'PATCH',
            url: `/api/v1/subscriptions/${s.id}`,
            payload: { region },
          };
          check.outside++;
          check.status(
            owner,
            req,
            await check.send(req, owner),
            [403],
            `403: region '${region}' is outside ${owner.scope}`,
          );
        }
      }
    },
  ),
  [keyOf('notifications', 'DELETE /api/v1/subscriptions/{id}')]: resourceProbe({
    expect: 'own-resource',
    targets: subscriptions,
    // Its own fixture subscription stays: the owner deletes a fresh one of its own instead.
    request: async (t, c, check) => {
      let id = t.sub.id;
      if (t.owner === c.sub) {
        const created = await check.send(
          {
            service: 'notifications',
            method: 'POST',
            url: '/api/v1/subscriptions',
            payload: { url: check.ctx.world.webhookUrl, eventTypes: ['kkb.scope-probe.none.v1'] },
          },
          c,
        );
        id = (created.json() as { id: string }).id;
      }
      return { service: 'notifications', method: 'DELETE', url: `/api/v1/subscriptions/${id}` };
    },
    reachable: [204],
  }),
  [keyOf('notifications', 'GET /api/v1/subscriptions/{id}/deliveries')]: ownSubscription(
    'GET',
    '/deliveries',
    [200],
  ),
  [keyOf('notifications', 'GET /api/v1/subscriptions/{id}/deliveries/{deliveryId}')]: ownDelivery(
    'GET',
    '',
    [200],
  ),
  [keyOf('notifications', 'GET /api/v1/subscriptions/{id}/deliveries/{deliveryId}/attempts')]: ownDelivery(
    'GET',
    '/attempts',
    [200],
  ),
  [keyOf('notifications', 'POST /api/v1/subscriptions/{id}/deliveries/{deliveryId}/redeliver')]: ownDelivery(
    'POST',
    '/redeliver',
    [201],
  ),
  [keyOf('notifications', 'POST /api/v1/subscriptions/{id}/pause')]: ownSubscription('POST', '/pause', [200]),
  [keyOf('notifications', 'POST /api/v1/subscriptions/{id}/resume')]: ownSubscription(
    'POST',
    '/resume',
    [200],
  ),
  [keyOf('notifications', 'POST /api/v1/subscriptions/{id}/rotate-secret')]: ownSubscription(
    'POST',
    '/rotate-secret',
    [200],
  ),
  [keyOf('notifications', 'POST /api/v1/subscriptions/{id}/ping')]: ownSubscription('POST', '/ping', [200]),
  [keyOf('notifications', 'POST /api/v1/subscriptions/{id}/replay')]: ownSubscription(
    'POST',
    '/replay',
    [201],
    // Every event of the run: the replays join the deliveries whose regions are checked after.
    {
      from: new Date(Date.now() - 86400000).toISOString(),
      to: new Date(Date.now() + 86400000).toISOString(),
    },
    deliveredRegions,
  ),
};
