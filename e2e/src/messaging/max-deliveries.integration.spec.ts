import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { eventually, startTestService, TestRun, type TestService } from '@kkb/testing';
import {
  dlqStreamName,
  JetStreamTransport,
  NatsConnectionService,
  streamName,
  type DeadLetter,
} from '@kkb/messaging';
import { consumerDef, producerDef, TestProducer } from './messaging.fixtures';

/**
 * A message whose deliveries all end without an outcome (the process dies in the handler each
 * time, or outlives the ack wait) never reaches the consumer's own dead-letter path: JetStream
 * gives up after max_deliver and only says so in an advisory. Here a raw client plays the dying
 * handler (it takes each delivery and never answers) while the service watches the advisories.
 */
describe(`${JetStreamTransport.name}: max_deliver reached without an outcome`, () => {
  const run = new TestRun();
  let producer: TestService;
  let consumer: TestService;

  beforeAll(async () => {
    producer = await startTestService(run, producerDef, {
      messaging: { outbox: { enabled: true, batchSize: 64, pollMs: 200, retentionHours: 1 } },
    });
    // The service owns the durable (max_deliver 2, ack wait 1 s) but does not consume from it.
    consumer = await startTestService(run, consumerDef, {
      messaging: { maxDeliver: 2, ackWaitMs: 1000, backoffMs: [50], consumersEnabled: false },
    });
  });

  afterAll(async () => {
    await consumer?.close();
    await producer?.close();
    await run.cleanup();
  });

  const deadLetters = async (): Promise<DeadLetter[]> => {
    const jsm = producer.app.get(NatsConnectionService).jsm;
    const stream = dlqStreamName(run.streamPrefix);
    const info = await jsm.streams.info(stream).catch(() => null);
    const out: DeadLetter[] = [];
    for (
      let seq = info?.state.first_seq ?? 1;
      info && info.state.messages && seq <= info.state.last_seq;
      seq++
    ) {
      const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (m) out.push(m.json<DeadLetter>());
    }
    return out;
  };

  /** Takes every delivery of the durable for `ms` and never acks: a handler that always dies. */
  const dieOnEveryDelivery = async (ms: number): Promise<number> => {
    const js = consumer.app.get(NatsConnectionService).js;
    const durable = await js.consumers.get(streamName(run.streamPrefix, 'registry'), 'survey-test-kampung');
    let deliveries = 0;
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const m = await durable.next({ expires: 1000 });
      if (m) deliveries++;
    }
    return deliveries;
  };

  it('should dead-letter the message, and not one whose handling committed before the process died', async () => {
    const crashing = await producer.app.get(TestProducer).register('crashing');
    const committed = await producer.app.get(TestProducer).register('committed-then-died');
    // The second one was handled (its inbox row committed) but the process died before the ack.
    await consumer.app
      .get<DataSource>(getDataSourceToken())
      .query(`INSERT INTO "${run.schema('survey')}".inbox (consumer, event_id, type) VALUES ($1, $2, $3)`, [
        'survey-test-kampung',
        committed.id,
        committed.type,
      ]);

    // Two events, two deliveries each, then JetStream stops.
    expect(await dieOnEveryDelivery(4500)).toBe(4);

    const letters = await eventually(deadLetters, {
      until: (l) => l.length >= 1,
      timeoutMs: 15000,
      what: 'the dead letter of the crashing event',
    });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      consumer: 'survey-test-kampung',
      deliveryCount: 2,
      reason: expect.stringMatching(/^no outcome after 2 deliveries/),
    });
    expect(JSON.parse(letters[0].event)).toMatchObject({ id: crashing.id });
    // A moment later still only that one (the committed event is not a dead letter).
    await new Promise((r) => setTimeout(r, 1500));
    expect((await deadLetters()).map((l) => (JSON.parse(l.event) as { id: string }).id)).toEqual([
      crashing.id,
    ]);
  }, 60000);
});
