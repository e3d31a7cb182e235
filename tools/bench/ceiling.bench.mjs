// The stack's own ceiling on this machine, measured with the bare libraries and the same
// 500-byte payloads the platform moves: what the pipeline figures are compared with.
// `measureCeiling` is also called by pipeline.bench.mjs with the size of a real event.
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { fmt, infrastructure, report } from './bench-kit.mjs';

const require = createRequire(import.meta.url);
const { Pool } = require('pg');
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager, AckPolicy } = require('@nats-io/jetstream');

const SECONDS = Number(process.env.BENCH_CEILING_SECONDS ?? 5);

/** A random text of exactly `bytes` ASCII bytes. */
const payloadOf = (bytes) =>
  randomBytes(Math.ceil(bytes / 2))
    .toString('hex')
    .slice(0, bytes);

/**
 * Measures, on the given Postgres and NATS, with payloads of `payloadBytes`:
 * - pgTx: transactions/s of one row and its outbox row, `clients` connections, durable commit;
 * - jsAwait: JetStream publishes/s, each ack awaited before the next;
 * - jsInFlight: JetStream publishes/s with 256 acks in flight;
 * - jsDrain: messages/s a durable pull consumer with explicit acks drains from a backlog.
 * Prints each figure with `report` under `prefix` unless `print` is false; returns them.
 */
export async function measureCeiling({
  databaseUrl,
  natsUrl,
  payloadBytes = 500,
  seconds = SECONDS,
  clients = 16,
  prefix = 'ceiling',
  print = true,
}) {
  const say = print ? report : () => undefined;
  const payload = payloadOf(payloadBytes);
  const id = `c${randomBytes(3).toString('hex')}`;
  const out = { payloadBytes, seconds };

  // Postgres: one row and its outbox row in one transaction, 16 clients.
  const pool = new Pool({ connectionString: databaseUrl, max: clients });
  try {
    await pool.query(`CREATE SCHEMA ${id}`);
    await pool.query(`CREATE TABLE ${id}.item (id uuid PRIMARY KEY, body text NOT NULL)`);
    await pool.query(
      `CREATE TABLE ${id}.outbox (id uuid PRIMARY KEY, seq bigint GENERATED ALWAYS AS IDENTITY, subject text, payload jsonb, published_at timestamptz)`,
    );
    let tx = 0;
    const until = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        const c = await pool.connect();
        try {
          while (Date.now() < until) {
            const rowId = randomUUID();
            await c.query('BEGIN');
            await c.query(`INSERT INTO ${id}.item VALUES ($1, $2)`, [rowId, payload]);
            await c.query(`INSERT INTO ${id}.outbox (id, subject, payload) VALUES ($1, 'kkb.x', $2)`, [
              randomUUID(),
              JSON.stringify({ id: rowId, body: payload }),
            ]);
            await c.query('COMMIT');
            tx++;
          }
        } finally {
          c.release();
        }
      }),
    );
    out.pgTx = tx / seconds;
    say(
      `${prefix}.postgres row+outbox tx`,
      `${fmt(out.pgTx)} tx/s`,
      `(${clients} clients, durable commit, ${payloadBytes} B, ${seconds} s)`,
    );
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${id} CASCADE`).catch(() => undefined);
    await pool.end();
  }

  // JetStream: publish with acks awaited one by one, with 256 in flight, and a durable drain.
  const nc = await connect({ servers: natsUrl.split(',') });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = `${id.toUpperCase()}_CEILING`;
  try {
    await jsm.streams.add({ name: stream, subjects: [`${id}.>`] });
    let n = 0;
    let end = Date.now() + seconds * 1000;
    while (Date.now() < end) await js.publish(`${id}.one`, payload, { msgID: `a${n++}` });
    out.jsAwait = n / seconds;
    say(`${prefix}.jetstream publish, ack awaited`, `${fmt(out.jsAwait)} msg/s`, `(${payloadBytes} B)`);
    let m = 0;
    end = Date.now() + seconds * 1000;
    const t0 = Date.now();
    while (Date.now() < end) {
      await Promise.all(
        Array.from({ length: 256 }, () => js.publish(`${id}.many`, payload, { msgID: `b${m++}` })),
      );
    }
    out.jsInFlight = m / ((Date.now() - t0) / 1000);
    say(`${prefix}.jetstream publish, 256 in flight`, `${fmt(out.jsInFlight)} msg/s`, `(${payloadBytes} B)`);
    await jsm.consumers.add(stream, {
      durable_name: 'drain',
      ack_policy: AckPolicy.Explicit,
      filter_subject: `${id}.many`,
    });
    const consumer = await js.consumers.get(stream, 'drain');
    const t1 = Date.now();
    let got = 0;
    const msgs = await consumer.consume({ max_messages: 1000 });
    for await (const msg of msgs) {
      msg.ack();
      if (++got >= m) break;
    }
    out.jsDrain = got / ((Date.now() - t1) / 1000);
    say(
      `${prefix}.jetstream durable pull drain`,
      `${fmt(out.jsDrain)} msg/s`,
      `(${fmt(got)} messages, explicit ack, ${payloadBytes} B)`,
    );
  } finally {
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const infra = await infrastructure();
  try {
    await measureCeiling({ databaseUrl: infra.databaseUrl, natsUrl: infra.natsUrl });
  } finally {
    await infra.stop();
  }
}
