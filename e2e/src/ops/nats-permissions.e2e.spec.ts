/* eslint-disable @nx/enforce-module-boundaries */
import { randomUUID } from 'node:crypto';
import { getDataSourceToken } from '@nestjs/typeorm';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, errors, type NatsConnection } from '@nats-io/transport-node';
import { deadLetterSubject } from '@kkb/contracts';
import { dlqStreamName, ensureDurable, ensureStream, streamName, type ConsumerSpec } from '@kkb/messaging';
import { classificationService } from '../../../services/classification/src/service';
import { notificationsService } from '../../../services/notifications/src/service';
import { registryService } from '../../../services/registry/src/service';
import { surveyService } from '../../../services/survey/src/service';
import { eventually, Role, startTestService, TestRun } from '@kkb/testing';
import { NATS_USERS, startAuthNatsCluster, type AuthNatsCluster, type NatsUser } from './ops-support';

/**
 * deploy/nats/accounts.conf on a real 3-node JetStream cluster (nats-server from the machine, so
 * 2.9 here): each service can do exactly what libs/messaging does for it, with its consumers read
 * from services/*\/src/service.ts, and nothing that belongs to another service; the integrator
 * reads everything under kkb.> and publishes nothing.
 */

const ROOT = 'kkb';
const PREFIX = 'KKB';
const SERVICES = [registryService, surveyService, classificationService, notificationsService];
type Service = Exclude<NatsUser, 'integrator'>;

/** An event subject of `producer` that `filter` (below `kkb.<producer>.`) matches. */
function subjectIn(producer: string, filter = '>'): string {
  const fixed = filter
    .split('.')
    .filter((t) => t !== '>')
    .map((t) => (t === '*' ? 'x' : t));
  const tail = ['probe', 'checked', 'v1', '16'].slice(fixed.length);
  return [ROOT, producer, ...fixed, ...tail].join('.');
}

/** The permission violation behind an error (requests wrap it in a RequestError), or null. */
function violationOf(err: unknown): InstanceType<typeof errors.PermissionViolationError> | null {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e instanceof errors.PermissionViolationError) return e;
  }
  return null;
}

/** Expects `work` to fail because the server refused a publish (a JetStream API call or an ack). */
async function refused(work: Promise<unknown>, operation: 'publish' | 'subscription' = 'publish') {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect({ refused: violationOf(err)?.operation, error: String(err) }).toMatchObject({ refused: operation });
}

