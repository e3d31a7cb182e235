import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { deadLetterSubject, kampungRegisteredV1 } from '@kkb/contracts';
import {
  dlqStreamName,
  NatsConnectionService,
  streamName,
  type DeadLetterDetail,
  type DeadLetterSummary,
  type ReplayResult,
} from '@kkb/messaging';
import { eventually, Role, startTestService, TestRun, type TestService } from '@kkb/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { notificationsService } from '../../../services/notifications/src/service';
import { consumerDef, intercepted, plans, producerDef, TestProducer } from './messaging.fixtures';

const CONSUMER = 'survey-test-kampung';
const FAST = { backoffMs: [50, 100, 200], maxDeliver: 3 };

/**
 * Dead letters as a tool, end to end: a test producer, a test consumer (service `survey`, durable
 * survey-test-kampung, whose handler refuses a kampung while its plan says 'permanent') and the
 * real notifications service serving /api/v1/dead-letters. A replay is carried out by the
 * consumer's service through its own EventDelivery and inbox.
 */
describe('dead-letter admin API (notifications) and replay through the consumer', () => {
  const run = new TestRun();
  let producer: TestService;
  let consumer: TestService;
  let admin: TestService;

  const api = (method: string, url: string, payload?: unknown, token?: string) =>
    admin.request({ method, url: `/api/v1/dead-letters${url}`, payload, token });

  const handled = async (name: string): Promise<number | undefined> => {
    const ds = consumer.app.get<DataSource>(getDataSourceToken());
    const rows = await ds.query(`SELECT n FROM "${run.schema('survey')}".handled WHERE name = $1`, [name]);
    return rows[0]?.n;
  };

  const letters = async (): Promise<DeadLetterSummary[]> => {
    const res = await api('GET', `?consumer=${CONSUMER}&limit=100`);
    expect(res.statusCode).toBe(200);
    return (res.json() as { items: DeadLetterSummary[] }).items;
  };

  /** Registers a kampung its consumer refuses, and waits for its letter. */
  const poison = async (name: string) => {
    plans.set(name, 'permanent');
    const event = await producer.app.get(TestProducer).register(name);
    const letter = await eventually(
      async () => (await letters()).find((l) => l.eventId === event.id) ?? null,
      { what: `the dead letter of ${name}` },
    );
    if (!letter) throw new Error(`no dead letter of ${name}`);
    return { event, letter };
  };

  const sourceMessages = async () =>
    (await producer.app.get(NatsConnectionService).jsm.streams.info(streamName(run.streamPrefix, 'registry')))
      .state.messages;

  beforeAll(async () => {
    producer = await startTestService(run, producerDef);
    consumer = await startTestService(run, consumerDef, { messaging: FAST });
    admin = await startTestService(run, notificationsService);
  });

  afterAll(async () => {
    await admin?.close();
    await consumer?.close();
    await producer?.close();
    await run.cleanup();
  });

  it('lists, inspects, replays (failing again, then applied once) and audits a dead letter', async () => {
    const { event, letter } = await poison('poison');
    expect(letter).toMatchObject({
      service: 'survey',
      consumer: CONSUMER,
      eventType: kampungRegisteredV1.type,
      replays: 0,
      reason: 'kampung poison can never be handled',
    });

    const shown = await api('GET', `/${letter.seq}`);
    expect(shown.statusCode).toBe(200);
    const detail = shown.json() as DeadLetterDetail;
    expect(JSON.parse(detail.event)).toMatchObject({ id: event.id, type: kampungRegisteredV1.type });
    expect(detail).toMatchObject({ stream: streamName(run.streamPrefix, 'registry'), replayOf: null });

    // The bug persists: the replay is taken by the consumer and dead-lettered again, as a new letter.
    const before = await sourceMessages();
    const again = await api('POST', `/${letter.seq}/replay`);
    expect(again.statusCode).toBe(200);
    const r1 = again.json() as ReplayResult;
    expect(r1).toMatchObject({ seq: letter.seq, status: 'replayed', outcome: 'dead-lettered' });
    expect(r1.newSeq).toBeGreaterThan(letter.seq);
    expect((await api('GET', `/${letter.seq}`)).statusCode).toBe(404);
    const second = (await api('GET', `/${r1.newSeq}`)).json() as DeadLetterDetail;
    expect(second).toMatchObject({
      consumer: CONSUMER,
      eventId: event.id,
      replays: 1,
      replayOf: letter.seq,
      reason: 'kampung poison can never be handled',
    });
    expect(await handled('poison')).toBeUndefined();
    // Nothing was republished: the other consumers of the subject never see a replay.
    expect(await sourceMessages()).toBe(before);

    // Fixed: the replay is handled, once, and the letter is gone.
    plans.delete('poison');
    const fixed = await api('POST', `/${r1.newSeq}/replay`);
    expect(fixed.statusCode).toBe(200);
    expect(fixed.json()).toMatchObject({
      seq: r1.newSeq,
      status: 'replayed',
      outcome: 'handled',
      newSeq: null,
    });
    expect(await handled('poison')).toBe(1);
    expect(intercepted.filter((i) => i.id === event.id).map((i) => i.deliveryCount)).toEqual([1, 3, 3]);
    expect((await api('GET', `/${r1.newSeq}`)).statusCode).toBe(404);
    expect((await letters()).filter((l) => l.eventId === event.id)).toEqual([]);

    // A second letter of the same event (as a racing path could leave) replays as a duplicate:
    // the consumer's inbox has it, the handler does not run, the count stays 1.
    const nats = admin.app.get(NatsConnectionService);
    const copy = await nats.js.publish(
      deadLetterSubject('survey', CONSUMER, run.subjectRoot),
      JSON.stringify({ ...detail, reason: 'a copy' }),
    );
    const dup = await api('POST', `/${copy.seq}/replay`);
    expect(dup.json()).toMatchObject({ status: 'replayed', outcome: 'duplicate' });
    expect(await handled('poison')).toBe(1);
    expect(intercepted.filter((i) => i.id === event.id)).toHaveLength(3);
    expect((await api('GET', `/${copy.seq}`)).statusCode).toBe(404);

    const audit = await admin.request({
      method: 'GET',
      url: `/api/v1/dead-letters/audit?consumer=${CONSUMER}`,
    });
    expect(audit.statusCode).toBe(200);
    const rows = (
      audit.json() as { items: { action: string; seq: number; outcome: string; actor: string }[] }
    ).items;
    expect(rows.map((a) => [a.action, a.seq, a.outcome, a.actor]).reverse()).toEqual([
      ['inspect', letter.seq, 'shown', 'test-national'],
      ['replay', letter.seq, 'dead-lettered', 'test-national'],
      ['inspect', r1.newSeq, 'shown', 'test-national'],
      ['replay', r1.newSeq, 'handled', 'test-national'],
      ['replay', copy.seq, 'duplicate', 'test-national'],
    ]);
  });

  it('discards one letter, and replays or discards all of a consumer', async () => {
    const { letter } = await poison('junk');
    const dlq = dlqStreamName(run.streamPrefix);
    const nats = admin.app.get(NatsConnectionService);
    expect((await api('DELETE', `/${letter.seq}`)).statusCode).toBe(204);
    expect((await api('GET', `/${letter.seq}`)).statusCode).toBe(404);
    expect(await nats.jsm.streams.getMessage(dlq, { seq: letter.seq })).toBeNull();
    expect((await api('DELETE', `/${letter.seq}`)).statusCode).toBe(404);
    expect(await handled('junk')).toBeUndefined();

    const a = await poison('bulk-a');
    const b = await poison('bulk-b');
    const pageOf = async (q: string) =>
      (await api('GET', `?consumer=${CONSUMER}&${q}`)).json() as {
        items: DeadLetterSummary[];
        nextCursor: string | null;
      };
    const newest = await pageOf('order=newest&limit=1');
    expect([newest.items.map((l) => l.seq), newest.nextCursor]).toEqual([
      [b.letter.seq],
      String(b.letter.seq),
    ]);
    const older = await pageOf(`order=newest&limit=1&cursor=${newest.nextCursor}`);
    expect([older.items.map((l) => l.seq), older.nextCursor]).toEqual([[a.letter.seq], null]);
    const oldest = await pageOf('limit=1');
    expect([oldest.items.map((l) => l.seq), oldest.nextCursor]).toEqual([
      [a.letter.seq],
      String(a.letter.seq),
    ]);
    const next = await pageOf(`limit=1&after=${oldest.nextCursor}`);
    expect([next.items.map((l) => l.seq), next.nextCursor]).toEqual([[b.letter.seq], null]);

    plans.delete('bulk-a');
    const all = await api('POST', '/replay', { consumer: CONSUMER });
    expect(all.statusCode).toBe(200);
    const results = all.json() as ReplayResult[];
    expect(results.map((r) => [r.seq, r.status, r.outcome])).toEqual([
      [a.letter.seq, 'replayed', 'handled'],
      [b.letter.seq, 'replayed', 'dead-lettered'],
    ]);
    expect(await handled('bulk-a')).toBe(1);
    const left = await letters();
    expect(left.map((l) => [l.seq, l.eventId, l.replays])).toEqual([[results[1].newSeq, b.event.id, 1]]);

    const gone = await admin.request({ method: 'DELETE', url: `/api/v1/dead-letters?consumer=${CONSUMER}` });
    expect(gone.statusCode).toBe(200);
    expect(gone.json()).toEqual([{ seq: results[1].newSeq, discarded: true }]);
    expect(await letters()).toEqual([]);

    const audit = (
      await admin.request({ method: 'GET', url: `/api/v1/dead-letters/audit?consumer=${CONSUMER}&limit=4` })
    ).json() as { items: { action: string; seq: number; outcome: string; bulk: string | null }[] };
    expect(audit.items.map((r) => [r.action, r.seq, r.outcome]).reverse()).toEqual([
      ['discard', letter.seq, 'discarded'],
      ['replay', a.letter.seq, 'handled'],
      ['replay', b.letter.seq, 'dead-lettered'],
      ['discard', results[1].newSeq, 'discarded'],
    ]);
    expect(audit.items[2].bulk).toEqual(audit.items[1].bulk);
    expect(audit.items[2].bulk).not.toBeNull();
    expect(audit.items[3].bulk).toBeNull();
  });

  it('is for the national role only, and answers bad input with problem+json', async () => {
    for (const token of [run.token(Role.province, '16'), run.token(Role.integrator, '')]) {
      for (const [method, url] of [
        ['GET', ''],
        ['GET', '/1'],
        ['POST', '/1/replay'],
        ['DELETE', '/1'],
        ['GET', '/audit'],
      ]) {
        const res = await api(method, url, undefined, token);
        expect([method, url, res.statusCode]).toEqual([method, url, 403]);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      }
    }
    const badSeq = await api('GET', '/abc');
    expect(badSeq.statusCode).toBe(400);
    expect(badSeq.json()).toMatchObject({ errors: [{ field: 'seq' }] });
    const badConsumer = await api('GET', '?consumer=no%20such');
    expect(badConsumer.statusCode).toBe(400);
    expect(badConsumer.json()).toMatchObject({ errors: [{ field: 'consumer' }] });
    const noConsumer = await api('DELETE', '');
    expect(noConsumer.statusCode).toBe(400);
    expect(noConsumer.json()).toMatchObject({ errors: [{ field: 'consumer' }] });
    const badBody = await api('POST', '/replay', {});
    expect(badBody.statusCode).toBe(400);
    expect(badBody.json()).toMatchObject({ errors: [{ field: 'consumer' }] });
    const missing = await api('POST', '/999999/replay');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('is what tools/dlq.mjs (npm run dlq) calls', async () => {
    await admin.app.listen(0, '127.0.0.1');
    const url = await admin.app.getUrl();
    const cli = (args: string[], token = run.token()) =>
      promisify(execFile)(process.execPath, [
        path.join(__dirname, '../../../tools/dlq.mjs'),
        ...args,
        '--url',
        url,
        '--token',
        token,
      ]).then(
        (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({
          code: e.code,
          out: e.stdout,
          err: e.stderr,
        }),
      );
    const { event, letter } = await poison('via-cli');
    const listed = await cli(['list', '--consumer', CONSUMER]);
    expect(listed).toMatchObject({ code: 0 });
    expect(listed.out).toContain(`${letter.seq}\t`);
    expect(listed.out).toContain(event.id);
    const shown = await cli(['show', String(letter.seq)]);
    expect(JSON.parse(shown.out)).toMatchObject({ seq: letter.seq, eventId: event.id });

    const refused = await cli(['discard', String(letter.seq)], run.token(Role.province, '16'));
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('403');

    plans.delete('via-cli');
    const replayed = await cli(['replay', '--all', '--consumer', CONSUMER]);
    expect(replayed).toMatchObject({ code: 0, out: `${letter.seq}\treplayed (handled)\n` });
    expect(await handled('via-cli')).toBe(1);
    const audit = await cli(['audit', '--consumer', CONSUMER, '--limit', '1']);
    expect(audit.out).toMatch(new RegExp(`\ttest-national\treplay\t${CONSUMER}\t${letter.seq}\thandled`));
    expect((await cli(['show', 'x'])).code).toBe(2);
  });
});
