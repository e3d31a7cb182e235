import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { deployPath, ROOT, which } from './ops-support';

/**
 * The Grafana dashboards of deploy/monitoring/dashboards (provisioned by Compose's monitoring
 * profile, shipped as ConfigMaps by deploy/k8s/components/monitoring): they parse, their uids and
 * panel ids are unique, every panel queries the `${datasource}` variable, every PromQL expression
 * parses (promtool check rules, one rule per expression), and every metric an expression names is
 * one that exists: the kkb_* and HTTP metrics as the code defines them (found by scanning the
 * prom-client definitions, so a renamed metric fails here), prom-client's default metrics, and the
 * documented metrics of the exporters the deployment runs (prometheus-nats-exporter, CloudNativePG,
 * kubelet).
 *
 * promtool comes from Debian's `prometheus` package (`apt-get install -y prometheus`). Without it
 * the PromQL check is skipped locally and fails in CI (CI=true).
 */

interface Target {
  refId: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: { name: string; type: string; query?: string }[] };
  panels: Panel[];
}
interface Expression {
  /** dashboard uid / panel id / refId, for messages. */
  where: string;
  expr: string;
}

const DIR = deployPath('monitoring', 'dashboards');
const DATASOURCE = '${datasource}';

function loadDashboards(): Map<string, Dashboard> {
  const out = new Map<string, Dashboard>();
  for (const f of readdirSync(DIR).filter((x) => x.endsWith('.json'))) {
    out.set(f, JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Dashboard);
  }
  return out;
}

/** Every panel, those inside (collapsed) rows included. */
function panelsOf(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

function expressionsOf(d: Dashboard): Expression[] {
  return panelsOf(d).flatMap((p) =>
    (p.targets ?? [])
      .filter((t) => t.expr !== undefined)
      .map((t) => ({ where: `${d.uid}/panel ${p.id} (${p.title})/${t.refId}`, expr: t.expr! })),
  );
}

/** Grafana's variables replaced by something PromQL accepts where they stand. */
function substituteVariables(expr: string): string {
  return expr
    .replace(/\$\{?__(rate_interval|interval|range)\}?/g, '5m')
    .replace(/\$\{\w+(:\w+)?\}|\$\w+/g, 'x');
}

const PROMQL_WORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'inf',
  'nan',
  'atan2',
]);

/**
 * The metric names an expression selects. A lexical pass, not a parser (promtool checks the
 * syntax): strings, label matchers, label lists and ranges are removed; what is left of the
 * identifiers, without functions, aggregations and keywords, are metric names.
 */
