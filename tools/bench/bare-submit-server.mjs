#!/usr/bin/env node
// The ceiling the survey's submit endpoint is compared with (survey.bench.mjs): bare fastify and
// a pg pool, no Nest, no validation, no auth. POST /submit takes the same JSON body and commits
// one row and one outbox row in a transaction, then answers 201. Not part of the product.
//
//   DATABASE_URL=... BARE_SCHEMA=... PORT=... node tools/bench/bare-submit-server.mjs
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(ROOT, 'package.json'));
const fastify = require('fastify');
const pg = require('pg');

const schema = String(process.env.BARE_SCHEMA);
if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad BARE_SCHEMA ${schema}`);
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_SIZE ?? 16),
});
await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
await pool.query(`CREATE TABLE IF NOT EXISTS ${schema}.row (id uuid PRIMARY KEY, body jsonb NOT NULL)`);
await pool.query(
  `CREATE TABLE IF NOT EXISTS ${schema}.outbox (id uuid PRIMARY KEY, seq bigint GENERATED ALWAYS AS IDENTITY,
     payload jsonb NOT NULL, published_at timestamptz)`,
);

const app = fastify({ logger: false });
app.post('/submit', async (req, reply) => {
  const body = /** @type {{ id?: string }} */ (req.body);
  const id = body.id ?? randomUUID();
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query(`INSERT INTO ${schema}.row (id, body) VALUES ($1, $2)`, [id, JSON.stringify(body)]);
    await c.query(`INSERT INTO ${schema}.outbox (id, payload) VALUES ($1, $2)`, [
      randomUUID(),
      JSON.stringify({ type: 'bare.submitted', data: body }),
    ]);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
  return reply.code(201).send({ id, status: 'submitted' });
});
app.get('/ready', async () => ({ ok: true }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });

const stop = async () => {
  await app.close();
  await pool.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
  await pool.end();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
