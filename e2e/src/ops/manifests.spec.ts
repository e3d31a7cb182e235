/* eslint-disable @nx/enforce-module-boundaries */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parseAllDocuments } from 'yaml';
import * as keda from '@kubernetes-models/keda/keda.sh/v1alpha1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { classificationService } from '../../../services/classification/src/service';
import { notificationsService } from '../../../services/notifications/src/service';
import { registryService } from '../../../services/registry/src/service';
import { surveyService } from '../../../services/survey/src/service';
import { deployPath, ROOT, which } from './ops-support';

/**
 * The Kubernetes manifests, rendered as `kubectl apply -k` would (kubectl kustomize, or a
 * standalone kustomize), without a cluster: every object is validated against the Kubernetes
 * schemas (kubernetes-models; KEDA ScaledObject from @kubernetes-models/keda; the CloudNativePG
 * Cluster, the Gateway API objects and the Prometheus operator's ServiceMonitor, PodMonitor and
 * PrometheusRule against hand-written JSON schemas of the fields used), and the overlays keep their
 * promises: probes, limits, non-root, read-only root, roles, NATS users, scaling, policies.
 */

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}
// Plain-object views of the parts the checks read.
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string };
  };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    runAsNonRoot?: boolean;
    capabilities?: { drop?: string[] };
  };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
}
interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  automountServiceAccountToken?: boolean;
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; secret?: { secretName: string }; configMap?: { name: string } }[];
}
interface Workload extends K8sObject {
  spec: { replicas?: number; template: { spec: PodSpec } };
}

type ModelClass = new (data: object) => { validate(): void };
const MODELS = new Map<string, ModelClass>();
for (const mod of [coreV1, appsV1, autoscalingV2, batchV1, networkingV1, policyV1, keda] as unknown as Record<
  string,
  unknown
>[]) {
  for (const value of Object.values(mod)) {
    const m = value as { apiVersion?: unknown; kind?: unknown };
    if (typeof value === 'function' && typeof m.apiVersion === 'string' && typeof m.kind === 'string') {
      MODELS.set(`${m.apiVersion}/${m.kind}`, value as ModelClass);
    }
  }
}
const ajv = new Ajv({ allErrors: true });
const validateCnpgCluster = ajv.compile(
  JSON.parse(readFileSync(path.join(__dirname, 'schemas', 'cnpg-cluster.schema.json'), 'utf8')) as object,
);

const validateGatewayApi = ajv.compile(
  JSON.parse(readFileSync(path.join(__dirname, 'schemas', 'gateway-api.schema.json'), 'utf8')) as object,
);

// One schema file, one validator per kind (so an error names the kind's fields, not every branch of a oneOf).
ajv.addSchema(
  JSON.parse(
    readFileSync(path.join(__dirname, 'schemas', 'prometheus-operator.schema.json'), 'utf8'),
  ) as object,
);
const PROMETHEUS_OPERATOR_KINDS: Record<string, string> = {
  ServiceMonitor: 'serviceMonitor',
  PodMonitor: 'podMonitor',
  PrometheusRule: 'prometheusRule',
};

// Backups: CloudNativePG's Backup and ScheduledBackup, the Barman Cloud plugin's ObjectStore.
const backupSchema = (file: string) =>
  ajv.compile(JSON.parse(readFileSync(path.join(__dirname, 'schemas', file), 'utf8')) as object);
const validateCnpgBackup = backupSchema('cnpg-scheduled-backup.schema.json');
const BACKUP_VALIDATORS = new Map([
  ['postgresql.cnpg.io/v1/ScheduledBackup', validateCnpgBackup],
  ['postgresql.cnpg.io/v1/Backup', validateCnpgBackup],
  ['barmancloud.cnpg.io/v1/ObjectStore', backupSchema('barman-cloud-object-store.schema.json')],
]);