function metricNames(expr: string): string[] {
  const s = substituteVariables(expr)
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const names = new Set<string>();
  for (const m of s.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const before = s[m.index! - 1] ?? ' ';
    if (/[0-9.]/.test(before)) continue; // 1e3, durations
    if (
      s
        .slice(m.index! + m[0].length)
        .trimStart()
        .startsWith('(')
    )
      continue; // function, aggregation
    if (PROMQL_WORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return [...names];
}

/** The series names a metric of a prom-client type shows up as. */
function seriesOf(name: string, type: string): string[] {
  if (type === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (type === 'summary') return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (f === 'node_modules' || f === 'dist') return [];
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.ts$/.test(f) && !/\.spec\.ts$/.test(f) ? [p] : [];
  });
}

/**
 * The series the platform's code exports: every prom-client definition in libs/, services/ and
 * apps/ (`metrics.counter({ name: '...'` and the like, `new Histogram({ name: '...'`).
 */
function codeMetrics(): Map<string, string> {
  const out = new Map<string, string>();
  const definition =
    /\b(counter|gauge|histogram|summary)\s*(?:<[^>(]*>)?\(\s*\{\s*name:\s*['"]([a-zA-Z_:][a-zA-Z0-9_:]*)['"]/gi;
  for (const dir of ['libs', 'services', 'apps']) {
    for (const file of sourceFiles(path.join(ROOT, dir))) {
      for (const m of readFileSync(file, 'utf8').matchAll(definition)) {
        for (const s of seriesOf(m[2], m[1].toLowerCase())) out.set(s, path.relative(ROOT, file));
      }
    }
  }
  return out;
}

/** prom-client's default metrics (collectDefaultMetrics: process_*, nodejs_*), as this version names them. */
async function defaultMetrics(): Promise<Set<string>> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = await registry.getMetricsAsJSON();
  registry.clear();
  return new Set(metrics.flatMap((m) => seriesOf(m.name, String(m.type))));
}

/**
 * Metrics of what the deployment runs besides the platform's code, as their documentation and
 * sources name them. Extend when a dashboard uses another one.
 */
const EXPORTER_METRICS = new Set([
  // Prometheus itself: a target answering its scrape.
  'up',
  // prometheus-nats-exporter 0.17 (collector/jsz.go with -jsz=all; -varz metrics are /varz's fields
  // prefixed gnatsd_varz_; -healthz: gnatsd_healthz_status, 0 = ok).
  'jetstream_server_jetstream_disabled',
  'jetstream_server_total_streams',
  'jetstream_server_total_consumers',
  'jetstream_server_total_messages',
  'jetstream_server_total_message_bytes',
  'jetstream_server_max_memory',
  'jetstream_server_max_storage',
  'jetstream_account_max_memory',
  'jetstream_account_max_storage',
  'jetstream_account_storage_used',
  'jetstream_account_memory_used',
  'jetstream_stream_total_messages',
  'jetstream_stream_total_bytes',
  'jetstream_stream_limit_bytes',
  'jetstream_stream_first_seq',
  'jetstream_stream_last_seq',
  'jetstream_stream_consumer_count',
  'jetstream_stream_subject_count',
  'jetstream_consumer_delivered_consumer_seq',
  'jetstream_consumer_delivered_stream_seq',
  'jetstream_consumer_num_ack_pending',
  'jetstream_consumer_num_redelivered',
  'jetstream_consumer_num_waiting',
  'jetstream_consumer_num_pending',
  'jetstream_consumer_ack_floor_stream_seq',
  'jetstream_consumer_ack_floor_consumer_seq',
  'gnatsd_healthz_status',
  'gnatsd_varz_connections',
  'gnatsd_varz_total_connections',
  'gnatsd_varz_in_msgs',
  'gnatsd_varz_out_msgs',
  'gnatsd_varz_in_bytes',
  'gnatsd_varz_out_bytes',
  'gnatsd_varz_slow_consumers',
  'gnatsd_varz_cpu',
  'gnatsd_varz_mem',
  'gnatsd_connz_num_connections',
  // CloudNativePG: the instance manager's collector (cnpg_collector_*) and the default monitoring
  // queries (config/manager/default-monitoring.yaml: cnpg_<query>_<column>).
  'cnpg_collector_up',
  'cnpg_collector_pg_wal',
  'cnpg_backends_total',
  'cnpg_backends_max_tx_duration_seconds',
  'cnpg_backends_waiting_total',
  'cnpg_pg_database_size_bytes',
  'cnpg_pg_database_xid_age',
  'cnpg_pg_replication_lag',
  'cnpg_pg_replication_in_recovery',
  'cnpg_pg_replication_is_wal_receiver_up',
  'cnpg_pg_replication_streaming_replicas',
  'cnpg_pg_replication_slots_pg_wal_lsn_diff',
  'cnpg_pg_settings_setting',
  'cnpg_pg_stat_archiver_archived_count',
  'cnpg_pg_stat_archiver_failed_count',
  'cnpg_pg_stat_archiver_seconds_since_last_archival',
  'cnpg_pg_stat_archiver_seconds_since_last_failure',
  'cnpg_pg_stat_database_xact_commit',
  'cnpg_pg_stat_database_xact_rollback',
  'cnpg_pg_stat_database_blks_read',
  'cnpg_pg_stat_database_blks_hit',
  'cnpg_pg_stat_database_tup_inserted',
  'cnpg_pg_stat_database_tup_updated',
  'cnpg_pg_stat_database_tup_deleted',
  'cnpg_pg_stat_database_deadlocks',
  'cnpg_pg_stat_database_temp_files',
  'cnpg_pg_stat_replication_replay_diff_bytes',
  'cnpg_pg_stat_replication_replay_lag_seconds',
  // kubelet: volume statistics of the PersistentVolumeClaims.
  'kubelet_volume_stats_used_bytes',
  'kubelet_volume_stats_capacity_bytes',
]);

/** Names the platform's code owns: they must be defined in the code, not merely documented. */
const isPlatformMetric = (name: string) => name.startsWith('kkb_') || name.startsWith('http_request_');

function unknownMetrics(exprs: Expression[], code: Map<string, string>, defaults: Set<string>): string[] {
  return exprs.flatMap(({ where, expr }) =>
    metricNames(expr)
      .filter((n) =>
        isPlatformMetric(n) ? !code.has(n) : !(defaults.has(n) || EXPORTER_METRICS.has(n) || code.has(n)),
      )
      .map((n) => `${where}: ${n}`),
  );
}

/** Problems promtool finds in the expressions: each one a recording rule in a group of its own. */
function promtoolProblems(promtool: string, exprs: Expression[]): string[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kkb-dashboards-'));
  try {
    const file = path.join(dir, 'rules.yaml');
    const groups = exprs.map((e, i) => ({
      name: `expr-${i}`,
      rules: [{ record: 'dashboard_expression', expr: substituteVariables(e.expr) }],
    }));
    writeFileSync(file, JSON.stringify({ groups })); // JSON is YAML
    const r = spawnSync(promtool, ['check', 'rules', file], { encoding: 'utf8' });
    if (r.status === 0) return [];
    const out = `${r.stdout}\n${r.stderr}`;
    const problems = [...out.matchAll(/group "expr-(\d+)", rule \d+, "[^"]*": (.*)/g)].map(
      (m) => `${exprs[Number(m[1])].where}: ${m[2]}`,
    );
    return problems.length ? problems : [`promtool check rules failed:\n${out}`];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The routes of a service as fastify names them (the route label): controller path + method path. */
function routesOf(service: string): Set<string> {
  const routes = new Set<string>();
  for (const file of sourceFiles(path.join(ROOT, 'services', service, 'src'))) {
    const src = readFileSync(file, 'utf8');
    const controller = /@Controller\(\s*(?:'([^']*)')?\s*\)/.exec(src);
    if (!controller) continue;
    for (const m of src.matchAll(/@(?:Get|Post|Put|Patch|Delete)\(\s*(?:'([^']*)')?\s*\)/g)) {
      const parts = [controller[1] ?? '', m[1] ?? ''].filter((p) => p !== '');
      routes.add(`/${parts.join('/')}`);
    }
  }
  return routes;
}

const SERVICES = ['registry', 'survey', 'classification', 'notifications'];
const promtool = which('promtool');
const withPromtool = promtool || process.env.CI ? it : it.skip;

describe('dashboard checks', () => {
  it('should catch what they are meant to catch', async () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le, consumer) (rate(kkb_event_handle_seconds_bucket{job="$job"}[$__rate_interval]))) / on() group_left max(up{x="a(b"}) > 1e3',
      ).sort(),
    ).toEqual(['kkb_event_handle_seconds_bucket', 'up']);
    expect(metricNames('sum(rate(a_total[5m] offset 1h)) or vector(0)')).toEqual(['a_total']);

    const code = codeMetrics();
    expect(code.get('kkb_consumer_lag')).toBe('libs/messaging/src/consumer-metrics.ts');
    expect(code.has('kkb_webhook_attempt_seconds_bucket')).toBe(true);
    expect(code.has('kkb_webhook_attempt_seconds')).toBe(false); // a histogram is queried by its series
    expect(code.has('http_request_duration_seconds_count')).toBe(true);
    const defaults = await defaultMetrics();
    expect(defaults.has('process_cpu_seconds_total')).toBe(true);
    const exprs = (e: string) => [{ where: 'test', expr: e }];
    expect(unknownMetrics(exprs('max(kkb_consumer_lag)'), code, defaults)).toEqual([]);
    expect(unknownMetrics(exprs('max(kkb_consumer_lagg)'), code, defaults)).toEqual([
      'test: kkb_consumer_lagg',
    ]);
    expect(unknownMetrics(exprs('rate(kkb_webhook_attempt_seconds[5m])'), code, defaults)).toHaveLength(1);
    expect(unknownMetrics(exprs('jetstream_stream_totl_messages'), code, defaults)).toHaveLength(1);

    expect(routesOf('survey')).toContain('/api/v1/submissions');
  });

  withPromtool('should catch an expression promtool cannot parse', () => {
    if (!promtool) throw new Error('promtool is not on PATH (apt-get install -y prometheus); required in CI');
    expect(
      promtoolProblems(promtool, [
        { where: 'good', expr: 'sum by (job) (rate(up[$__rate_interval]))' },
        { where: 'bad', expr: 'sum(rate(up[5m])' },
      ]),
    ).toEqual([expect.stringMatching(/^bad: could not parse expression/)]);
  });
});

describe('Grafana dashboards (deploy/monitoring/dashboards)', () => {
  let dashboards: Map<string, Dashboard>;
  let all: Dashboard[];

  beforeAll(() => {
    dashboards = loadDashboards();
    all = [...dashboards.values()];
  });

  it('should have the pipeline overview, one per service, NATS and Postgres, with unique stable uids', () => {
    expect([...dashboards.keys()].sort()).toEqual(
      ['overview.json', 'nats.json', 'postgres.json', ...SERVICES.map((s) => `service-${s}.json`)].sort(),
    );
    const uids = all.map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(new Set(all.map((d) => d.title)).size).toBe(all.length);
    for (const [file, d] of dashboards) {
      // Grafana's limit is 40 characters; a fixed uid keeps links and provisioning stable.
      expect({ file, uid: d.uid }).toEqual({ file, uid: expect.stringMatching(/^kkb-[a-z0-9-]{1,36}$/) });
      expect({ file, schemaVersion: d.schemaVersion >= 36 && d.schemaVersion <= 41 }).toEqual({
        file,
        schemaVersion: true,
      });
    }
    expect(dashboards.get('overview.json')!.uid).toBe('kkb-overview');
    for (const s of SERVICES) expect(dashboards.get(`service-${s}.json`)!.uid).toBe(`kkb-service-${s}`);
  });

  it('should query the ${datasource} variable in every panel and target, with unique panel ids', () => {
    const problems: string[] = [];
    for (const d of all) {
      const variable = d.templating.list.find((v) => v.name === 'datasource');
      if (variable?.type !== 'datasource' || variable.query !== 'prometheus')
        problems.push(`${d.uid}: no datasource variable of type prometheus`);
      const ids = panelsOf(d).map((p) => p.id);
      if (new Set(ids).size !== ids.length) problems.push(`${d.uid}: panel ids repeat: ${ids.join(',')}`);
      for (const p of panelsOf(d)) {
        const id = `${d.uid}/panel ${p.id} (${p.title})`;
        if (p.gridPos && p.gridPos.x + p.gridPos.w > 24) problems.push(`${id}: wider than the grid`);
        if (p.type === 'row') continue;
        if (p.datasource?.uid !== DATASOURCE || p.datasource.type !== 'prometheus')
          problems.push(`${id}: datasource ${JSON.stringify(p.datasource)}`);
        if (!p.targets?.length || p.targets.some((t) => !t.expr?.trim()))
          problems.push(`${id}: a target without expr`);
        for (const t of p.targets ?? []) {
          if (t.datasource && t.datasource.uid !== DATASOURCE)
            problems.push(`${id}/${t.refId}: datasource ${JSON.stringify(t.datasource)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  withPromtool('should have only PromQL expressions that parse (promtool check rules)', () => {
    if (!promtool) throw new Error('promtool is not on PATH (apt-get install -y prometheus); required in CI');
    const exprs = all.flatMap(expressionsOf);
    expect(exprs.length).toBeGreaterThan(100);
    expect(promtoolProblems(promtool, exprs)).toEqual([]);
  });

  it('should name only metrics that exist: the code exports the kkb_* and HTTP ones', async () => {
    const code = codeMetrics();
    const exprs = all.flatMap(expressionsOf);
    expect(unknownMetrics(exprs, code, await defaultMetrics())).toEqual([]);
    // Every metric of the code shows on some dashboard.
    const used = new Set(exprs.flatMap((e) => metricNames(e.expr)));
    const unused = [...new Set([...code.keys()].map((s) => s.replace(/_(bucket|sum|count)$/, '')))].filter(
      (m) => ![...used].some((u) => u === m || u.startsWith(`${m}_`)),
    );
    expect(unused).toEqual([]);
  });

  it('should follow the pipeline on the overview, from submission to webhook', () => {
    const text = expressionsOf(dashboards.get('overview.json')!)
      .map((e) => e.expr)
      .join('\n');
    for (const needle of [
      'route="/api/v1/submissions"',
      'kkb_outbox_backlog',
      'kkb_outbox_published_total',
      'kkb_consumer_lag',
      'kkb_event_handle_seconds_bucket',
      'kkb_events_consumed_total',
      'kkb_webhook_attempts_total',
      'kkb_webhook_attempt_seconds_bucket',
    ]) {
      expect({ needle, found: text.includes(needle) }).toEqual({ needle, found: true });
    }
  });

  it('should select each service by its job and only routes it has', () => {
    for (const d of all) {
      for (const { where, expr } of expressionsOf(d)) {
        for (const m of expr.matchAll(
          /job="([^"]+)"[^}]*route="([^"]+)"|route="([^"]+)"[^}]*job="([^"]+)"/g,
        )) {
          const [job, route] = m[1] ? [m[1], m[2]] : [m[4], m[3]];
          expect({ where, route, known: routesOf(job).has(route) }).toEqual({ where, route, known: true });
        }
      }
    }
    for (const s of SERVICES) {
      const d = dashboards.get(`service-${s}.json`)!;
      for (const { where, expr } of expressionsOf(d)) {
        // Every selector of the platform's metrics names this service's job, and no other.
        const jobs = [...expr.matchAll(/job=~?"([^"]+)"/g)].map((m) => m[1]);
        const selectors = [...expr.matchAll(/[a-z_:]+\{[^}]*\}|[a-z_:]+(?=\[)/g)].length;
        expect({ where, jobs: [...new Set(jobs)], all: jobs.length >= selectors }).toEqual({
          where,
          jobs: [s],
          all: true,
        });
      }
    }
  });
});

describe('Compose profile monitoring: Prometheus and Grafana with the dashboards', () => {
  interface ComposeService {
    image?: string;
    profiles?: string[];
    command?: string[];
    environment?: Record<string, string>;
    volumes?: string[];
  }
  const compose = () =>
    parseYaml(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, ComposeService>;
    };
  /** The container path a host path (relative to the repository) is mounted at. */
  const mountOf = (svc: ComposeService, host: string) =>
    svc.volumes
      ?.map((v) => v.split(':'))
      .find(([h]) => path.resolve(ROOT, h) === path.resolve(ROOT, host))?.[1];

  it('should start Prometheus, Grafana and the NATS exporter only with --profile monitoring, on pinned images', () => {
    const { services } = compose();
    for (const name of ['prometheus', 'grafana', 'nats-exporter']) {
      expect({ name, profiles: services[name]?.profiles }).toEqual({ name, profiles: ['monitoring'] });
      expect(services[name].image).toMatch(/:v?\d+\.\d+\.\d+$/);
    }
    for (const name of [...SERVICES, 'nats', 'postgres', 'front-door']) {
      expect({ name, profiles: services[name].profiles }).toEqual({ name, profiles: undefined });
    }
    expect(services['nats-exporter'].command).toEqual(
      expect.arrayContaining(['-jsz=all', '-varz', '-connz', '-healthz', 'http://nats:8222']),
    );
  });

  it('should scrape each service at its Compose name and port, as job <service>, and load deploy/monitoring/rules', () => {
    const { services } = compose();
    const prometheus = services.prometheus;
    const configDir = mountOf(prometheus, 'deploy/monitoring');
    expect(prometheus.command).toContain(`--config.file=${configDir}/prometheus.yml`);
    const config = parseYaml(readFileSync(deployPath('monitoring', 'prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    expect(config.rule_files).toEqual(['rules/*.yaml']);
    const targets = Object.fromEntries(
      config.scrape_configs.map((c) => [c.job_name, c.static_configs.flatMap((x) => x.targets)]),
    );
    for (const s of SERVICES) {
      expect({ s, targets: targets[s] }).toEqual({ s, targets: [`${s}:${services[s].environment?.PORT}`] });
    }
    expect(targets.nats).toEqual(['nats-exporter:7777']);
  });

  withPromtool('should have a Prometheus configuration promtool accepts (rule files included)', () => {
    if (!promtool) throw new Error('promtool is not on PATH (apt-get install -y prometheus); required in CI');
    const r = spawnSync(promtool, ['check', 'config', deployPath('monitoring', 'prometheus.yml')], {
      encoding: 'utf8',
    });
    expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({ status: 0, out: expect.any(String) });
  });

  it('should provision the Prometheus data source and the dashboards directory in Grafana', () => {
    const grafana = compose().services.grafana;
    const provisioning = mountOf(grafana, 'deploy/monitoring/grafana/provisioning');
    expect(provisioning).toBe('/etc/grafana/provisioning');
    const dir = deployPath('monitoring', 'grafana', 'provisioning');
    const datasources = parseYaml(readFileSync(path.join(dir, 'datasources', 'prometheus.yaml'), 'utf8')) as {
      datasources: { type: string; url: string; isDefault: boolean }[];
    };
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true }),
    ]);
    const providers = parseYaml(readFileSync(path.join(dir, 'dashboards', 'kampung-kb.yaml'), 'utf8')) as {
      providers: { type: string; options: { path: string } }[];
    };
    const dashboardsAt = mountOf(grafana, 'deploy/monitoring/dashboards');
    expect(dashboardsAt).toBeDefined();
    expect(providers.providers.map((p) => [p.type, p.options.path])).toEqual([['file', dashboardsAt]]);
    expect(grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
      `${dashboardsAt}/overview.json`,
    );
  });
});
