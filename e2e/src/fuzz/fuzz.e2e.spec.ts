// The e2e project is the one place allowed to use several services' code together.
/* eslint-disable @nx/enforce-module-boundaries */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import type { ConsumerMessages } from '@nats-io/jetstream';
import { subjectFor } from '@kkb/contracts';
import { dlqStreamName, type DeadLetter } from '@kkb/messaging';
import { eventually } from '@kkb/testing';
import { profileAnswers } from '../../../services/survey/test/factories';
import {
  cloudEvent,
  kampungClassified,
  kampungRegistered,
} from '../../../services/notifications/test/notifications.fixtures';
import { junkEventArbitrary, type JunkEvent } from './event-arbitraries';
import {
  checkExchange,
  describeExchange,
  Findings,
  kindOf,
  type Exchange,
  type Problem,
  type SkipRule,
} from './fuzz-oracle';
import {
  consumersOf,
  NATIONAL,
  SERVICE_NAMES,
  startFuzzPlatform,
  type FuzzPlatform,
  type ServiceName,
} from './fuzz-platform';
import { abbreviate } from './hostile-values';
import {
  allRequests,
  learn,
  loadOperations,
  materialize,
  type FuzzRequest,
  type Operation,
} from './openapi-arbitraries';

/**
 * Classes of failure known in issue 13 and being fixed in the main checkout. A finding matched
 * here is still written to the report, but does not fail the spec. EMPTY THIS LIST as the fixes
 * land; add nothing else to it.
 */
const KNOWN_FAILING_TEMPORARILY_SKIPPED: readonly SkipRule[] = [];

/**
 * Sizes. CI: a fixed seed and small counts. `npm run fuzz` (FUZZ_REQUESTS=10000 FUZZ_EVENTS=1000
 * FUZZ_SEED=random) is the long run; FUZZ_SEED=<n> FUZZ_PATH=<path> replays one counter-example.
 * FUZZ_REPORT=<file> writes the findings as markdown.
 */
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 300);
const EVENTS = Number(process.env.FUZZ_EVENTS ?? 40);
const SEED =
  process.env.FUZZ_SEED === 'random'
    ? Math.floor(Math.random() * 2 ** 31)
    : Number(process.env.FUZZ_SEED ?? 20261204);
const PATH = process.env.FUZZ_PATH;
/** Property calls spent shrinking one counter-example before the smallest so far is kept. */
const SHRINK_BUDGET = Number(process.env.FUZZ_SHRINK_BUDGET ?? (REQUESTS > 1000 ? 120 : 20));
const REPORT = process.env.FUZZ_REPORT;
/** A junk event must be dead-lettered within this. */
const DEAD_LETTER_WITHIN_MS = 10_000;
const EVENT_BATCH = 100;

