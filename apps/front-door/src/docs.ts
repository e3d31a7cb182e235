import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PROBLEM_BASE, PROBLEM_TYPES, findProblemType, type ProblemType } from '@kkb/platform';
import { sendProblem } from './problem';

/**
 * Where the API documents are: `openapi.json` and `asyncapi.json` beside routes.json (written by
 * `npm run openapi`, copied to dist by the build) and `api-docs.html`, the OpenAPI document
 * rendered by Redocly at build time (tools/build.mjs; everything inlined, no CDN).
 */
export const DOCS_DIR = path.join(__dirname, '..');
export const API_DOCS_HTML = 'api-docs.html';

/** Our own pages: no script at all, inline styles only. */
const DOC_PAGE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'content-type': 'text/html; charset=utf-8',
};

/** The Redoc page runs its inlined bundle (inline scripts, a blob worker for search). */
const REDOC_PAGE_HEADERS = {
  ...DOC_PAGE_HEADERS,
  'content-security-policy':
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
};

type Json = Record<string, unknown>;

export const escapeHtml = (s: unknown): string =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** Enough Markdown for the documents' descriptions: paragraphs, `code`, **bold**, lists, code blocks. */
export function markdown(text: unknown): string {
  const blocks = String(text ?? '')
    .replace(/\r/g, '')
    .split(/\n\s*\n/);
  const inline = (s: string) =>
    escapeHtml(s)
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
  return blocks
    .map((b) => {
      if (!b.trim()) return '';
      if (/^ {4}/.test(b)) return `<pre>${escapeHtml(b.replace(/^ {4}/gm, ''))}</pre>`;
      const heading = /^(#{1,4}) (.*)$/.exec(b.trim());
      if (heading) return `<h4>${inline(heading[2])}</h4>`;
      if (/^\s*- /.test(b))
        return `<ul>${b
          .split(/\n\s*- /)
          .map((li) => `<li>${inline(li.replace(/^\s*- /, ''))}</li>`)
          .join('')}</ul>`;
      return `<p>${inline(b)}</p>`;
    })
    .join('\n');
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
code,pre{font:14px ui-monospace,monospace;background:#f3f4f6;border-radius:4px}code{padding:0 .2em}pre{padding:.75rem;overflow:auto}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #d1d5db;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f9fafb}section{border-top:1px solid #e5e7eb;margin-top:1.5rem}nav a{margin-right:1rem}.muted{color:#555}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><nav><a href="/docs">API documentation</a><a href="/docs/api">HTTP API</a><a href="/docs/events">Events</a><a href="/problems">Problems</a></nav>
${body}
</body></html>
`;
}

const refName = (ref: unknown) => (typeof ref === 'string' ? (ref.split('/').pop() ?? '') : '');
const anchor = (name: string) => `schema-${name}`;

/** A property's type as a short text: `string (uuid)`, `integer 1..12`, `PeriodV1`, `array of string`. */
function typeText(schema: Json): string {
  if (schema.$ref)
    return `<a href="#${anchor(refName(schema.$ref))}">${escapeHtml(refName(schema.$ref))}</a>`;
  const all = schema.allOf as Json[] | undefined;
  if (all?.length === 1) return typeText(all[0]);
  const parts: string[] = [escapeHtml(schema.type ?? 'any')];
  if (schema.type === 'array' && schema.items) parts.push(`of ${typeText(schema.items as Json)}`);
  if (schema.format) parts.push(`(${escapeHtml(schema.format)})`);
  if (schema.enum)
    parts.push(`one of ${(schema.enum as unknown[]).map((e) => `<code>${escapeHtml(e)}</code>`).join(', ')}`);
  if (schema.const !== undefined) parts.push(`= <code>${escapeHtml(schema.const)}</code>`);
  if (schema.pattern) parts.push(`matching <code>${escapeHtml(schema.pattern)}</code>`);
  if (schema.minimum !== undefined || schema.maximum !== undefined)
    parts.push(`${escapeHtml(schema.minimum ?? '')}..${escapeHtml(schema.maximum ?? '')}`);
  if (schema.minLength !== undefined || schema.maxLength !== undefined)
    parts.push(`length ${escapeHtml(schema.minLength ?? 0)}..${escapeHtml(schema.maxLength ?? '')}`);
  return parts.join(' ');
}

function fieldsTable(schema: Json): string {
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const rows = Object.entries(properties).map(
    ([name, p]) =>
      `<tr><td><code>${escapeHtml(name)}</code></td><td>${typeText(p)}</td><td>${required.has(name) ? 'yes' : ''}</td><td>${markdown(p.description)}</td></tr>`,
  );
  if (!rows.length) return '';
  return `<table><thead><tr><th>Field</th><th>Type</th><th>Required</th><th>Description</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The event type and data schema a message narrows the CloudEvent envelope to. */
function narrowing(payload: Json): { type?: string; data?: string } {
  for (const part of (payload.allOf as Json[] | undefined) ?? [payload]) {
    const props = (part.properties ?? {}) as Record<string, Json>;
    if (props.type?.const) return { type: String(props.type.const), data: refName(props.data?.$ref) };
  }
  return {};
}

/** The AsyncAPI document as one HTML page: channels, their messages, and every schema's fields. */
export function renderAsyncApiHtml(doc: Json): string {
  const info = doc.info as Json;
  const servers = (doc.servers ?? {}) as Record<string, Json>;
  const channels = (doc.channels ?? {}) as Record<string, Json>;
  const components = (doc.components ?? {}) as Record<string, Record<string, Json>>;
  const messages = components.messages ?? {};
  const schemas = components.schemas ?? {};
  const out: string[] = [
    `<h1>${escapeHtml(info.title)} <span class="muted">${escapeHtml(info.version)}</span></h1>`,
    '<p>The machine-readable document: <a href="/api/asyncapi.json">/api/asyncapi.json</a> (AsyncAPI 3.0).</p>',
    markdown(info.description),
    '<h2>Servers</h2><table><thead><tr><th>Name</th><th>Protocol</th><th>Host</th><th>Description</th></tr></thead><tbody>',
    ...Object.entries(servers).map(
      ([name, s]) =>
        `<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(s.protocol)}</td><td><code>${escapeHtml(s.host)}</code></td><td>${markdown(s.description)}</td></tr>`,
    ),
    '</tbody></table><h2>Channels</h2><ul>',
    ...Object.entries(channels).map(
      ([id, c]) =>
        `<li><a href="#channel-${escapeHtml(id)}">${escapeHtml(c.title ?? id)}</a> <code>${escapeHtml(c.address ?? '(webhook only)')}</code></li>`,
    ),
    '</ul>',
  ];
  for (const [id, channel] of Object.entries(channels)) {
    out.push(`<section id="channel-${escapeHtml(id)}"><h3>${escapeHtml(channel.title ?? id)}</h3>`);
    out.push(
      `<p>Address: <code>${escapeHtml(channel.address ?? 'none: sent by webhook to a subscription URL')}</code>; server: ${((channel.servers as Json[] | undefined) ?? []).map((s) => escapeHtml(refName(s.$ref))).join(', ')}</p>`,
    );
    out.push(markdown(channel.summary), markdown(channel.description));
    for (const ref of Object.values((channel.messages ?? {}) as Record<string, Json>)) {
      const message = messages[refName(ref.$ref)];
      if (!message) continue;
      const payload = (message.payload ?? {}) as Json;
      const { type, data } = narrowing(payload);
      out.push(`<h4>Message ${escapeHtml(message.name ?? refName(ref.$ref))}</h4>`);
      if (type)
        out.push(
          `<p>A <a href="#${anchor('CloudEvent')}">CloudEvent</a> with <code>type</code> = <code>${escapeHtml(type)}</code> and <code>data</code>: <a href="#${anchor(data ?? '')}">${escapeHtml(data)}</a></p>`,
        );
      else if (payload.$ref) out.push(`<p>Payload: ${typeText(payload)}</p>`);
      const example = ((message.examples as Json[] | undefined) ?? [])[0];
      if (example)
        out.push(
          `<details><summary>Example</summary><pre>${escapeHtml(JSON.stringify(example.payload, null, 2))}</pre></details>`,
        );
    }
    out.push('</section>');
  }
  out.push('<h2>Schemas</h2>');
  for (const [name, schema] of Object.entries(schemas)) {
    out.push(
      `<section id="${anchor(name)}"><h3>${escapeHtml(name)}</h3>${markdown(schema.description)}${fieldsTable(schema)}</section>`,
    );
  }
  return page(`${String(info.title)}: events`, out.join('\n'));
}

function problemExample(p: ProblemType): string {
  return JSON.stringify(
    { type: PROBLEM_BASE + p.name, title: p.title, status: p.status, detail: '…', instance: '/api/v1/…' },
    null,
    2,
  );
}

export function renderProblemHtml(p: ProblemType): string {
  return page(
    `${p.title} (${p.status})`,
    `<h1>${escapeHtml(p.title)} <span class="muted">HTTP ${p.status}</span></h1>
<p>Problem type <code>${escapeHtml(PROBLEM_BASE + p.name)}</code></p>
<h2>What it means</h2>${markdown(p.meaning)}
<h2>When it happens</h2>${markdown(p.when)}
<h2>What to do</h2>${markdown(p.action)}
<h2>Example</h2><pre>${escapeHtml(problemExample(p))}</pre>
<p class="muted">Every error of the API is an RFC 9457 problem (<code>application/problem+json</code>). See <a href="/problems">all problem types</a>.</p>`,
  );
}

export function renderProblemIndexHtml(): string {
  const rows = PROBLEM_TYPES.map(
    (p) =>
      `<tr><td><a href="/problems/${escapeHtml(p.name)}">${escapeHtml(p.name)}</a></td><td>${p.status}</td><td>${escapeHtml(p.title)}</td><td>${markdown(p.meaning)}</td></tr>`,
  );
  return page(
    'Problem types',
    `<h1>Problem types</h1>
<p>Every error of the Kampung KB API is an RFC 9457 problem (<code>application/problem+json</code>) with <code>type</code>, <code>title</code>, <code>status</code>, <code>detail</code>, <code>instance</code> and, for invalid fields, <code>errors</code> (<code>field</code>, <code>reason</code>). Its <code>type</code> ends with one of these names.</p>
<table><thead><tr><th>Type</th><th>Status</th><th>Title</th><th>Meaning</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
  );
}

function renderDocsIndexHtml(): string {
  return page(
    'Kampung KB API documentation',
    `<h1>Kampung KB API documentation</h1>
<ul>
<li><a href="/docs/api">The HTTP API</a>: every operation of the four services, as the front door exposes them (machine-readable: <a href="/api/openapi.json">/api/openapi.json</a>, OpenAPI 3.0).</li>
<li><a href="/docs/events">The events</a>: what the platform publishes on NATS, by webhook and in the event feed (machine-readable: <a href="/api/asyncapi.json">/api/asyncapi.json</a>, AsyncAPI 3.0).</li>
<li><a href="/problems">Problem types</a>: what each error means and what to do about it.</li>
</ul>`,
  );
}

/**
 * The integrator's documentation: `/api/openapi.json`, `/api/asyncapi.json`, `/docs` (an index),
 * `/docs/api` (Redoc), `/docs/events` (rendered here from the AsyncAPI document) and
 * `/problems/<name>` for every problem type URI the platform answers with.
 */
export function registerDocs(app: FastifyInstance, dir: string = DOCS_DIR): void {
  const read = (file: string) => {
    const full = path.join(dir, file);
    return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
  };
  const openapi = read('openapi.json');
  const asyncapi = read('asyncapi.json');
  const eventsHtml = asyncapi ? renderAsyncApiHtml(JSON.parse(asyncapi) as Json) : undefined;
  const missing = (reply: FastifyReply, what: string) =>
    sendProblem(
      reply,
      503,
      'Service Unavailable',
      `${what} is not built: run npm run openapi and npm run build`,
    );
  const json = (reply: FastifyReply, body: string) =>
    reply
      .headers({
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-cache',
        'access-control-allow-origin': '*',
      })
      .send(body);

  app.get('/api/openapi.json', async (_req, reply) =>
    openapi ? json(reply, openapi) : missing(reply, 'openapi.json'),
  );
  app.get('/api/asyncapi.json', async (_req, reply) =>
    asyncapi ? json(reply, asyncapi) : missing(reply, 'asyncapi.json'),
  );
  app.get('/docs', async (_req, reply) => reply.headers(DOC_PAGE_HEADERS).send(renderDocsIndexHtml()));
  app.get('/docs/events', async (_req, reply) =>
    eventsHtml ? reply.headers(DOC_PAGE_HEADERS).send(eventsHtml) : missing(reply, 'asyncapi.json'),
  );
  let apiDocs: string | undefined;
  app.get('/docs/api', async (_req, reply) => {
    const html = (apiDocs ??= read(API_DOCS_HTML));
    return html
      ? reply.headers({ ...REDOC_PAGE_HEADERS, 'cache-control': 'no-cache' }).send(html)
      : missing(reply, 'The rendered API documentation');
  });
  app.get('/problems', async (_req, reply) => reply.headers(DOC_PAGE_HEADERS).send(renderProblemIndexHtml()));
  app.get<{ Params: { name: string } }>('/problems/:name', async (req, reply) => {
    const problem = findProblemType(req.params.name);
    return problem
      ? reply.headers(DOC_PAGE_HEADERS).send(renderProblemHtml(problem))
      : sendProblem(reply, 404, 'Not Found', `no problem type ${req.params.name}`);
  });
}
