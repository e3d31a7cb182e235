import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getDataSourceToken } from '@nestjs/typeorm';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import { mintToken, type Role } from '@kkb/auth';
import { provinceOf, subjectFor, type CloudEvent } from '@kkb/contracts';
import { startTestService, TEST_JWT_SECRET, type TestRun, type TestService } from '@kkb/testing';
import type { NotificationsConfig } from '../src/config/notifications.config';
import { notificationsService } from '../src/service';

export interface ReceivedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The client's end of the connection it came on (address:port). */
  socket: string;
}

/** What an endpoint answers to its n-th request (1-based): a status, or 'hang' (never answers). */
export type Behaviour = (n: number) => number | 'hang';

/** A local webhook receiver: one behaviour per path, every request recorded. */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly counts = new Map<string, number>();
  private readonly hanging = new Set<http.ServerResponse>();
  private server?: http.Server;
  private port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.requests.push({
          path,
          headers: req.headers as Record<string, string>,
          body: Buffer.concat(chunks).toString(),
          socket: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
        });
        const n = (this.counts.get(path) ?? 0) + 1;
        this.counts.set(path, n);
        const answer = (this.behaviours.get(path) ?? (() => 200))(n);
        if (answer === 'hang') {
          this.hanging.add(res);
          res.on('close', () => this.hanging.delete(res));
          return;
        }
        res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'nope');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  on(path: string, behaviour: Behaviour): string {
    this.behaviours.set(path, behaviour);
    return this.url(path);
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  to(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Requests to `path` still waiting for an answer. */
  hangingAt(path: string): number {
    return [...this.hanging].filter((r) => r.req.url === path).length;
  }

  async close(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}

export interface Notifications {
  svc: TestService<NotificationsConfig>;
  ds: DataSource;
  schema: string;
  nc: NatsConnection;
  js: JetStreamClient;
  close(): Promise<void>;
}

/** Short retries and a local receiver allowed: what most tests want. */
export const FAST_ENV = {
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  WEBHOOK_RETRY_SCHEDULE_MS: '150,300',
  WEBHOOK_RETRY_JITTER: '0.5',
  WEBHOOK_TIMEOUT_MS: '1500',
  WEBHOOK_PAUSE_AFTER_FAILURES: '5',
  WEBHOOK_POLL_MS: '100',
  WEBHOOK_ENDPOINT_CONCURRENCY: '2',
};

export async function startNotifications(
  run: TestRun,
  env: Record<string, string> = FAST_ENV,
): Promise<Notifications> {
  const svc = await startTestService(run, notificationsService, { env });
  const ds = svc.app.get<DataSource>(getDataSourceToken());
  const nc = await connect({ servers: run.natsUrl.split(',') });
  return {
    svc,
    ds,
    schema: run.schema('notifications'),
    nc,
    js: jetstream(nc),
    close: async () => {
      await svc.close();
      await nc.close();
    },
  };
}

export function tokenFor(role: Role, scope: string, sub: string): string {
  return mintToken({ role, scope, sub, secret: TEST_JWT_SECRET });
}

export function cloudEvent<T extends object>(
  type: string,
  data: T & { villageCode?: string },
  opts: { id?: string; province?: string; subject?: string; time?: string } = {},
): CloudEvent<T> {
  const producer = type.split('.')[1];
  return {
    specversion: '1.0',
    id: opts.id ?? randomUUID(),
    source: `/kkb/${producer}`,
    type,
    subject: opts.subject ?? `kampung/${(data as { kampungId?: string }).kampungId ?? randomUUID()}`,
    time: opts.time ?? new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
    correlationid: randomUUID(),
    province: opts.province ?? provinceOf(data.villageCode),
  };
}

export const kampungRegistered = (villageCode: string, name = `Kampung KB ${villageCode}`) =>
  cloudEvent('kkb.registry.kampung.registered.v1', {
    kampungId: randomUUID(),
    villageCode,
    name,
    launchDate: '2022-03-14',
    active: true,
    modelRegency: false,
    modelProvince: false,
    version: 1,
  });

const submissionRef = (villageCode: string) => ({
  submissionId: randomUUID(),
  kampungId: randomUUID(),
  villageCode,
  instrumentCode: 'monthly-report',
  instrumentVersion: 1,
  kind: 'monthly-report',
  period: { year: 2025, month: 3 },
});

export const submissionRejected = (villageCode: string) =>
  cloudEvent('kkb.survey.submission.rejected.v1', {
    ...submissionRef(villageCode),
    rejectedAt: '2025-04-05T03:00:00.000Z',
    rejectedBy: 'verifier-16',
    reason: 'Participant counts exceed the target families',
  });

export const reportOverdue = (villageCode: string) =>
  cloudEvent('kkb.survey.report.overdue.v1', {
    kampungId: randomUUID(),
    villageCode,
    period: { year: 2025, month: 3 },
    dueDate: '2025-04-03',
    detectedAt: '2025-04-04T00:01:00.000Z',
  });

export const kampungClassified = (villageCode: string, changed: boolean) =>
  cloudEvent('kkb.classification.kampung.classified.v1', {
    kampungId: randomUUID(),
    villageCode,
    evaluationId: randomUUID(),
    ruleSetVersion: 1,
    level: changed ? 'berkembang' : 'dasar',
    ...(changed ? { previousLevel: 'dasar' } : {}),
    changed,
    indices: { input: 3.2, process: 2.75, output: 2 },
    evaluatedAt: '2025-04-06T00:00:00.000Z',
    trigger: 'submission',
  });

/** Publishes as the producing service's relay would: subject with the run's root, Nats-Msg-Id. */
export async function publish(
  n: Notifications,
  run: TestRun,
  event: CloudEvent<object>,
  msgId = event.id,
): Promise<void> {
  await n.js.publish(subjectFor(event.type, event.province, run.subjectRoot), JSON.stringify(event), {
    msgID: msgId,
  });
}
