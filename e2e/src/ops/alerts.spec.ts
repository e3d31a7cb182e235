import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { deployPath, ROOT, which } from './ops-support';

/**
 * The alerting and recording rules of deploy/monitoring: promtool accepts them and their unit tests
 * pass; every alert has a severity, a summary, a description and a runbook_url whose section exists
 * in deploy/README.md; every alert (each of its severities) has a promtool test where it fires and
 * one where it stays quiet; and the PrometheusRule of the Kubernetes component is exactly what
 * tools/prometheus-rule.mjs makes of the rule files.
 *
 * promtool comes from Debian's `prometheus` package (.ci/run installs it). Without it the promtool
 * cases are skipped on a workstation, and fail in CI (CI=true).
 */

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Group {
  name: string;
  rules: Rule[];
}
interface AlertCase {
  eval_time: string;
  alertname: string;
  exp_alerts?: { exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }[];
}
interface TestFile {
  rule_files: string[];
  tests: { name: string; alert_rule_test?: AlertCase[] }[];
}

const RULES_DIR = deployPath('monitoring', 'rules');
const TESTS_DIR = deployPath('monitoring', 'tests');
const yamlIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
const ruleFiles = yamlIn(RULES_DIR);
const testFiles = yamlIn(TESTS_DIR);
const groups: Group[] = ruleFiles.flatMap(
  (f) => (parse(readFileSync(f, 'utf8')) as { groups: Group[] }).groups,
);
const alerts = groups.flatMap((g) => g.rules.filter((r): r is Rule & { alert: string } => !!r.alert));
const alertNames = [...new Set(alerts.map((a) => a.alert))];
const cases: AlertCase[] = testFiles.flatMap((f) =>
  (parse(readFileSync(f, 'utf8')) as TestFile).tests.flatMap((t) => t.alert_rule_test ?? []),
);

/** The anchor GitHub (and most Markdown renderers) give a heading. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
const readme = readFileSync(deployPath('README.md'), 'utf8');
const readmeAnchors = new Set(
  readme
    .split('\n')
    .filter((l) => /^#{1,6} /.test(l))
    .map((l) => anchorOf(l.replace(/^#+ /, ''))),
);

const promtool = which('promtool');
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const withPromtool = promtool || inCi ? it : it.skip;
if (!promtool) {
  console.warn(
    inCi
      ? 'promtool is not on PATH: the promtool cases fail in CI (apt-get install -y prometheus)'
      : 'promtool is not on PATH: skipping the promtool cases (apt-get install -y prometheus)',
  );
}

function run(cmd: string, args: string[]) {
  return spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 << 20 });
}

describe('Prometheus rules (deploy/monitoring)', () => {
  it('should have rule files, test files and alerts to check', () => {
    expect(ruleFiles.length).toBeGreaterThan(0);
    expect(testFiles.length).toBeGreaterThan(0);
    expect(alertNames.length).toBeGreaterThanOrEqual(20);
  });

  withPromtool('should pass promtool check rules', () => {
    if (!promtool) throw new Error('promtool is not on PATH (apt-get install -y prometheus)');
    const r = run(promtool, ['check', 'rules', ...ruleFiles]);
    expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({ status: 0, out: expect.any(String) });
  });

  withPromtool(
    'should pass promtool test rules (every alert firing and staying quiet on fed series)',
    () => {
      if (!promtool) throw new Error('promtool is not on PATH (apt-get install -y prometheus)');
      const r = run(promtool, ['test', 'rules', ...testFiles]);
      if (r.status !== 0) throw new Error(`promtool test rules failed:\n${r.stdout}${r.stderr}`);
      expect(r.stdout).not.toMatch(/FAILED/);
    },
    120_000,
  );

  it.each(alertNames)(
    '%s: severity, summary, description and a runbook section in deploy/README.md',
    (name) => {
      for (const rule of alerts.filter((a) => a.alert === name)) {
        expect(['page', 'warning', 'ticket']).toContain(rule.labels?.severity);
        expect(rule.annotations?.summary).toEqual(expect.stringMatching(/\S/));
        expect(rule.annotations?.description).toEqual(expect.stringMatching(/\S/));
        expect(rule.annotations?.runbook_url).toBe(`deploy/README.md#${anchorOf(name)}`);
      }
      expect([...readmeAnchors]).toContain(anchorOf(name));
    },
  );

  it.each(alertNames)(
    '%s: a promtool test where it fires (each severity) and one where it stays quiet',
    (name) => {
      const own = cases.filter((c) => c.alertname === name);
      const fired = own.flatMap((c) => c.exp_alerts ?? []);
      const severities = new Set(alerts.filter((a) => a.alert === name).map((a) => a.labels?.severity));
      for (const severity of severities) {
        expect({ severity, fires: fired.some((a) => a.exp_labels?.severity === severity) }).toEqual({
          severity,
          fires: true,
        });
      }
      expect(own.some((c) => (c.exp_alerts ?? []).length === 0)).toBe(true);
      // Fired alerts are checked with their annotations, runbook included.
      for (const a of fired)
        expect(a.exp_annotations?.runbook_url).toBe(`deploy/README.md#${anchorOf(name)}`);
    },
  );

  it('should test no alert that the rules do not have', () => {
    expect([...new Set(cases.map((c) => c.alertname))].filter((n) => !alertNames.includes(n))).toEqual([]);
  });

  it('should ship the same groups as a PrometheusRule, exactly as tools/prometheus-rule.mjs writes it', () => {
    const r = run(process.execPath, ['tools/prometheus-rule.mjs', '--check']);
    if (r.status !== 0) throw new Error(r.stderr || r.stdout);
    const object = parse(
      readFileSync(deployPath('k8s', 'components', 'monitoring', 'prometheusrule.yaml'), 'utf8'),
    ) as { apiVersion: string; kind: string; spec: { groups: Group[] } };
    expect(object.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(object.kind).toBe('PrometheusRule');
    expect(object.spec.groups).toEqual(groups);
  });
});
