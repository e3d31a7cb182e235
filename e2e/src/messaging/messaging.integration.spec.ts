import { randomUUID } from 'node:crypto';
import { headers } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { subjectFor, type CloudEvent } from '@kkb/contracts';
import { eventually, startTestService, TestRun, type TestService } from '@kkb/testing';
import {
  dlqStreamName,
  JetStreamTransport,
  NatsConnectionService,
  OutboxRelayService,
  streamName,
  type DeadLetter,
} from '@kkb/messaging';
import {
  attempts,
  consumerDef,
  CountingHandler,
  intercepted,
  plans,
  producerDef,
  TestProducer,
} from './messaging.fixtures';

const FAST = { backoffMs: [50, 100, 200], maxDeliver: 3 };

describe(JetStreamTransport.name, () => {
  const run = new TestRun();
  let producer: TestService;
  let consumer: TestService | undefined;

  const handled = async (name: string): Promise<number | undefined> => {
    const ds = consumer!.app.get<DataSource>(getDataSourceToken());
    const rows = await ds.query(`SELECT n FROM "${run.schema('survey')}".handled WHERE name = $1`, [name]);
    return rows[0]?.n;
  };

  const deadLetters = async (): Promise<DeadLetter[]> => {
    const nats = producer.app.get(NatsConnectionService);
    const stream = dlqStreamName(run.streamPrefix);
    const info = await nats.jsm.streams.info(stream).catch(() => null);
    if (!info) return [];
    const out: DeadLetter[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages; seq++) {
      const m = await nats.jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (m) out.push(m.json<DeadLetter>());
    }
    return out;
  };

  const startConsumer = async () => {
    consumer = await startTestService(run, consumerDef, { messaging: FAST });
  };

  beforeAll(async () => {
    producer = await startTestService(run, producerDef, {
      // A poll of a minute: events reach the stream because the commit wakes the relay in-process.
      messaging: { outbox: { enabled: true, batchSize: 64, pollMs: 60_000, retentionHours: 1 } },
    });
  });

  afterAll(async () => {
    await consumer?.close();
    await producer?.close();
    await run.cleanup();
  });

  it('should deliver an event committed while the consumer was down once it starts', async () => {
    const ev = await producer.app.get(TestProducer).register('while-down');
    const nats = producer.app.get(NatsConnectionService);
    await eventually(
      async () => (await nats.jsm.streams.info(streamName(run.streamPrefix, 'registry'))).state.messages,
      {
        what: 'event published to the stream',
      },
    );
    expect(consumer).toBeUndefined();

    await startConsumer();

    expect(await eventually(() => handled('while-down'), { what: 'event handled after start' })).toBe(1);
    const inbox = await consumer!.app
      .get<DataSource>(getDataSourceToken())
      .query(`SELECT event_id FROM "${run.schema('survey')}".inbox WHERE event_id = $1`, [ev.id]);
    expect(inbox).toHaveLength(1);
  });

  it("should run the @EventPattern handler inside Nest's interceptors, with the event and its context", async () => {
    const ev = await producer.app.get(TestProducer).register('intercepted');
    expect(await eventually(() => handled('intercepted'), { what: 'event handled' })).toBe(1);
    expect(intercepted).toContainEqual({ id: ev.id, type: 'rpc', deliveryCount: 1 });
  });

  it('should change nothing twice when the same event is delivered again', async () => {
    const ev = await producer.app.get(TestProducer).register('redelivered');
    expect(await eventually(() => handled('redelivered'))).toBe(1);

    // Publish the very same CloudEvent under a new Nats-Msg-Id, as a redelivery would bring it.
    const js = producer.app.get(NatsConnectionService).js;
    await js.publish(subjectFor(ev.type, ev.province, run.subjectRoot), JSON.stringify(ev), {
      msgID: `${ev.id}-again`,
    });
    const marker = await producer.app.get(TestProducer).register('after-redelivery');
    await eventually(() => handled('after-redelivery'), { what: 'the next event handled' });

    expect(await handled('redelivered')).toBe(1);
    expect(attempts.get('redelivered')).toBe(1);
    expect(marker.id).not.toBe(ev.id);
  });

  it('should dead-letter a malformed event with its reason and go on with the next', async () => {
    const js = producer.app.get(NatsConnectionService).js;
    const subject = `${run.subjectRoot}.registry.kampung.registered.v1.16`;
    await js.publish(subject, 'this is not json', { msgID: 'malformed-1' });
    const good = await producer.app.get(TestProducer).register('template');
    const bad: CloudEvent<Record<string, unknown>> = {
      ...good,
      id: 'bad-village',
      data: { ...good.data, villageCode: '16.10' },
    };
    await js.publish(subject, JSON.stringify(bad), { msgID: 'bad-village' });
    await producer.app.get(TestProducer).register('after-malformed');

    expect(await eventually(() => handled('after-malformed'), { what: 'the event after the bad ones' })).toBe(
      1,
    );
    const letters = await eventually(deadLetters, { until: (l) => l.length >= 2, what: 'two dead letters' });
    const notJson = letters.find((l) => l.event === 'this is not json');
    expect(notJson?.reason).toMatch(/malformed JSON/);
    expect(notJson?.consumer).toBe('survey-test-kampung');
    const badVillage = letters.find((l) => l.event.includes('bad-village'));
    expect(badVillage?.reason).toBe('invalid event');
    expect(badVillage?.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'data.villageCode' })]),
    );
    expect(JSON.parse(badVillage!.event).id).toBe('bad-village');
  });

  it('should dead-letter at the first delivery, with its reason, an event the validator or Postgres cannot take', async () => {
    const js = producer.app.get(NatsConnectionService).js;
    const subject = `${run.subjectRoot}.registry.kampung.registered.v1.16`;
    const good = await producer.app.get(TestProducer).register('template-hostile');
    // A 20,000-deep array fits in 40 KB and overflowed class-transformer's stack; the consumer then
    // took the validator's crash for a failed dead-letter publish and redelivered it max_deliver times.
    const deep = `{"id":"deep-event","data":{"name":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
    await js.publish(subject, deep, { msgID: 'deep-event' });
    const nul = { ...good, id: 'nul-event', data: { ...good.data, name: 'Kampung\u0000KB' } };
    await js.publish(subject, JSON.stringify(nul), { msgID: 'nul-event' });
    // Near max_payload (1 MB here): its dead letter, with the letter's own fields, would not fit.
    const huge = { ...good, id: 'huge-event', data: { ...good.data, name: 'x'.repeat(1_000_000) } };
    await js.publish(subject, JSON.stringify(huge), { msgID: 'huge-event' });
    await producer.app.get(TestProducer).register('after-hostile');

    expect(
      await eventually(() => handled('after-hostile'), { what: 'the event after the hostile ones' }),
    ).toBe(1);
    const letters = await eventually(deadLetters, {
      until: (l) =>
        ['deep-event', 'nul-event', 'huge-event'].every((id) => l.some((x) => x.event.includes(id))),
      what: 'the three dead letters',
    });
    const letterOf = (id: string) => letters.find((l) => l.event.includes(`"id":"${id}"`))!;
    expect(letterOf('deep-event')).toMatchObject({
      reason: 'invalid event',
      deliveryCount: 1,
      problems: [
        { field: expect.stringMatching(/^data\.name\.0\.0/), reason: 'nested more than 32 levels deep' },
      ],
    });
    expect(letterOf('nul-event')).toMatchObject({
      reason: 'invalid event',
      deliveryCount: 1,
      problems: [{ field: 'data.name', reason: expect.stringMatching(/NUL character/) }],
    });
    const hugeLetter = letterOf('huge-event');
    expect(hugeLetter).toMatchObject({ deliveryCount: 1, eventTruncated: true });
    expect(hugeLetter.reason).toMatch(/invalid event/);
    expect(hugeLetter.event.length).toBeLessThan(300_000);
  });

  it('should retry a transient failure with backoff and count the effect once', async () => {
    plans.set('flaky', 'fail-twice');
    await producer.app.get(TestProducer).register('flaky');
    expect(await eventually(() => handled('flaky'), { what: 'flaky event handled' })).toBe(1);
    expect(attempts.get('flaky')).toBe(3);
  });

  it('should dead-letter an event after max_deliver attempts and a permanent failure at once', async () => {
    plans.set('hopeless', 'fail-always');
    plans.set('poison', 'permanent');
    await producer.app.get(TestProducer).register('hopeless');
    await producer.app.get(TestProducer).register('poison');
    await producer.app.get(TestProducer).register('after-hopeless');

    const letters = await eventually(deadLetters, {
      until: (l) =>
        l.some((x) => x.event.includes('"hopeless"')) && l.some((x) => x.event.includes('"poison"')),
      what: 'dead letters for hopeless and poison',
    });
    const hopeless = letters.find((l) => l.event.includes('"hopeless"'))!;
    expect(hopeless.reason).toMatch(/gave up after 3 attempts: transient failure/);
    expect(hopeless.deliveryCount).toBe(3);
    expect(attempts.get('hopeless')).toBe(3);
    const poison = letters.find((l) => l.event.includes('"poison"'))!;
    expect(poison.reason).toBe('kampung poison can never be handled');
    expect(attempts.get('poison')).toBe(1);
    // Nothing of the failed attempts was committed; the consumer went on.
    expect(await handled('hopeless')).toBeUndefined();
    expect(await eventually(() => handled('after-hopeless'))).toBe(1);
    const jsm = producer.app.get(NatsConnectionService).jsm;
    const info = await eventually(
      () => jsm.consumers.info(streamName(run.streamPrefix, 'registry'), 'survey-test-kampung'),
      {
        until: (i) => i.num_ack_pending === 0 && i.num_pending === 0,
        what: 'every message acked or terminated',
      },
    );
    expect(info.ack_floor.stream_seq).toBe(info.delivered.stream_seq);
  });

  it('should publish after a restart what committed before a crash between commit and publish', async () => {
    const relay = producer.app.get(OutboxRelayService);
    await relay.stop(); // the process "dies" after the commit, before the relay publishes
    const ev = await producer.app.get(TestProducer).register('crash-window');
    await new Promise((r) => setTimeout(r, 500));
    const ds = producer.app.get<DataSource>(getDataSourceToken());
    const [row] = await ds.query(
      `SELECT published_at FROM "${run.schema('registry')}".outbox WHERE id = $1`,
      [ev.id],
    );
    expect(row.published_at).toBeNull();
    expect(await handled('crash-window')).toBeUndefined();

    await producer.close();
    producer = await startTestService(run, producerDef, {
      // A poll of a minute: the relay's first drain at start publishes what committed before.
      messaging: { outbox: { enabled: true, batchSize: 64, pollMs: 60_000, retentionHours: 1 } },
    });

    expect(
      await eventually(() => handled('crash-window'), { what: 'event published by the restarted relay' }),
    ).toBe(1);
    const ds2 = producer.app.get<DataSource>(getDataSourceToken());
    const [after] = await ds2.query(
      `SELECT published_at FROM "${run.schema('registry')}".outbox WHERE id = $1`,
      [ev.id],
    );
    expect(after.published_at).not.toBeNull();
  });

  it('should keep a row whose publish failed unpublished, with its error, and publish the rest of its batch', async () => {
    const ds = producer.app.get<DataSource>(getDataSourceToken());
    const schema = run.schema('registry');
    const relay = producer.app.get(OutboxRelayService);
    await relay.stop();
    const good = await producer.app.get(TestProducer).register('beside-a-failure');
    // A subject no stream takes: JetStream answers the publish with an error.
    const stray = randomUUID();
    await ds.query(
      `INSERT INTO "${schema}".outbox (id, subject, type, payload) VALUES ($1, $2, $3, $4::jsonb)`,
      [
        stray,
        `${run.subjectRoot}-nowhere.x`,
        'kkb.registry.kampung.registered.v1',
        JSON.stringify({ id: stray }),
      ],
    );
    await relay.start();
    expect(await eventually(() => handled('beside-a-failure'), { what: 'the good row published' })).toBe(1);
    const [row] = await eventually(
      () =>
        ds.query(`SELECT published_at, attempts, last_error FROM "${schema}".outbox WHERE id = $1`, [stray]),
      {
        until: (r: { attempts: number; published_at: Date | null; last_error: string | null }[]) =>
          r[0]?.attempts >= 1,
        what: 'the failed attempt recorded',
      },
    );
    expect(row.published_at).toBeNull();
    expect(row.last_error).toBeTruthy();
    const [ok] = await ds.query(`SELECT published_at FROM "${schema}".outbox WHERE id = $1`, [good.id]);
    expect(ok.published_at).not.toBeNull();
    await ds.query(`DELETE FROM "${schema}".outbox WHERE id = $1`, [stray]);
  });

  it('should not republish an outbox row twice to the stream (Nats-Msg-Id dedupe)', async () => {
    const ev = await producer.app.get(TestProducer).register('dedupe');
    await eventually(() => handled('dedupe'));
    const js = producer.app.get(NatsConnectionService).js;
    const h = headers();
    const ack = await js.publish(subjectFor(ev.type, ev.province, run.subjectRoot), JSON.stringify(ev), {
      msgID: ev.id,
      headers: h,
    });
    expect(ack.duplicate).toBe(true);
  });

  it('should expose consumer lag and outbox backlog as metrics', async () => {
    const res = await consumer!.request({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/kkb_consumer_lag\{consumer="survey-test-kampung",state="pending"\} 0/);
    expect(res.body).toMatch(
      /kkb_events_consumed_total\{consumer="survey-test-kampung",type="kkb.registry.kampung.registered.v1",outcome="duplicate"\} 1/,
    );
    const prod = await producer.request({ method: 'GET', url: '/metrics' });
    expect(prod.body).toMatch(/kkb_outbox_backlog 0/);
    expect(consumer!.app.get(CountingHandler)).toBeDefined();
  });

  it('should handle a backlog in batches, each one transaction, and still retry or dead-letter an event alone', async () => {
    const transport = consumer!.app.get(JetStreamTransport);
    await transport.stopAll();
    plans.set('batch-poison', 'permanent');
    plans.set('batch-flaky', 'fail-twice');
    const names = Array.from({ length: 40 }, (_, i) => `batch-${i}`);
    names.splice(10, 0, 'batch-poison');
    names.splice(25, 0, 'batch-flaky');
    const events: CloudEvent<{ name: string }>[] = [];
    for (const name of names) events.push(await producer.app.get(TestProducer).register(name));
    // The same event once more, as a redelivery would bring it, inside the backlog.
    const js = producer.app.get(NatsConnectionService).js;
    await js.publish(
      subjectFor(events[3].type, events[3].province, run.subjectRoot),
      JSON.stringify(events[3]),
      {
        msgID: `${events[3].id}-again`,
      },
    );
    const nats = producer.app.get(NatsConnectionService);
    await eventually(
      async () =>
        (await nats.jsm.consumers.info(streamName(run.streamPrefix, 'registry'), 'survey-test-kampung'))
          .num_pending,
      { until: (n) => n === names.length + 1, what: 'the whole backlog in the stream' },
    );

    transport.startAll();

    const good = names.filter((n) => n !== 'batch-poison');
    for (const name of good) expect(await eventually(() => handled(name), { what: name })).toBe(1);
    expect(attempts.get('batch-flaky')).toBe(3);
    expect(attempts.get('batch-poison')).toBe(1);
    expect(await handled('batch-poison')).toBeUndefined();
    const letters = await eventually(deadLetters, {
      until: (l) => l.some((x) => x.event.includes('"batch-poison"')),
      what: 'the poison event dead-lettered',
    });
    expect(letters.find((x) => x.event.includes('"batch-poison"'))?.reason).toBe(
      'kampung batch-poison can never be handled',
    );
    // An event rolled back with a failing neighbour runs again in the next batch: its effect (the
    // counted row above) and its inbox row still commit once, the redelivered copy included.
    // handled_at is the transaction's start: events that share it committed together.
    const ds = consumer!.app.get<DataSource>(getDataSourceToken());
    const ids = events.filter((e) => e.data.name !== 'batch-poison').map((e) => e.id);
    const [{ rows, transactions }] = await ds.query(
      `SELECT count(*)::int AS rows, count(DISTINCT handled_at)::int AS transactions
         FROM "${run.schema('survey')}".inbox WHERE event_id = ANY($1)`,
      [ids],
    );
    expect(rows).toBe(good.length);
    expect(transactions).toBeLessThanOrEqual(good.length / 4);
  });
});
