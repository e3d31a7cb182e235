#!/usr/bin/env node
// Mints a bearer token for local runs:
//   node tools/token.mjs --role national --scope '' --sub officer-1 --name 'Budi' --expires 12h
// Signs HS256 with JWT_SECRET, or the local development secret, which is public and therefore
// for local runs only (services refuse it when NODE_ENV=production). Prints only the token, so
// `TOKEN=$(node tools/token.mjs ...)` works.
//
// Plain ESM so it runs without a TypeScript loader; the secret, issuer, audience and scope rules
// mirror libs/auth (LOCAL_DEV_JWT_SECRET, principalFromClaims), and
// libs/auth/src/token-cli.spec.ts fails if they drift apart.
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const LOCAL_DEV_JWT_SECRET = 'kkb-local-dev-secret-change-me';
const ROLES = ['national', 'province', 'regency', 'field_officer', 'verifier', 'integrator'];

const USAGE = `usage: node tools/token.mjs --role <role> [--scope <region prefix>] [--sub <id>] [--name <name>] [--expires 12h]
  roles: ${ROLES.join(', ')}
  scope: '' (whole country), 16, 1610, 161005, 1610052041 (dots allowed: 16.10.05.2041)
  env:   JWT_SECRET (default: the local development secret), JWT_ISSUER, JWT_AUDIENCE (default kkb)`;

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  process.stderr.write(`token: ${message}\n${USAGE}\n`);
  process.exit(1);
}

/** @param {string} scope */
function compactScope(scope) {
  if (scope === '') return '';
  const ok = scope.includes('.')
    ? /^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$/.test(scope)
    : /^\d+$/.test(scope) && [2, 4, 6, 10].includes(scope.length);
  if (!ok) fail(`scope '${scope}' is not a region code prefix`);
  return scope.replace(/\./g, '');
}

/**
 * @param {string} role
 * @param {string} scope
 */
function checkScope(role, scope) {
  /** @type {Record<string, string | null>} */
  const problems = {
    national: scope === '' ? null : 'role national requires an empty scope',
    province: scope.length === 2 ? null : 'role province requires a 2-digit scope',
    regency: scope.length === 4 ? null : 'role regency requires a 4-digit scope',
    field_officer: scope.length >= 2 ? null : 'role field_officer requires a scope of at least 2 digits',
    verifier: scope.length >= 2 ? null : 'role verifier requires a scope of at least 2 digits',
    integrator: null,
  };
  const problem = problems[role];
  if (problem) fail(problem);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      role: { type: 'string' },
      scope: { type: 'string', default: '' },
      sub: { type: 'string' },
      name: { type: 'string' },
      expires: { type: 'string', default: '12h' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (err) {
  fail(/** @type {Error} */ (err).message);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!values.role) fail('--role is required');
if (!ROLES.includes(values.role)) fail(`unknown role '${values.role}'`);
const scope = compactScope(values.scope);
checkScope(values.role, scope);
const expiresIn = /^\d+$/.test(values.expires) ? Number(values.expires) : values.expires;

// jsonwebtoken is @nestjs/jwt's own dependency (the library that verifies these tokens), so it
// is resolved from there rather than assumed hoisted to the root.
const require = createRequire(import.meta.url);
const jwt = createRequire(require.resolve('@nestjs/jwt'))('jsonwebtoken');

/** @type {{ role: string; scope: string; name?: string }} */
const payload = { role: values.role, scope };
if (values.name !== undefined) payload.name = values.name;
let token;
try {
  token = jwt.sign(payload, process.env.JWT_SECRET || LOCAL_DEV_JWT_SECRET, {
    algorithm: 'HS256',
    subject: values.sub ?? `local-${values.role}`,
    expiresIn,
    issuer: process.env.JWT_ISSUER || 'kkb',
    audience: process.env.JWT_AUDIENCE || 'kkb',
  });
} catch (err) {
  fail(/** @type {Error} */ (err).message);
}
process.stdout.write(`${token}\n`);
