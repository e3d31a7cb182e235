/* eslint-disable @nx/enforce-module-boundaries */
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import {
  eventually,
  Role,
  startNatsCluster,
  startTestService,
  TestRun,
  type NatsCluster,
  type TestService,
} from '@kkb/testing';
import { NatsConnectionService, streamName } from '@kkb/messaging';
import { notificationsService } from '../../services/notifications/src/service';
import { RegionImportService } from '../../services/registry/src/region/region-import.service';
import { IdnAreaDataSource } from '../../services/registry/src/region/region-source';
import { registryService } from '../../services/registry/src/service';

/**
 * The platform on a 3-node JetStream cluster with streams of 3 replicas: the server leading the
 * registry stream is killed during a steady stream of registrations and later brought back.
 * Every registration is accepted and every event reaches the consumer, once.
 */
describe('3-node NATS cluster', () => {
  const run = new TestRun();
  let cluster: NatsCluster;
  let registry: TestService;
  let notifications: TestService;

  beforeAll(async () => {
    cluster = await startNatsCluster();
    await cluster.ready();
    const env = { NATS_URL: cluster.url, NATS_STREAM_REPLICAS: '3' };
    registry = await startTestService(run, registryService, { env });
    notifications = await startTestService(run, notificationsService, { env });
    await registry.app
      .get(RegionImportService)
      .import(new IdnAreaDataSource((code) => code === '16' || code.startsWith('16.10')));
  }, 120000);

  afterAll(async () => {
    await notifications?.close();
    await registry?.close();
    await cluster?.stop();
    await run.cleanup();
  });

  it('should accept every registration and deliver every event while the stream leader dies and comes back', async () => {
    const ds = registry.app.get<DataSource>(getDataSourceToken());
    const villages: { code: string }[] = await ds.query(
      `SELECT code FROM "${run.schema('registry')}".region WHERE level = 4 ORDER BY code LIMIT 60`,
    );
    const jsm = registry.app.get(NatsConnectionService).jsm;
    const stream = streamName(run.streamPrefix, 'registry');
    expect((await jsm.streams.info(stream)).config.num_replicas).toBe(3);

    const statuses: number[] = [];
    let killed = '';
    for (const [i, v] of villages.entries()) {
      if (i === 20) {
        killed = (await jsm.streams.info(stream)).cluster?.leader ?? 'n1';
        await cluster.kill(killed);
      }
      if (i === 45) cluster.restart(killed);
      const res = await registry.request({
        method: 'POST',
        url: '/api/v1/kampung',
        payload: { villageCode: v.code, name: `Kampung KB ${i}`, launchDate: '2020-01-01' },
        token: run.token(Role.province, '16'),
      });
      statuses.push(res.statusCode);
    }
    expect(statuses.every((s) => s === 201)).toBe(true);
    expect(killed).toMatch(/^n[123]$/);

    const nds = notifications.app.get<DataSource>(getDataSourceToken());
    const received = await eventually(
      async () =>
        (
          await nds.query(
            `SELECT count(*)::int AS n FROM "${run.schema('notifications')}".received_event WHERE type = 'kkb.registry.kampung.registered.v1'`,
          )
        )[0].n,
      {
        until: (n: number) => n >= villages.length,
        timeoutMs: 90000,
        intervalMs: 500,
        what: 'every event received',
      },
    );
    expect(received).toBe(villages.length);
    const [{ left }] = await ds.query(
      `SELECT count(*)::int AS left FROM "${run.schema('registry')}".outbox WHERE published_at IS NULL`,
    );
    expect(left).toBe(0);
    await cluster.ready(60000);
    const info = await jsm.streams.info(stream);
    expect(info.state.messages).toBe(villages.length + 1); // + the regions-imported event
  }, 240000);
});
