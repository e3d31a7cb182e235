// The stack's own ceiling on this machine, measured with the bare libraries and the same
// 500-byte payloads the platform moves: what the pipeline figures are compared with.
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { fmt, infrastructure, report } from './bench-kit.mjs';

const require = createRequire(import.meta.url);
const { Pool } = require('pg');
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager, AckPolicy } = require('@nats-io/jetstream');

const SECONDS = Number(process.env.BENCH_CEILING_SECONDS ?? 5);
const payload = randomBytes(250).toString('hex'); // 500 bytes

const infra = await infrastructure();
const id = `c${randomBytes(3).toString('hex')}`;
try {
  // Postgres: one row and its outbox row in one transaction, 16 clients.
  const pool = new Pool({ connectionString: infra.databaseUrl, max: 16 });
  await pool.query(`CREATE SCHEMA ${id}`);
  await pool.query(`CREATE TABLE ${id}.item (id uuid PRIMARY KEY, body text NOT NULL)`);
  await pool.query(
    `CREATE TABLE ${id}.outbox (id uuid PRIMARY KEY, seq bigint GENERATED ALWAYS AS IDENTITY, subject text, payload jsonb, published_at timestamptz)`,
  );
  let tx = 0;
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
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
  report(
    'ceiling.postgres row+outbox tx',
    `${fmt(tx / SECONDS)} tx/s`,
    `(16 clients, durable commit, ${SECONDS} s)`,
  );
  await pool.query(`DROP SCHEMA ${id} CASCADE`);
  await pool.end();

  // JetStream: publish with acks awaited one by one, with 256 in flight, and a durable drain.
  const nc = await connect({ servers: infra.natsUrl.split(',') });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = `${id.toUpperCase()}_CEILING`;
  await jsm.streams.add({ name: stream, subjects: [`${id}.>`] });
  let n = 0;
  let end = Date.now() + SECONDS * 1000;
  while (Date.now() < end) await js.publish(`${id}.one`, payload, { msgID: `a${n++}` });
  report('ceiling.jetstream publish, ack awaited', `${fmt(n / SECONDS)} msg/s`);
  let m = 0;
  end = Date.now() + SECONDS * 1000;
  const t0 = Date.now();
  while (Date.now() < end) {
    await Promise.all(
      Array.from({ length: 256 }, () => js.publish(`${id}.many`, payload, { msgID: `b${m++}` })),
    );
  }
  report('ceiling.jetstream publish, 256 in flight', `${fmt(m / ((Date.now() - t0) / 1000))} msg/s`);
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
  report(
    'ceiling.jetstream durable pull drain',
    `${fmt(got / ((Date.now() - t1) / 1000))} msg/s`,
    `(${fmt(got)} messages, explicit ack)`,
  );
  await jsm.streams.delete(stream);
  await nc.close();
} finally {
  await infra.stop();
}
