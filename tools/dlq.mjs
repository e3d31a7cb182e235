#!/usr/bin/env node
// Dead letters from the command line, through the national-role API (/api/v1/dead-letters, served
// by notifications; deploy/README.md, "Dead letters"), so every action is audited in one place:
//
//   npm run dlq -- list [--consumer X] [--order oldest|newest] [--limit N] [--after SEQ]
//   npm run dlq -- show <seq>
//   npm run dlq -- replay <seq>                  re-deliver to its consumer only, through its inbox
//   npm run dlq -- replay --all --consumer X     every letter of one consumer, oldest first
//   npm run dlq -- discard <seq>
//   npm run dlq -- discard --all --consumer X
//   npm run dlq -- audit [--consumer X] [--limit N]
//
// Options: --url (default $KKB_URL or http://127.0.0.1:3000, the front door), --token (default
// $KKB_TOKEN, else a national token minted by tools/token.mjs with the sub `dlq-cli:<user>`: it
// signs with JWT_SECRET or the local development secret, so that works for local runs only),
// --json (print the API's answers as they are).
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const USAGE = `usage: npm run dlq -- <command> [options]
  list [--consumer X] [--order oldest|newest] [--limit N] [--after SEQ]
  show <seq>
  replay <seq> | replay --all --consumer X
  discard <seq> | discard --all --consumer X
  audit [--consumer X] [--limit N]
options: --url URL (default $KKB_URL or http://127.0.0.1:3000), --token T (default $KKB_TOKEN, else
  a national token from tools/token.mjs), --json`;

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  process.stderr.write(`dlq: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** @param {string | undefined} seq */
function sequence(seq) {
  if (!seq || !/^\d{1,16}$/.test(seq) || Number(seq) < 1)
    fail(`'${seq ?? ''}' is not a dead-letter sequence`);
  return seq;
}

/** A national token: --token, $KKB_TOKEN, or one minted as tools/token.mjs mints them. */
function tokenFor(/** @type {string | undefined} */ given) {
  if (given) return given;
  if (process.env.KKB_TOKEN) return process.env.KKB_TOKEN;
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'token.mjs');
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no user name on this system: keep 'unknown'
  }
  return execFileSync(
    process.execPath,
    [script, '--role', 'national', '--sub', `dlq-cli:${user}`, '--expires', '10m'],
    {
      encoding: 'utf8',
    },
  ).trim();
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      consumer: { type: 'string' },
      order: { type: 'string' },
      limit: { type: 'string' },
      after: { type: 'string' },
      all: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
} catch (err) {
  fail(/** @type {Error} */ (err).message);
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const [command, arg, ...extra] = positionals;
if (extra.length) fail(`unexpected arguments: ${extra.join(' ')}`);
const base = `${(values.url ?? process.env.KKB_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '')}/api/v1/dead-letters`;

/** @type {{ method: string; path: string; body?: unknown }} */
let req;
/** @param {Record<string, string | undefined>} q */
const query = (q) => {
  const s = new URLSearchParams(
    /** @type {[string, string][]} */ (Object.entries(q).filter((e) => e[1] !== undefined)),
  ).toString();
  return s ? `?${s}` : '';
};
switch (command) {
  case 'list':
    if (arg) fail('list takes no argument');
    req = {
      method: 'GET',
      path: query({
        consumer: values.consumer,
        order: values.order,
        limit: values.limit,
        after: values.after,
      }),
    };
    break;
  case 'show':
    req = { method: 'GET', path: `/${sequence(arg)}` };
    break;
  case 'replay':
  case 'discard':
    if (values.all) {
      if (arg) fail(`${command} --all takes no sequence`);
      if (!values.consumer) fail(`${command} --all needs --consumer`);
      req =
        command === 'replay'
          ? { method: 'POST', path: '/replay', body: { consumer: values.consumer } }
          : { method: 'DELETE', path: query({ consumer: values.consumer }) };
    } else {
      req = {
        method: command === 'replay' ? 'POST' : 'DELETE',
        path: `/${sequence(arg)}${command === 'replay' ? '/replay' : ''}`,
      };
    }
    break;
  case 'audit':
    req = { method: 'GET', path: `/audit${query({ consumer: values.consumer, limit: values.limit })}` };
    break;
  default:
    fail(command ? `unknown command '${command}'` : 'a command is required');
}

const res = await fetch(`${base}${req.path}`, {
  method: req.method,
  headers: {
    authorization: `Bearer ${tokenFor(values.token)}`,
    ...(req.body ? { 'content-type': 'application/json' } : {}),
  },
  body: req.body ? JSON.stringify(req.body) : undefined,
}).catch((/** @type {Error} */ err) => {
  process.stderr.write(
    `dlq: ${base}${req.path}: ${err.message}${err.cause ? ` (${String(err.cause)})` : ''}\n`,
  );
  process.exit(1);
});
const text = await res.text();
/** @type {any} */
let body = null;
try {
  body = text ? JSON.parse(text) : null;
} catch {
  body = text;
}
if (!res.ok) {
  const p = body && typeof body === 'object' ? body : {};
  const fields = Array.isArray(p.errors)
    ? p.errors.map((/** @type {any} */ e) => `\n  ${e.field}: ${e.reason}`).join('')
    : '';
  process.stderr.write(
    `dlq: ${res.status} ${p.title ?? res.statusText}${p.detail ? `: ${p.detail}` : ''}${fields}\n`,
  );
  process.exit(1);
}
if (values.json || command === 'show') {
  process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
} else if (command === 'list') {
  for (const l of body.items) {
    process.stdout.write(
      `${l.seq}\t${l.receivedAt}\t${l.consumer}\t${l.eventType ?? '-'}\t${l.eventId ?? '-'}\treplays=${l.replays}\t${l.reason}\n`,
    );
  }
  process.stdout.write(
    body.nextCursor ? `more: --after ${body.nextCursor}\n` : `${body.items.length} letter(s)\n`,
  );
} else if (command === 'audit') {
  for (const a of body.items) {
    process.stdout.write(
      `${a.at}\t${a.actor}\t${a.action}\t${a.consumer ?? '-'}\t${a.seq}\t${a.outcome}${a.newSeq ? ` -> ${a.newSeq}` : ''}${a.detail ? `\t${a.detail}` : ''}\n`,
    );
  }
} else if (command === 'replay') {
  for (const r of Array.isArray(body) ? body : [body]) {
    process.stdout.write(
      `${r.seq}\t${r.status}${r.outcome ? ` (${r.outcome})` : ''}${r.newSeq ? `: new letter ${r.newSeq}` : ''}${r.detail ? `: ${r.detail}` : ''}\n`,
    );
  }
  if ((Array.isArray(body) ? body : [body]).some((r) => r.status !== 'replayed')) process.exitCode = 1;
} else if (command === 'discard') {
  if (Array.isArray(body))
    for (const d of body) process.stdout.write(`${d.seq}\t${d.discarded ? 'discarded' : 'already gone'}\n`);
  else process.stdout.write(`${arg}\tdiscarded\n`);
}