/** Problems of one object against its schema; [] when it is valid. */
function schemaProblems(o: K8sObject): string[] {
  const id = `${o.kind}/${o.metadata?.name}`;
  const backupValidator = BACKUP_VALIDATORS.get(`${o.apiVersion}/${o.kind}`);
  if (backupValidator) {
    return backupValidator(o)
      ? []
      : (backupValidator.errors ?? []).map((e) => `${id}: ${e.instancePath} ${e.message}`);
  }
  if (o.apiVersion === 'gateway.networking.k8s.io/v1') {
    return validateGatewayApi(o)
      ? []
      : (validateGatewayApi.errors ?? []).map((e) => `${id}: ${e.instancePath} ${e.message}`);
  }
  if (o.apiVersion === 'monitoring.coreos.com/v1' && PROMETHEUS_OPERATOR_KINDS[o.kind]) {
    const validate = ajv.getSchema(
      `kampung-kb/prometheus-operator#/definitions/${PROMETHEUS_OPERATOR_KINDS[o.kind]}`,
    )!;
    return validate(o) ? [] : (validate.errors ?? []).map((e) => `${id}: ${e.instancePath} ${e.message}`);
  }
  if (o.apiVersion === 'postgresql.cnpg.io/v1' && o.kind === 'Cluster') {
    return validateCnpgCluster(o)
      ? []
      : (validateCnpgCluster.errors ?? []).map((e) => `${id}: ${e.instancePath} ${e.message}`);
  }
  const Model = MODELS.get(`${o.apiVersion}/${o.kind}`);
  if (!Model) return [`${id}: no schema for ${o.apiVersion} ${o.kind}`];
  try {
    new Model(o).validate();
    return [];
  } catch (err) {
    return [`${id}: ${(err as Error).message}`];
  }
}