describe('hostile input (fuzz)', () => {
  let p: FuzzPlatform;
  const findings = new Findings(KNOWN_FAILING_TEMPORARILY_SKIPPED);
  const stats = {
    requests: 0,
    shrinkCalls: 0,
    byStatus: new Map<number, number>(),
    events: 0,
    startedAt: Date.now(),
  };
  let httpMs = 0;
  let eventMs = 0;

  beforeAll(async () => {
    p = await startFuzzPlatform();
  }, 120_000);

  afterAll(async () => {
    if (REPORT) {
      const statuses = [...stats.byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
      writeFileSync(
        REPORT,
        findings.markdown('Fuzz findings', [
          `seed ${SEED}; ${stats.requests} requests (${stats.shrinkCalls} of them shrinking), ${stats.events} junk events`,
          `HTTP ${Math.round(httpMs / 1000)} s, events ${Math.round(eventMs / 1000)} s`,
          `answers by status: ${statuses.join(', ')}`,
        ]),
      );
    }
    await p?.close();
  }, 120_000);

  /** Failing findings as the test failure shows them: the seed to replay, the smallest example. */
  const failing = (events: boolean) =>
    findings
      .failing()
      .filter((f) => (f.route.startsWith('event ') || f.violation === 'consumer-stopped') === events)
      .map(
        (f) =>
          `${f.signature} (${f.count} hits)${f.path ? `; replay: FUZZ_SEED=${f.seed} FUZZ_PATH=${f.path}` : `; seed ${SEED}`}\n` +
          `  ${f.detail.split('\n').join('\n  ')}\n${f.example}`,
      );

  it(
    'should answer hostile requests with 2xx or a problem+json 4xx naming the field, and write nothing on an error',
    async () => {
      const started = Date.now();
      const ops = loadOperations();
      const opsByKey = new Map(ops.map((o) => [o.key, o]));
      // Writes reach more code than reads; a region import re-reads the whole package (seconds).
      const weightOf = (op: Operation) =>
        op.path.endsWith('/regions/import') ? 1 : op.method === 'GET' ? 2 : 4;
      const arbitrary = allRequests(ops, p.ctx, weightOf);
      const etagOf = async (kampungId: string) => {
        const res = await p.services.registry.app.inject({
          method: 'GET',
          url: `/api/v1/kampung/${encodeURIComponent(kampungId)}`,
          headers: { authorization: `Bearer ${p.token(NATIONAL)}` },
        });
        return res.statusCode === 200 ? String(res.headers.etag) : undefined;
      };
      let n = 0;
      const exchange = async (req: FuzzRequest): Promise<Exchange> => {
        const op = opsByKey.get(req.opKey)!;
        const call = await materialize(req, op, p.ctx, etagOf);
        const write = op.method !== 'GET';
        const before = write ? await p.counts(op.service) : undefined;
        const correlationId = `fuzz-${SEED}-${++n}`;
        const res = await p.services[op.service].app.inject({
          method: call.method as never,
          url: call.url,
          headers: {
            ...call.headers,
            authorization: `Bearer ${p.token(call.as)}`,
            'x-correlation-id': correlationId,
          },
          ...(call.payload === undefined ? {} : { payload: call.payload }),
        });
        const after = write ? await p.counts(op.service) : undefined;
        stats.requests++;
        stats.byStatus.set(res.statusCode, (stats.byStatus.get(res.statusCode) ?? 0) + 1);
        let json: unknown;
        try {
          json = JSON.parse(res.body);
        } catch {
          json = undefined;
        }
        if (res.statusCode < 300) learn(op, call, res.statusCode, json, p.ctx);
        return {
          req,
          call,
          status: res.statusCode,
          contentType: String(res.headers['content-type'] ?? ''),
          body: res.body,
          correlationId,
          before,
          after,
          serverError: p.serverErrors.get(correlationId)?.error,
        };
      };
      const asFinding = (x: Exchange, pr: Problem, extra: { seed?: number; path?: string } = {}) => ({
        violation: pr.violation,
        kind: kindOf(x.req.mutations),
        route: x.req.opKey,
        field: '',
        example: describeExchange(x),
        exampleSize: (x.call.payload?.length ?? 0) + x.call.url.length,
        status: x.status,
        detail: pr.detail,
        seen: x.req.mutations.map((m) => `${m.where}:${m.field || '(whole)'}`),
        ...extra,
      });

      let remaining = PATH ? 1 : REQUESTS;
      for (let segment = 0; remaining > 0; segment++) {
        const seed = SEED + segment;
        let shrinking = false;
        let shrinkCalls = 0;
        let explored = 0;
        let smallest: { x: Exchange; fresh: Problem[] } | undefined;
        const details = await fc.check(
          fc.asyncProperty(arbitrary, async (req) => {
            if (shrinking && ++shrinkCalls > SHRINK_BUDGET) return true;
            if (shrinking) stats.shrinkCalls++;
            else explored++;
            const x = await exchange(req);
            const fresh: Problem[] = [];
            for (const pr of checkExchange(x)) {
              if (findings.isNew(pr.violation, kindOf(x.req.mutations), x.req.opKey, '')) fresh.push(pr);
              else findings.add(asFinding(x, pr));
            }
            if (!fresh.length) return true;
            shrinking = true;
            smallest = { x, fresh };
            return false;
          }),
          { seed, numRuns: remaining, ...(PATH ? { path: PATH } : {}) },
        );
        remaining -= explored;
        if (!details.failed || !smallest) break;
        for (const pr of smallest.fresh) {
          findings.add(asFinding(smallest.x, pr, { seed, path: details.counterexamplePath ?? undefined }));
        }
      }
      httpMs = Date.now() - started;
      process.stdout.write(
        `fuzz: ${stats.requests} requests (${stats.shrinkCalls} shrinking) in ${Math.round(httpMs / 1000)} s, seed ${SEED}\n`,
      );
      expect(failing(false)).toEqual([]);
    },
    120_000 + REQUESTS * 600,
  );

  it(
    'should dead-letter every junk event with a reason within 10 s, and keep handling valid events',
    async () => {
      const started = Date.now();
      const root = p.run.subjectRoot;
      const letters = new Map<string, DeadLetter & { at: number }>();
      const dlq = await (await p.js.consumers.get(dlqStreamName(p.run.streamPrefix))).consume();
      const reading = (async (msgs: ConsumerMessages) => {
        for await (const m of msgs) {
          const letter = m.json<DeadLetter>();
          letters.set(`${letter.stream}:${letter.streamSequence}:${letter.consumer}`, {
            ...letter,
            at: Date.now(),
          });
        }
      })(dlq);

      const junk = fc.sample(junkEventArbitrary(root), { seed: SEED, numRuns: EVENTS });
      for (let b = 0; b < junk.length; b += EVENT_BATCH) {
        const batch: {
          ev: JunkEvent;
          stream: string;
          seq: number;
          at: number;
          consumers: { service: ServiceName; durable: string }[];
        }[] = [];
        for (const ev of junk.slice(b, b + EVENT_BATCH)) {
          const ack = await p.js.publish(ev.subject, ev.text, { msgID: randomUUID() });
          batch.push({
            ev,
            stream: ack.stream,
            seq: ack.seq,
            at: Date.now(),
            consumers: consumersOf(ev.subject, root),
          });
          stats.events++;
        }
        const expected = batch.flatMap((e) => e.consumers.map((c) => ({ ...e, consumer: c })));
        const key = (e: (typeof expected)[number]) => `${e.stream}:${e.seq}:${e.consumer.durable}`;
        const deadline = Math.max(...batch.map((e) => e.at)) + DEAD_LETTER_WITHIN_MS;
        while (Date.now() < deadline && !expected.every((e) => letters.has(key(e)))) {
          await new Promise((r) => setTimeout(r, 100));
        }
        for (const e of expected) {
          const letter = letters.get(key(e));
          const finding = (
            violation: 'not-dead-lettered' | 'accepted-as-valid' | 'dead-letter-without-reason',
            detail: string,
          ) =>
            findings.add({
              violation,
              kind: e.ev.kind,
              route: `event ${e.ev.type}`,
              field: e.ev.field,
              example: `publish ${e.ev.subject}\n${abbreviate(e.ev.text, 700)}\nconsumer ${e.consumer.durable}: ${detail}`,
              exampleSize: e.ev.text.length,
              detail,
              seen: [e.consumer.durable],
              seed: SEED,
            });
          if (letter && (typeof letter.reason !== 'string' || !letter.reason)) {
            finding('dead-letter-without-reason', JSON.stringify({ ...letter, event: undefined }));
          } else if (letter && letter.at - e.at > DEAD_LETTER_WITHIN_MS) {
            finding('not-dead-lettered', `dead-lettered only after ${letter.at - e.at} ms: ${letter.reason}`);
          } else if (!letter) {
            const id = /"id":"([^"]+)"/.exec(e.ev.text)?.[1];
            const handled: unknown[] = id
              ? await p.ds[e.consumer.service].query(
                  `SELECT 1 FROM "${p.run.schema(e.consumer.service)}".inbox WHERE consumer = $1 AND event_id = $2`,
                  [e.consumer.durable, id],
                )
              : [];
            if (handled.length)
              finding('accepted-as-valid', 'handled as a valid event (inbox row), not dead-lettered');
            else
              finding(
                'not-dead-lettered',
                `no dead letter within ${DEAD_LETTER_WITHIN_MS} ms (still being retried?)`,
              );
          }
        }
      }

      // The consumers are alive: every service is ready and handles a valid event of each consumer.
      for (const name of SERVICE_NAMES) {
        const res = await p.services[name].app.inject({ method: 'GET', url: '/health/ready' });
        if (res.statusCode !== 200) {
          findings.add({
            violation: 'consumer-stopped',
            kind: 'health',
            route: `${name} GET /health/ready`,
            field: '',
            example: `${res.statusCode} ${abbreviate(res.body, 400)}`,
            exampleSize: 0,
            detail: 'not ready after the junk events',
            seen: [],
          });
        }
      }
      const [seroja] = p.ctx.kampung;
      const village = p.ctx.freeVillages.pop()!;
      const valid = [
        kampungRegistered(village),
        cloudEvent(
          'kkb.survey.submission.verified.v1',
          {
            submissionId: randomUUID(),
            kampungId: seroja.id,
            villageCode: seroja.villageCode,
            instrumentCode: 'kampung-profile',
            instrumentVersion: 1,
            kind: 'profile',
            period: { year: 2025, month: 6 },
            verifiedAt: new Date().toISOString(),
            verifiedBy: 'verifier-16',
            answers: profileAnswers(),
          },
          { subject: `submission/${randomUUID()}` },
        ),
        kampungClassified(seroja.villageCode, false),
      ];
      for (const ev of valid) {
        const subject = subjectFor(ev.type, ev.province, root);
        await p.js.publish(subject, JSON.stringify(ev), { msgID: ev.id });
        for (const c of consumersOf(subject, root)) {
          const handled = await eventually(
            async () =>
              (
                (await p.ds[c.service].query(
                  `SELECT 1 FROM "${p.run.schema(c.service)}".inbox WHERE consumer = $1 AND event_id = $2`,
                  [c.durable, ev.id],
                )) as unknown[]
              ).length > 0,
            { timeoutMs: 15_000, what: `${c.durable} handles ${ev.type}` },
          ).catch(() => false);
          if (!handled) {
            findings.add({
              violation: 'consumer-stopped',
              kind: 'valid-event',
              route: `event ${ev.type}`,
              field: '',
              example: `publish ${subject}\n${abbreviate(JSON.stringify(ev), 600)}`,
              exampleSize: 0,
              detail: `${c.durable} did not handle a valid event within 15 s after the junk`,
              seen: [c.durable],
            });
          }
        }
      }
      await dlq.close();
      await reading;
      eventMs = Date.now() - started;
      process.stdout.write(
        `fuzz: ${stats.events} junk events in ${Math.round(eventMs / 1000)} s, seed ${SEED}\n`,
      );
      expect(failing(true)).toEqual([]);
    },
    120_000 + EVENTS * 300,
  );
});