describe('NATS accounts and permissions (deploy/nats/accounts.conf)', () => {
  let cluster: AuthNatsCluster;
  const conns = {} as Record<NatsUser, NatsConnection>;
  const jsms = {} as Record<NatsUser, JetStreamManager>;
  /** Every permission error each connection was told about (core publishes fail only this way). */
  const violations = {} as Record<NatsUser, InstanceType<typeof errors.PermissionViolationError>[]>;

  const login = (user: NatsUser, pass = cluster.passwords[user]) =>
    connect({ servers: cluster.servers, user, pass, name: `kkb-test-${user}`, timeout: 5000 });

  /** Publishes on core NATS and waits for the server's verdict: true if it was refused. */
  async function corePublishRefused(user: NatsUser, subject: string): Promise<boolean> {
    const before = violations[user].length;
    conns[user].publish(subject, 'probe');
    await conns[user].flush();
    // The -ERR arrives before the PONG of the flush; give the status loop one more turn.
    await new Promise((r) => setTimeout(r, 50));
    return violations[user].slice(before).some((v) => v.operation === 'publish' && v.subject === subject);
  }

  /**
   * Subscribes as `user` and has the producers publish until every subject has arrived (or 15 s
   * passed): a new subscription takes a moment to reach the other servers of the cluster. Returns
   * the subjects received, sorted.
   */
  async function receivesLive(
    user: NatsUser,
    filter: string,
    sends: [NatsUser, string][],
  ): Promise<string[]> {
    const sub = conns[user].subscribe(filter);
    await conns[user].flush();
    const wanted = sends.map(([, subject]) => subject);
    const seen = new Set<string>();
    const complete = () => wanted.every((w) => seen.has(w));
    const reading = (async () => {
      for await (const m of sub) {
        seen.add(m.subject);
        if (complete()) return;
      }
    })();
    const deadline = Date.now() + 15000;
    while (!complete() && Date.now() < deadline) {
      for (const [from, subject] of sends) conns[from].publish(subject, 'live');
      await Promise.race([reading, new Promise((r) => setTimeout(r, 200))]);
    }
    if (!sub.isClosed()) sub.unsubscribe();
    return wanted.filter((w) => seen.has(w)).sort();
  }

  async function messages(stream: string): Promise<number> {
    return (await jsms.integrator.streams.info(stream)).state.messages;
  }

  beforeAll(async () => {
    cluster = await startAuthNatsCluster(3);
    for (const user of NATS_USERS) {
      conns[user] = await login(user);
      violations[user] = [];
      void (async () => {
        for await (const s of conns[user].status()) {
          if (s.type === 'error' && s.error instanceof errors.PermissionViolationError) {
            violations[user].push(s.error);
          }
        }
      })();
    }
    // As each service does at start (MessagingBootstrap, EventConsumerService.provision), with
    // the replicas of production.
    for (const def of SERVICES) {
      const user = def.name as Service;
      jsms[user] = await jetstreamManager(conns[user]);
      await ensureStream(jsms[user], {
        name: streamName(PREFIX, user),
        subjects: [`${ROOT}.${user}.>`],
        replicas: 3,
        maxAgeDays: 1,
        description: `Events published by the ${user} service`,
      });
      await ensureStream(jsms[user], {
        name: dlqStreamName(PREFIX),
        subjects: [`${ROOT}.dlq.>`],
        replicas: 3,
        maxAgeDays: 1,
        description: 'Dead letters',
      });
    }
    jsms.integrator = await jetstreamManager(conns.integrator);
  }, 90000);

  afterAll(async () => {
    for (const nc of Object.values(conns)) await nc?.close().catch(() => undefined);
    await cluster?.stop();
  });

  it('should refuse a connection without credentials or with a wrong password', async () => {
    await expect(connect({ servers: cluster.servers, timeout: 5000 })).rejects.toBeInstanceOf(
      errors.AuthorizationError,
    );
    await expect(login('survey', 'not-the-password')).rejects.toBeInstanceOf(errors.AuthorizationError);
    // One service's password is not another's.
    await expect(login('registry', cluster.passwords.survey)).rejects.toBeInstanceOf(
      errors.AuthorizationError,
    );
  });

  it.each(SERVICES.map((d) => [d.name, d.consumers] as [Service, ConsumerSpec[]]))(
    'should let %s provision and read its own durable consumers, publish its events and its dead letters',
    async (user, consumers) => {
      const jsm = jsms[user];
      const js = jetstream(conns[user]);
      const own = await js.publish(subjectIn(user), JSON.stringify({ id: randomUUID() }), {
        msgID: randomUUID(),
      });
      expect(own.stream).toBe(streamName(PREFIX, user));

      for (const spec of consumers) {
        const stream = streamName(PREFIX, spec.from);
        const durable = {
          stream,
          durable: spec.durable,
          filterSubject: `${ROOT}.${spec.from}.${spec.filter}`,
          maxDeliver: 8,
          ackWaitMs: 30000,
          maxAckPending: 1000,
          description: `${user}: test`,
        };
        // Creates the producer's stream if missing, as the library does, then the durable; the
        // second call goes through the update path (consumer info + create with a new setting).
        await ensureStream(jsm, {
          name: stream,
          subjects: [`${ROOT}.${spec.from}.>`],
          replicas: 3,
          maxAgeDays: 1,
          description: `Events published by the ${spec.from} service`,
        });
        await ensureDurable(jsm, durable);
        await ensureDurable(jsm, { ...durable, maxDeliver: 9 });
        expect((await jsm.consumers.info(stream, spec.durable)).config.max_deliver).toBe(9);

        // The producer publishes; this service reads it through its durable and acks it.
        const id = randomUUID();
        await jetstream(conns[spec.from as NatsUser]).publish(
          subjectIn(spec.from, spec.filter),
          JSON.stringify({ id }),
          {
            msgID: id,
          },
        );
        const consumer = await js.consumers.get(stream, spec.durable);
        // Until the message shows up: a replica of an R3 consumer may count it a moment later.
        let found = false;
        for (const deadline = Date.now() + 15000; !found && Date.now() < deadline;) {
          const pending = Math.max(1, (await consumer.info()).num_pending);
          for await (const m of await consumer.fetch({ max_messages: pending, expires: 2000 })) {
            if (m.string().includes(id)) found = true;
            expect(await m.ackAck()).toBe(true);
          }
        }
        expect(found).toBe(true);

        // Its dead letters go to KKB_DLQ.
        const dl = await js.publish(deadLetterSubject(user, spec.durable, ROOT), JSON.stringify({ id }));
        expect(dl.stream).toBe(dlqStreamName(PREFIX));
      }
    },
  );

  it("should refuse a service publishing another service's events or dead letters", async () => {
    const services = SERVICES.map((d) => d.name as Service);
    for (const user of services) {
      const js = jetstream(conns[user]);
      for (const other of services.filter((s) => s !== user)) {
        const stream = streamName(PREFIX, other);
        const before = await messages(stream);
        await refused(
          js.publish(subjectIn(other), JSON.stringify({ forged: user }), { msgID: randomUUID() }),
        );
        expect(await corePublishRefused(user, subjectIn(other))).toBe(true);
        expect(await corePublishRefused(user, deadLetterSubject(other, `${other}-x`, ROOT))).toBe(true);
        expect(await messages(stream)).toBe(before);
      }
      // Nor anything outside its subjects.
      expect(await corePublishRefused(user, 'other.subject')).toBe(true);
      expect(await corePublishRefused(user, `${ROOT}.dlq.${user}x.y`)).toBe(true);
    }
  });

  it('should let a service subscribe only to the events it consumes', async () => {
    const subscribeRefused = async (user: NatsUser, subject: string) => {
      const sub = conns[user].subscribe(subject);
      await conns[user].flush();
      const closed = await Promise.race([sub.closed, new Promise((r) => setTimeout(() => r('open'), 500))]);
      if (closed === 'open') sub.unsubscribe();
      return violationOf(closed)?.operation === 'subscription';
    };
    // What each consumes (libs/messaging pulls through _INBOX, but a live subscription is allowed).
    expect(await subscribeRefused('survey', `${ROOT}.registry.kampung.>`)).toBe(false);
    expect(await subscribeRefused('classification', `${ROOT}.survey.submission.verified.>`)).toBe(false);
    expect(await subscribeRefused('notifications', `${ROOT}.classification.>`)).toBe(false);
    // What they do not.
    expect(await subscribeRefused('registry', `${ROOT}.>`)).toBe(true);
    expect(await subscribeRefused('registry', `${ROOT}.survey.>`)).toBe(true);
    expect(await subscribeRefused('survey', `${ROOT}.classification.>`)).toBe(true);
    expect(await subscribeRefused('survey', `${ROOT}.registry.region.>`)).toBe(true);
    expect(await subscribeRefused('classification', `${ROOT}.registry.>`)).toBe(true);
    expect(await subscribeRefused('classification', `${ROOT}.dlq.>`)).toBe(true);
    expect(await subscribeRefused('notifications', `${ROOT}.notifications.>`)).toBe(true);
    expect(await subscribeRefused('notifications', `${ROOT}.dlq.>`)).toBe(true);

    // A live subscription of survey receives what registry publishes under kampung.>.
    const live = subjectIn('registry', 'kampung.>');
    expect(await receivesLive('survey', `${ROOT}.registry.kampung.>`, [['registry', live]])).toEqual([live]);
  });

  it('should let notifications ask a consuming service to replay a dead letter, and nobody else', async () => {
    // The national dead-letter API (notifications) sends the replay request; the service owning the
    // consumer answers it (libs/messaging/src/dead-letter-admin).
    const subject = `${ROOT}_admin.dlq.replay.survey`;
    const sub = conns.survey.subscribe(subject, { callback: (_err, m) => void m.respond('replayed') });
    await conns.survey.flush();
    const answer = await (async () => {
      const deadline = Date.now() + 15000;
      for (;;) {
        try {
          return (await conns.notifications.request(subject, 'seq 1', { timeout: 1000 })).string();
        } catch (err) {
          // The subscription takes a moment to reach the other servers of the cluster.
          if (Date.now() > deadline) throw err;
        }
      }
    })();
    sub.unsubscribe();
    expect(answer).toBe('replayed');
    expect(await corePublishRefused('notifications', subject)).toBe(false);
    expect(await corePublishRefused('integrator', subject)).toBe(true);
    expect(await corePublishRefused('registry', subject)).toBe(true);
    expect(await corePublishRefused('survey', `${ROOT}_admin.dlq.replay.classification`)).toBe(true);
    // A service answers for its own consumers only.
    const foreign = conns.survey.subscribe(`${ROOT}_admin.dlq.replay.classification`);
    await conns.survey.flush();
    const closed = await Promise.race([foreign.closed, new Promise((r) => setTimeout(() => r('open'), 500))]);
    if (closed === 'open') foreign.unsubscribe();
    expect(violationOf(closed)?.operation).toBe('subscription');
  });

  it('should keep a service away from streams and consumers that are not its own', async () => {
    // survey reads KKB_REGISTRY but may not delete, purge or re-point it, nor read other streams.
    await refused(jsms.survey.streams.delete(streamName(PREFIX, 'registry')));
    await refused(jsms.survey.streams.purge(streamName(PREFIX, 'registry')));
    await refused(jsms.survey.streams.info(streamName(PREFIX, 'classification')));
    // Nor create a consumer of its own choosing, or use another service's durable.
    await refused(
      jsms.survey.consumers.add(streamName(PREFIX, 'classification'), {
        durable_name: 'survey-sneak',
        ack_policy: AckPolicy.Explicit,
      }),
    );
    await refused(
      jsms.survey.consumers.add(streamName(PREFIX, 'registry'), {
        durable_name: 'survey-registry-kampung',
        ack_policy: AckPolicy.Explicit,
        filter_subject: `${ROOT}.registry.>`,
      }),
    );
    await refused(
      jetstream(conns.survey).consumers.get(
        streamName(PREFIX, 'registry'),
        'classification-registry-kampung',
      ),
    );
    await refused(jsms.survey.consumers.delete(streamName(PREFIX, 'registry'), 'survey-registry-kampung'));
    // registry reads nothing.
    await refused(
      jsms.registry.consumers.add(streamName(PREFIX, 'survey'), {
        durable_name: 'registry-sneak',
        ack_policy: AckPolicy.Explicit,
      }),
    );
    await refused(jsms.registry.streams.add({ name: 'KKB_OTHER', subjects: ['other.>'] }));
  });

  describe('integrator', () => {
    it('should publish nothing: no event, no dead letter, no stream change', async () => {
      const js = jetstream(conns.integrator);
      for (const producer of ['registry', 'survey', 'classification', 'notifications']) {
        const stream = streamName(PREFIX, producer);
        const before = await messages(stream);
        expect(await corePublishRefused('integrator', subjectIn(producer))).toBe(true);
        await refused(
          js.publish(subjectIn(producer), JSON.stringify({ forged: true }), { msgID: randomUUID() }),
        );
        expect(await messages(stream)).toBe(before);
      }
      expect(await corePublishRefused('integrator', deadLetterSubject('survey', 'x', ROOT))).toBe(true);
      expect(await corePublishRefused('integrator', 'anything.else')).toBe(true);
      const jsm = jsms.integrator;
      await refused(jsm.streams.add({ name: 'INTEGRATOR_COPY', subjects: ['copy.>'] }));
      await refused(jsm.streams.delete(streamName(PREFIX, 'registry')));
      await refused(jsm.streams.purge(streamName(PREFIX, 'survey')));
      await refused(jsm.streams.deleteMessage(streamName(PREFIX, 'survey'), 1));
      const info = await jsm.streams.info(streamName(PREFIX, 'registry'));
      await refused(jsm.streams.update(info.config.name, { ...info.config, max_msgs: 1 }));
    });

    it("should not create, read, ack or delete a service's durable consumer", async () => {
      const jsm = jsms.integrator;
      const registryStream = streamName(PREFIX, 'registry');
      await refused(jetstream(conns.integrator).consumers.get(registryStream, 'notifications-registry'));
      await refused(jsm.consumers.info(registryStream, 'survey-registry-kampung'));
      await refused(jsm.consumers.delete(registryStream, 'classification-registry-kampung'));
      await refused(
        jsm.consumers.add(registryStream, {
          durable_name: 'survey-registry-kampung',
          ack_policy: AckPolicy.Explicit,
          filter_subject: `${ROOT}.registry.kampung.>`,
        }),
      );
      await refused(
        jsm.consumers.update(streamName(PREFIX, 'survey'), 'classification-survey-submission', {
          max_deliver: 1,
        }),
      );
      await refused(
        conns.integrator.request(`$JS.API.CONSUMER.MSG.NEXT.${registryStream}.survey-registry-kampung`),
      );
      expect(
        await corePublishRefused('integrator', `$JS.ACK.${registryStream}.notifications-registry.1.1.1.1.0`),
      ).toBe(true);
    });

    it("should not read the notifications service's owner-private events (a subscription's failures and pauses)", async () => {
      const stream = streamName(PREFIX, 'notifications');
      const jsm = jsms.integrator;
      await refused(
        jsm.consumers.add(stream, { durable_name: 'integrator-peek', ack_policy: AckPolicy.Explicit }),
      );
      await refused(
        jsm.consumers.add(stream, {
          name: 'integrator-peek-filtered',
          ack_policy: AckPolicy.None,
          filter_subject: `${ROOT}.notifications.subscription.paused.v1.16`,
        }),
      );
      await refused(
        jetstream(conns.integrator)
          .consumers.get(stream)
          .then((c) => c.next({ expires: 2000 })),
      );
      await refused(jsm.streams.getMessage(stream, { seq: 1 }));
      // Live: the server refuses the subscription itself (and delivers nothing on it).
      const sub = conns.integrator.subscribe(`${ROOT}.notifications.>`);
      let got = 0;
      void (async () => {
        for await (const _ of sub) got++;
      })().catch(() => undefined);
      await conns.notifications.flush();
      conns.notifications.publish(subjectIn('notifications', 'subscription.paused.v1'), 'owner-private');
      await conns.notifications.flush();
      await conns.integrator.flush();
      await eventually(async () => violations.integrator.some((v) => v.operation === 'subscription'), {
        what: 'the subscription refused',
      });
      expect(got).toBe(0);
      sub.unsubscribe();
    });

    it('should read every other event under kkb.>: live, and through consumers of its own', async () => {
      // Live: one province of every producer.
      const registryEvent = subjectIn('registry', 'kampung.>');
      const surveyEvent = subjectIn('survey', 'submission.verified.>');
      expect(
        await receivesLive('integrator', `${ROOT}.*.*.*.*.16`, [
          ['registry', registryEvent],
          ['survey', surveyEvent],
        ]),
      ).toEqual([registryEvent, surveyEvent].sort());

      // Replay: a durable of its own on a stream, read and acked, then deleted.
      const jsm = jsms.integrator;
      const stream = streamName(PREFIX, 'registry');
      await jsm.consumers.add(stream, {
        durable_name: 'integrator-probe',
        ack_policy: AckPolicy.Explicit,
        filter_subject: `${ROOT}.registry.*.*.*.16`,
      });
      const consumer = await jetstream(conns.integrator).consumers.get(stream, 'integrator-probe');
      const batch = await consumer.fetch({ max_messages: 1, expires: 3000 });
      let read = 0;
      for await (const m of batch) {
        read++;
        expect(await m.ackAck()).toBe(true);
      }
      expect(read).toBe(1);
      await expect(jsm.consumers.delete(stream, 'integrator-probe')).resolves.toBe(true);

      // An ordered (ephemeral) consumer over a whole stream, and every stream's info.
      const ordered = await jetstream(conns.integrator).consumers.get(streamName(PREFIX, 'survey'));
      const first = await ordered.next({ expires: 3000 });
      expect(first?.subject.startsWith(`${ROOT}.survey.`)).toBe(true);
      for (const name of ['registry', 'survey', 'classification', 'notifications']) {
        expect((await jsm.streams.info(streamName(PREFIX, name))).config.subjects).toEqual([
          `${ROOT}.${name}.>`,
        ]);
      }
      expect((await jsm.streams.info(dlqStreamName(PREFIX))).state.messages).toBeGreaterThan(0);
    });
  });
  it('should run the real services with their own NATS users: a registration reaches the classification', async () => {
    const run = new TestRun();
    const env = (user: Service) => ({
      NATS_URL: cluster.url,
      NATS_USER: user,
      NATS_PASSWORD: cluster.passwords[user],
      NATS_STREAM_REPLICAS: '3',
      // The subjects and streams accounts.conf grants, on this test's own servers.
      EVENT_SUBJECT_ROOT: ROOT,
      EVENT_STREAM_PREFIX: PREFIX,
      REGIONS_AUTO_IMPORT: 'false',
    });
    const registry = await startTestService(run, registryService, { env: env('registry') });
    const classification = await startTestService(run, classificationService, { env: env('classification') });
    try {
      const ds = registry.app.get<{ query(sql: string): Promise<unknown> }>(getDataSourceToken());
      await ds.query(
        `INSERT INTO "${run.schema('registry')}".region (code, compact_code, name, search_name, level, kind, parent_code, source) VALUES
          ('16', '16', 'Sumatera Selatan', 'sumatera selatan', 1, 'provinsi', NULL, 'test'),
          ('16.10', '1610', 'Ogan Ilir', 'ogan ilir', 2, 'kabupaten', '16', 'test'),
          ('16.10.05', '161005', 'Pemulutan', 'pemulutan', 3, 'kecamatan', '16.10', 'test'),
          ('16.10.05.2041', '1610052041', 'Sembadak', 'sembadak', 4, 'desa', '16.10.05', 'test')`,
      );
      const res = await registry.request({
        method: 'POST',
        url: '/api/v1/kampung',
        payload: { villageCode: '16.10.05.2041', name: 'Kampung KB Seroja', launchDate: '2017-04-26' },
        token: run.token(Role.province, '16'),
      });
      expect(res.statusCode).toBe(201);
      const { id } = res.json() as { id: string };
      const seen = await eventually(
        () => classification.request({ method: 'GET', url: `/api/v1/projections/kampung/${id}` }),
        { until: (r) => r.statusCode === 200, timeoutMs: 30000, what: 'the kampung at classification' },
      );
      expect(seen.json()).toMatchObject({ name: 'Kampung KB Seroja' });
    } finally {
      await classification.close();
      await registry.close();
      await run.cleanup();
    }
  }, 120000);
});