function kustomize(dir: string): K8sObject[] {
  const kubectl = which('kubectl');
  const standalone = which('kustomize');
  if (!kubectl && !standalone) {
    throw new Error(
      'neither kubectl (kubectl kustomize) nor kustomize is on PATH: cannot render the manifests',
    );
  }
  const r = kubectl
    ? spawnSync(kubectl, ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 << 20 })
    : spawnSync(standalone!, ['build', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`kustomize ${dir} failed:\n${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => {
    if (d.errors.length) throw new Error(`unparsable YAML from ${dir}: ${d.errors[0].message}`);
    return d.toJSON() as K8sObject;
  });
}

const SERVICES = [registryService, surveyService, classificationService, notificationsService];
const CONSUMING = SERVICES.filter((s) => s.consumers.length > 0).map((s) => s.name);

const find = (objs: K8sObject[], kind: string, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata.name === name);
const all = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);
const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name);
const podSpec = (w: K8sObject) => (w as Workload).spec.template.spec;

describe('manifest validation', () => {
  it('should catch what it is meant to catch', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: { replicas: 'two', selector: {}, template: {} },
    };
    expect(schemaProblems(deployment)).toEqual([expect.stringContaining('replicas must be integer')]);
    expect(schemaProblems({ apiVersion: 'example.org/v1', kind: 'Thing', metadata: { name: 'x' } })).toEqual([
      'Thing/x: no schema for example.org/v1 Thing',
    ]);
    const typo = { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'x' } };
    expect(schemaProblems({ ...typo, spec: { instance: 3, storage: { size: '1Gi' } } })).toEqual(
      expect.arrayContaining([expect.stringContaining('must NOT have additional properties')]),
    );
    expect(schemaProblems({ ...typo, spec: { instances: 3, storage: { size: '1Gi' } } })).toEqual([]);
    const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'x' } };
    const rule = {
      matches: [{ path: { type: 'Prefix', value: '/api' } }],
      backendRefs: [{ name: 'x', port: 1 }],
    };
    expect(schemaProblems({ ...route, spec: { parentRefs: [{ name: 'kkb' }], rules: [rule] } })).toEqual(
      expect.arrayContaining([expect.stringContaining('must be equal to one of the allowed values')]),
    );
    const scaled = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'x' } };
    expect(schemaProblems({ ...scaled, spec: { scaleTargetRef: { name: 'x' } } })).toEqual([
      expect.stringContaining('must have required property triggers'),
    ]);
    const sm = { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'x' } };
    const selector = { matchLabels: { a: 'b' } };
    expect(
      schemaProblems({ ...sm, spec: { selector, endpoints: [{ port: 'http', interval: '30s' }] } }),
    ).toEqual([]);
    expect(
      schemaProblems({ ...sm, spec: { selector, endpoints: [{ port: 'http', intervall: '30s' }] } }),
    ).toEqual(expect.arrayContaining([expect.stringContaining('must NOT have additional properties')]));
    const pm = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'x' } };
    expect(schemaProblems({ ...pm, spec: { selector, podMetricsEndpoints: [{ port: 'metrics' }] } })).toEqual(
      [],
    );
    expect(schemaProblems({ ...pm, spec: { selector, endpoints: [{ port: 'metrics' }] } })).not.toEqual([]);
    const pr = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'x' } };
    const withRule = (r: object) => ({ ...pr, spec: { groups: [{ name: 'g', rules: [r] }] } });
    expect(
      schemaProblems(withRule({ alert: 'A', expr: 'up == 0', for: '5m', labels: { severity: 'page' } })),
    ).toEqual([]);
    expect(schemaProblems(withRule({ record: 'job:up:sum', expr: 'sum by (job) (up)' }))).toEqual([]);
    expect(schemaProblems(withRule({ alert: 'A', expr: 'up == 0', for: 'five minutes' }))).toEqual(
      expect.arrayContaining([expect.stringContaining('/spec/groups/0/rules/0/for must match pattern')]),
    );
    expect(schemaProblems(withRule({ expr: 'up == 0' }))).not.toEqual([]); // neither alert nor record
  });
});

describe.each([
  ['dev', 'deploy/k8s/overlays/dev'],
  ['production', 'deploy/k8s/overlays/production'],
])('Kubernetes manifests: overlay %s', (overlay, dir) => {
  let objs: K8sObject[];
  const configData = () =>
    (find(objs, 'ConfigMap', 'kkb-config') as unknown as { data: Record<string, string> }).data;

  beforeAll(() => {
    objs = kustomize(path.join(ROOT, dir));
  });

  it('should render only objects that are valid against the Kubernetes schemas', () => {
    expect(objs.length).toBeGreaterThan(20);
    expect(objs.flatMap(schemaProblems)).toEqual([]);
    // Everything lives in the namespace, which enforces the restricted Pod Security Standard.
    for (const o of objs.filter((x) => x.kind !== 'Namespace')) {
      expect(`${o.kind}/${o.metadata.name}: ${o.metadata.namespace}`).toBe(
        `${o.kind}/${o.metadata.name}: kampung-kb`,
      );
    }
    expect(find(objs, 'Namespace', 'kampung-kb')?.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
  });

  it('should run every container non-root, read-only, without privileges, with requests and limits', () => {
    const workloads = objs.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind));
    expect(workloads.length).toBeGreaterThanOrEqual(6);
    for (const w of workloads) {
      const spec = podSpec(w);
      const id = `${w.kind}/${w.metadata.name}`;
      expect({ id, ...spec.securityContext }).toMatchObject({
        id,
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect({ id, automount: spec.automountServiceAccountToken }).toEqual({ id, automount: false });
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        const cid = `${id}/${c.name}`;
        expect({ cid, ...c.securityContext }).toMatchObject({
          cid,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        for (const kind of ['requests', 'limits'] as const) {
          expect({
            cid,
            kind,
            cpu: !!c.resources?.[kind]?.cpu,
            memory: !!c.resources?.[kind]?.memory,
          }).toEqual({
            cid,
            kind,
            cpu: true,
            memory: true,
          });
        }
      }
    }
  });

  it.each(SERVICES.map((s) => [s.name, s.defaultPort] as [string, number]))(
    'should run %s with probes, its ConfigMap and Secrets, migrations as its migrator role and itself as its app role',
    (name, port) => {
      const d = find(objs, 'Deployment', name);
      expect(d).toBeDefined();
      const spec = podSpec(d!);
      const [main] = spec.containers;
      expect(main.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(main.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      expect(main.startupProbe?.httpGet?.path).toBe('/health/live');
      expect(envOf(main, 'PORT')?.value).toBe(String(port));
      expect(main.envFrom).toContainEqual({ configMapRef: { name: 'kkb-config' } });

      // The app role runs the service; migrations never run in it.
      expect(envOf(main, 'DATABASE_ROLE')?.value).toBe(`kkb_${name}_app`);
      expect(envOf(main, 'DATABASE_USER')?.value).toBe(`kkb_${name}_app`);
      expect(envOf(main, 'DATABASE_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
        name: 'kkb-database',
        key: `${name}-app-password`,
      });
      expect(envOf(main, 'MIGRATIONS_RUN')?.value).toBe('false');
      // Its NATS user (deploy/nats/accounts.conf).
      expect(envOf(main, 'NATS_USER')?.value).toBe(name);
      expect(envOf(main, 'NATS_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
        name: 'kkb-nats',
        key: `${name}-password`,
      });

      // The migrate initContainer, as the migrator role (the schema's owner).
      const migrate = spec.initContainers?.find((c) => c.name === 'migrate');
      expect(migrate?.command).toEqual(['node', `dist/services/${name}/src/main.js`, 'migrate']);
      expect(envOf(migrate!, 'DATABASE_ROLE')?.value).toBe(`kkb_${name}`);
      expect(envOf(migrate!, 'DATABASE_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
        name: 'kkb-database',
        key: `${name}-migrator-password`,
      });
      expect(envOf(migrate!, 'DATABASE_SCHEMA')?.value).toBe(name);

      // Service, PodDisruptionBudget.
      const svc = find(objs, 'Service', name) as
        { spec: { selector: Record<string, string>; ports: { port: number }[] } } | undefined;
      expect(svc?.spec.selector).toEqual({ 'app.kubernetes.io/name': name });
      expect(svc?.spec.ports[0].port).toBe(port);
      expect(find(objs, 'PodDisruptionBudget', name)).toBeDefined();
    },
  );

  it('should point every Secret and ConfigMap reference at a key the manifests define (dev) or document (production)', () => {
    const keys = new Map<string, Set<string>>();
    // Production leaves the Secrets out; the dev overlay renders the same names and keys.
    const secretsFrom = overlay === 'dev' ? objs : kustomize(deployPath('k8s', 'overlays', 'dev'));
    for (const s of all(secretsFrom, 'Secret') as unknown as {
      metadata: { name: string };
      stringData?: object;
    }[]) {
      keys.set(`Secret/${s.metadata.name}`, new Set(Object.keys(s.stringData ?? {})));
    }
    keys.set('Secret/kkb-postgres-ca', new Set(['ca.crt'])); // made by CloudNativePG (production)
    keys.set('ConfigMap/kkb-config', new Set(Object.keys(configData())));
    const missing: string[] = [];
    for (const w of objs.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind))) {
      const spec = podSpec(w);
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        for (const e of c.env ?? []) {
          const s = e.valueFrom?.secretKeyRef;
          const m = e.valueFrom?.configMapKeyRef;
          if (s && !s.optional && !keys.get(`Secret/${s.name}`)?.has(s.key))
            missing.push(`${w.metadata.name}: ${s.name}/${s.key}`);
          if (m && !keys.get(`ConfigMap/${m.name}`)?.has(m.key))
            missing.push(`${w.metadata.name}: ${m.name}/${m.key}`);
        }
      }
      for (const v of spec.volumes ?? []) {
        if (v.secret && !keys.has(`Secret/${v.secret.secretName}`))
          missing.push(`${w.metadata.name}: ${v.secret.secretName}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('should scale every service on CPU, and the consuming ones on the lag of each durable consumer (production)', () => {
    const scaled = all(objs, 'ScaledObject') as unknown as {
      metadata: { name: string };
      spec: {
        scaleTargetRef: { name: string };
        minReplicaCount: number;
        triggers: { type: string; metricType?: string; metadata: Record<string, string> }[];
      };
    }[];
    const hpas = all(objs, 'HorizontalPodAutoscaler') as unknown as {
      metadata: { name: string };
      spec: {
        scaleTargetRef: { name: string };
        metrics: { resource?: { name: string } }[];
        minReplicas: number;
      };
    }[];
    for (const s of SERVICES) {
      const hpa = hpas.filter((h) => h.spec.scaleTargetRef.name === s.name);
      const so = scaled.filter((o) => o.spec.scaleTargetRef.name === s.name);
      // Exactly one autoscaler per Deployment: a plain HPA and a ScaledObject would fight.
      expect({ service: s.name, autoscalers: hpa.length + so.length }).toEqual({
        service: s.name,
        autoscalers: 1,
      });
      if (overlay === 'production' && CONSUMING.includes(s.name)) {
        const [o] = so;
        expect(o.spec.triggers).toContainEqual({
          type: 'cpu',
          metricType: 'Utilization',
          metadata: { value: '70' },
        });
        for (const c of s.consumers) {
          expect(o.spec.triggers).toContainEqual({
            type: 'nats-jetstream',
            metadata: expect.objectContaining({
              account: 'KKB',
              stream: `KKB_${c.from.toUpperCase()}`,
              consumer: c.durable,
              natsServerMonitoringEndpoint: 'nats-headless.kampung-kb.svc.cluster.local:8222',
            }),
          });
        }
        expect(o.spec.triggers.filter((t) => t.type === 'nats-jetstream')).toHaveLength(s.consumers.length);
        expect(o.spec.minReplicaCount).toBeGreaterThanOrEqual(3);
      } else {
        expect(hpa[0].spec.metrics.map((m) => m.resource?.name)).toEqual(['cpu']);
        if (overlay === 'production') expect(hpa[0].spec.minReplicas).toBeGreaterThanOrEqual(3);
      }
    }
    if (overlay === 'dev') expect(scaled).toEqual([]);
  });

  it('should run NATS with the accounts of deploy/nats/accounts.conf and the passwords of kkb-nats', () => {
    const sts = find(objs, 'StatefulSet', 'nats') as Workload;
    expect(sts.spec.replicas).toBe(overlay === 'dev' ? 1 : 3);
    const conf = all(objs, 'ConfigMap').find((c) =>
      c.metadata.name.startsWith('nats-config-'),
    ) as unknown as {
      data: Record<string, string>;
    };
    expect(conf.data['accounts.conf']).toBe(readFileSync(deployPath('nats', 'accounts.conf'), 'utf8'));
    expect(conf.data['nats.conf']).toContain('include ./accounts.conf');
    if (overlay === 'dev') {
      expect(conf.data['cluster.conf']).not.toMatch(/^\s*cluster\s*\{/m);
      expect(configData().NATS_URL).toBe('nats://nats-0.nats-headless:4222');
    } else {
      for (const n of [0, 1, 2])
        expect(conf.data['cluster.conf']).toContain(`nats://nats-${n}.nats-headless:6222`);
      expect(configData().NATS_URL.split(',')).toHaveLength(3);
    }
    const env = podSpec(sts).containers[0].env ?? [];
    for (const user of ['registry', 'survey', 'classification', 'notifications', 'integrator']) {
      expect(
        env.find((e) => e.name === `NATS_${user.toUpperCase()}_PASSWORD`)?.valueFrom?.secretKeyRef,
      ).toEqual({
        name: 'kkb-nats',
        key: `${user}-password`,
      });
    }
  });

  it('should let the services reach only DNS, NATS and Postgres, and notifications the public internet on 80/443', () => {
    type Peer = {
      podSelector?: { matchLabels: Record<string, string> };
      ipBlock?: { cidr: string; except?: string[] };
    };
    type Rule = { to?: Peer[]; ports?: { protocol: string; port: number | string }[] };
    const policy = (name: string) =>
      find(objs, 'NetworkPolicy', name) as unknown as {
        spec: {
          podSelector: { matchLabels: Record<string, string> };
          policyTypes: string[];
          egress?: Rule[];
        };
      };
    const deny = policy('kkb-default-deny');
    expect(deny.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'kampung-kb' } },
      policyTypes: ['Ingress', 'Egress'],
    });
    expect(policy('kkb-dns').spec.egress).toEqual([
      {
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
    const services = policy('kkb-services').spec.egress!;
    expect(services.map((r) => [r.to, r.ports])).toEqual([
      [
        [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats' } } }],
        [{ protocol: 'TCP', port: 4222 }],
      ],
      [
        [{ podSelector: { matchLabels: { 'kampung-kb/postgres': 'true' } } }],
        [{ protocol: 'TCP', port: 5432 }],
      ],
    ]);
    const internet = policy('notifications-internet').spec;
    expect(internet.podSelector.matchLabels['app.kubernetes.io/name']).toBe('notifications');
    const [rule] = internet.egress!;
    const v4 = rule.to!.find((p) => p.ipBlock?.cidr === '0.0.0.0/0')!.ipBlock!;
    expect(v4.except).toEqual(
      expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']),
    );
    expect(rule.ports).toEqual(
      expect.arrayContaining([
        { protocol: 'TCP', port: 80 },
        { protocol: 'TCP', port: 443 },
      ]),
    );
    // Only notifications gets an ipBlock.
    const withIpBlocks = all(objs, 'NetworkPolicy').filter((p) => JSON.stringify(p).includes('ipBlock'));
    expect(withIpBlocks.map((p) => p.metadata.name)).toEqual(['notifications-internet']);
    // Postgres pods carry the label the policies allow.
    if (overlay === 'dev') {
      expect(
        (
          find(objs, 'StatefulSet', 'postgres') as unknown as {
            spec: { template: { metadata: { labels: object } } };
          }
        ).spec.template.metadata.labels,
      ).toMatchObject({ 'kampung-kb/postgres': 'true' });
    } else {
      expect(
        (
          find(objs, 'Cluster', 'kkb-postgres') as unknown as {
            spec: { inheritedMetadata: { labels: object } };
          }
        ).spec.inheritedMetadata.labels,
      ).toMatchObject({ 'kampung-kb/postgres': 'true' });
    }
  });

  it('should scrape every service, the NATS servers (exporter sidecar) and Postgres, and ship the dashboards (production)', () => {
    const monitors = [...all(objs, 'ServiceMonitor'), ...all(objs, 'PodMonitor')];
    if (overlay === 'dev') {
      expect(monitors).toEqual([]);
      expect(all(objs, 'PrometheusRule')).toEqual([]);
      return;
    }
    type Selector = { matchLabels: Record<string, string> };
    const matches = (sel: Selector, labels: Record<string, string> = {}) =>
      Object.entries(sel.matchLabels).every(([k, v]) => labels[k] === v);

    // The ServiceMonitor picks exactly the four services' Services, by a port they have.
    const [sm, ...moreSm] = all(objs, 'ServiceMonitor') as unknown as {
      spec: { selector: Selector; endpoints: { port: string; path: string }[] };
    }[];
    expect(moreSm).toEqual([]);
    const scraped = (
      all(objs, 'Service') as unknown as (K8sObject & { spec: { ports: { name: string }[] } })[]
    )
      .filter((svc) => matches(sm.spec.selector, svc.metadata.labels))
      .map((svc) => {
        for (const e of sm.spec.endpoints) expect(svc.spec.ports.map((p) => p.name)).toContain(e.port);
        return svc.metadata.name;
      });
    expect(scraped.sort()).toEqual(SERVICES.map((s) => s.name).sort());
    expect(sm.spec.endpoints.map((e) => e.path)).toEqual(['/metrics']);
    // ... and those pods serve /metrics on that port (the prometheus.io annotations say so too).
    for (const s of SERVICES) {
      const d = find(objs, 'Deployment', s.name) as unknown as {
        spec: { template: { metadata: { annotations: Record<string, string> } } };
      };
      expect(d.spec.template.metadata.annotations).toMatchObject({
        'prometheus.io/port': String(s.defaultPort),
        'prometheus.io/path': '/metrics',
      });
    }

    // NATS: an exporter next to every server, reading the server's monitoring port, on a port named metrics.
    const sts = find(objs, 'StatefulSet', 'nats') as unknown as Workload & {
      spec: { template: { metadata: { labels: Record<string, string> } } };
    };
    const exporter = podSpec(sts).containers.find((c) => c.name === 'metrics') as Container & {
      args: string[];
      ports: { name: string; containerPort: number }[];
    };
    expect(exporter.image).toMatch(/^natsio\/prometheus-nats-exporter:\d+\.\d+\.\d+$/);
    expect(exporter.args).toEqual(expect.arrayContaining(['-jsz=all', '-varz', '-connz', '-healthz']));
    expect(exporter.args.at(-1)).toBe('http://localhost:8222');
    expect(exporter.ports).toEqual([expect.objectContaining({ name: 'metrics', containerPort: 7777 })]);
    const natsPm = find(objs, 'PodMonitor', 'nats') as unknown as {
      spec: { selector: Selector; podMetricsEndpoints: { port: string }[] };
    };
    expect(matches(natsPm.spec.selector, sts.spec.template.metadata.labels)).toBe(true);
    expect(natsPm.spec.podMetricsEndpoints.map((e) => e.port)).toEqual(['metrics']);
    // The default-deny policy would drop the scrape: a policy lets port 7777 in.
    const open = all(objs, 'NetworkPolicy').filter((p) => {
      const spec = (
        p as unknown as { spec: { podSelector: Selector; ingress?: { ports?: { port: unknown }[] }[] } }
      ).spec;
      return (
        matches(spec.podSelector, sts.spec.template.metadata.labels) &&
        (spec.ingress ?? []).some((r) => (r.ports ?? []).some((x) => x.port === 7777))
      );
    });
    expect(open.map((p) => p.metadata.name)).toEqual(['nats-metrics']);

    // Postgres: CloudNativePG makes the PodMonitor of the Cluster.
    const pg = find(objs, 'Cluster', 'kkb-postgres') as unknown as { spec: { monitoring: object } };
    expect(pg.spec.monitoring).toEqual({ enablePodMonitor: true });

    // The rules, and every dashboard of deploy/monitoring/dashboards as a ConfigMap for Grafana's sidecar.
    expect(all(objs, 'PrometheusRule')).toHaveLength(1);
    const dashboards = all(objs, 'ConfigMap').filter(
      (c) => c.metadata.labels?.grafana_dashboard === '1',
    ) as unknown as {
      data: Record<string, string>;
    }[];
    const shipped = Object.fromEntries(dashboards.flatMap((c) => Object.entries(c.data)));
    const files = readdirSync(deployPath('monitoring', 'dashboards')).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(7);
    expect(Object.keys(shipped).sort()).toEqual(files.sort());
    for (const f of files) {
      expect(shipped[f]).toBe(readFileSync(deployPath('monitoring', 'dashboards', f), 'utf8'));
    }
  });

  it('should keep the promises of the overlay', () => {
    const data = configData();
    const images = objs
      .filter((o) => o.kind === 'Deployment')
      .flatMap((d) => [...(podSpec(d).initContainers ?? []), ...podSpec(d).containers].map((c) => c.image));
    if (overlay === 'dev') {
      expect(data.NATS_STREAM_REPLICAS).toBe('1');
      expect(new Set(images)).toEqual(new Set(['kampung-kb:dev']));
      expect(find(objs, 'StatefulSet', 'postgres')).toBeDefined();
      expect(
        all(objs, 'Secret')
          .map((s) => s.metadata.name)
          .sort(),
      ).toEqual(['kkb-database', 'kkb-jwt', 'kkb-nats', 'kkb-notifications', 'kkb-postgres-superuser']);
    } else {
      expect(data.NATS_STREAM_REPLICAS).toBe('3');
      expect(images.every((i) => /^[^:]+\/[^:]+:\d+\.\d+\.\d+$/.test(i))).toBe(true);
      // No Secret in the output (an apply never overwrites the real ones), no placeholder.
      expect(all(objs, 'Secret')).toEqual([]);
      expect(JSON.stringify(objs)).not.toContain('PLACEHOLDER');
      const pg = find(objs, 'Cluster', 'kkb-postgres') as unknown as { spec: { instances: number } };
      expect(pg.spec.instances).toBe(3);
      expect(data.DATABASE_HOST).toBe('kkb-postgres-rw');
      expect(data.DATABASE_URL_OPTIONS).toContain('sslmode=verify-full');
    }
  });
});

describe('Kubernetes manifests: backups (production) and the restore overlay', () => {
  type Plugin = { name: string; isWALArchiver?: boolean; parameters: Record<string, string> };
  interface CnpgCluster extends K8sObject {
    spec: {
      plugins?: Plugin[];
      bootstrap: {
        initdb?: object;
        recovery?: { source: string; database?: string; recoveryTarget?: { targetTime?: string } };
      };
      externalClusters?: { name: string; plugin?: Plugin }[];
      inheritedMetadata?: { labels?: Record<string, string> };
      postgresql?: { parameters?: Record<string, string> };
      storage: { size: string };
    };
  }
  const PLUGIN = 'barman-cloud.cloudnative-pg.io';
  let production: K8sObject[];
  let restore: K8sObject[];
  beforeAll(() => {
    production = kustomize(deployPath('k8s', 'overlays', 'production'));
    restore = kustomize(deployPath('k8s', 'overlays', 'restore'));
  });

  it('should catch what the backup schemas are meant to catch', () => {
    const sb = { apiVersion: 'postgresql.cnpg.io/v1', kind: 'ScheduledBackup', metadata: { name: 'x' } };
    const spec = { cluster: { name: 'c' }, method: 'plugin', pluginConfiguration: { name: PLUGIN } };
    expect(schemaProblems({ ...sb, spec: { ...spec, schedule: '0 0 19 * * *' } })).toEqual([]);
    // Five fields is a cron line the operator reads differently (seconds first).
    expect(schemaProblems({ ...sb, spec: { ...spec, schedule: '0 19 * * *' } })).toEqual([
      expect.stringContaining('/spec/schedule must match pattern'),
    ]);
    expect(
      schemaProblems({ ...sb, spec: { ...spec, pluginConfiguration: undefined, schedule: '0 0 19 * * *' } }),
    ).not.toEqual([]);
    const store = { apiVersion: 'barmancloud.cnpg.io/v1', kind: 'ObjectStore', metadata: { name: 'x' } };
    const creds = { accessKeyId: { name: 's', key: 'a' }, secretAccessKey: { name: 's', key: 'b' } };
    expect(
      schemaProblems({
        ...store,
        spec: { configuration: { destinationPath: 's3://b/p', s3Credentials: creds } },
      }),
    ).toEqual([]);
    // serverName belongs in the Cluster's plugin parameters, not in the store.
    expect(
      schemaProblems({
        ...store,
        spec: { configuration: { destinationPath: 's3://b/p', serverName: 'x', s3Credentials: creds } },
      }),
    ).toEqual(expect.arrayContaining([expect.stringContaining('must NOT have additional properties')]));
    const cluster = { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'x' } };
    expect(
      schemaProblems({
        ...cluster,
        spec: {
          instances: 1,
          storage: { size: '1Gi' },
          bootstrap: { initdb: {}, recovery: { source: 'a' } },
        },
      }),
    ).toEqual([expect.stringContaining('must NOT have more than 1 properties')]);
  });

  it('should archive every WAL segment of kkb-postgres and back it up nightly into the ObjectStore, with a retention', () => {
    const store = find(production, 'ObjectStore', 'kkb-backups') as unknown as {
      metadata: { namespace: string };
      spec: { retentionPolicy: string; configuration: { destinationPath: string; s3Credentials: object } };
    };
    expect(store.metadata.namespace).toBe('kampung-kb');
    expect(store.spec.retentionPolicy).toBe('30d');
    expect(store.spec.configuration.s3Credentials).toEqual({
      accessKeyId: { name: 'kkb-backup-s3', key: 'ACCESS_KEY_ID' },
      secretAccessKey: { name: 'kkb-backup-s3', key: 'ACCESS_SECRET_KEY' },
    });
    const pg = find(production, 'Cluster', 'kkb-postgres') as CnpgCluster;
    expect(pg.spec.plugins).toEqual([
      {
        name: PLUGIN,
        isWALArchiver: true,
        parameters: { barmanObjectName: 'kkb-backups', serverName: 'kkb-postgres' },
      },
    ]);
    const scheduled = all(production, 'ScheduledBackup') as unknown as {
      spec: Record<string, unknown> & { schedule: string };
    }[];
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0].spec).toMatchObject({
      cluster: { name: 'kkb-postgres' },
      method: 'plugin',
      pluginConfiguration: { name: PLUGIN },
      backupOwnerReference: 'self',
      immediate: true,
    });
    // Daily: seconds, minutes, hours fixed; every day of every month.
    expect(scheduled[0].spec.schedule).toMatch(/^\d+ \d+ \d+ \* \* \*$/);
    // Still no Secret in the production output: kkb-backup-s3 is made by hand.
    expect(all(production, 'Secret')).toEqual([]);
  });

  it('should render a restore overlay: a new Cluster recovered from the backups of kkb-postgres to a point in time', () => {
    expect(restore.flatMap(schemaProblems)).toEqual([]);
    expect(restore.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Cluster/kkb-postgres-restore',
      'NetworkPolicy/kkb-postgres-restore',
    ]);
    for (const o of restore) expect(o.metadata.namespace).toBe('kampung-kb');
    const original = find(production, 'Cluster', 'kkb-postgres') as CnpgCluster;
    const restored = find(restore, 'Cluster', 'kkb-postgres-restore') as CnpgCluster;
    const recovery = restored.spec.bootstrap.recovery!;
    expect(restored.spec.bootstrap.initdb).toBeUndefined();
    // The time to set by hand: a placeholder the operator refuses, never a plausible time.
    expect(recovery.recoveryTarget?.targetTime).toBe('SET-ME');
    // It reads where production archives ...
    const source = restored.spec.externalClusters?.find((c) => c.name === recovery.source);
    const archiver = original.spec.plugins!.find((p) => p.isWALArchiver)!;
    expect(source?.plugin).toEqual({ name: PLUGIN, parameters: archiver.parameters });
    // ... and archives under a folder of its own, never into the one it restores from.
    const own = restored.spec.plugins!.find((p) => p.isWALArchiver)!;
    expect(own.parameters.barmanObjectName).toBe(archiver.parameters.barmanObjectName);
    expect(own.parameters.serverName).not.toBe(archiver.parameters.serverName);
    // The services may reach it (their egress policy), sized and tuned like the original.
    expect(restored.spec.inheritedMetadata?.labels).toMatchObject({ 'kampung-kb/postgres': 'true' });
    expect(restored.spec.postgresql?.parameters).toEqual(original.spec.postgresql?.parameters);
    expect(restored.spec.storage).toEqual(original.spec.storage);
  });
});
