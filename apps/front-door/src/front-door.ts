import { existsSync } from 'node:fs';
import path from 'node:path';
import { constants as zlib } from 'node:zlib';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyCompress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import replyFrom from '@fastify/reply-from';
import { registerDevSignIn } from './dev-sign-in';
import { registerDocs } from './docs';
import type { FrontDoorConfig } from './front-door.config';
import { sendProblem } from './problem';
import { compileRouteTable, FRONT_DOOR, type RouteTable } from './route-table';

/**
 * Paths a proxy must not pass on: dot segments (raw or percent-encoded), encoded slashes and
 * NULs. The services' routers would take `/api/v1/kampung/../rule-sets` literally, but a proxy
 * that routed it by prefix would have sent it to the wrong owner.
 */
const SUSPICIOUS_PATH = /(^|\/)(\.|%2e){1,2}(\/|$)|%2f|%5c|%00|\\|\/\//i;

/**
 * The console's files outside /assets/: the service worker and its Workbox runtime, the web app
 * manifest and the icons (vite-plugin-pwa writes them at the root of the build). Not hashed, so
 * revalidated on every use: a new build's service worker replaces the old one at the next visit.
 */
const ROOT_FILE = /^\/(sw\.js|manifest\.webmanifest|icons\/[\w-]+\.(png|svg))$/;

/** Security headers for the console's pages and files (the APIs send their own answers). */
const PAGE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self' 'unsafe-inline'; " +
    "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
};

/**
 * The one origin of the platform: `/api/...` proxied to the owning service per routes.json, the
 * console's files and pages, `/config.json` for the console, and in development mode the
 * sign-in routes. Built on fastify with @fastify/reply-from (undici, keep-alive pools) and
 * @fastify/static.
 */
export async function createFrontDoor(table: RouteTable, config: FrontDoorConfig): Promise<FastifyInstance> {
  const app = Fastify({
    logger: config.logRequests ? { level: 'info' } : false,
    trustProxy: true,
    // The services enforce their own limits: the front door streams bodies through.
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 500 },
  });
  // API answers compressed for browsers that accept it (a national map's points are ~12 MB of
  // JSON, ~1 MB compressed); brotli at a low quality keeps the CPU per byte small. The console's
  // files are precompressed at build and sent as they are (they carry content-encoding already).
  // In a cluster the Gateway routes /api past the front door: compress there (e.g. Envoy's filter).
  await app.register(fastifyCompress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
  });
  const routesFor = compileRouteTable(table);
  const consoleBuilt = () => existsSync(path.join(config.consoleDir, 'index.html'));

  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_req, reply) =>
    consoleBuilt()
      ? { status: 'ok', console: true }
      : sendProblem(reply, 503, 'Service Unavailable', `the console is not built (${config.consoleDir})`),
  );
  app.get('/config.json', async (_req, reply) =>
    reply
      .header('cache-control', 'no-cache')
      .send({ mode: config.mode, tiles: config.tiles, ...(config.oidc && { oidc: config.oidc }) }),
  );
  registerDevSignIn(app, config);
  registerDocs(app, config.docsDir);

  // The console talks to the OpenID Provider (discovery, token endpoint) from the page.
  const pageHeaders = config.oidc
    ? {
        ...PAGE_HEADERS,
        'content-security-policy': PAGE_HEADERS['content-security-policy'].replace(
          "connect-src 'self'",
          `connect-src 'self' ${new URL(config.oidc.issuer).origin}`,
        ),
      }
    : PAGE_HEADERS;

  if (existsSync(config.consoleDir)) {
    // Hashed file names: cached for a year. index.html is served by the page handler below.
    await app.register(fastifyStatic, {
      root: path.join(config.consoleDir, 'assets'),
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
      // The build writes .br and .gz beside each file (tools/build.mjs); sent when accepted.
      preCompressed: true,
      index: false,
      setHeaders: (reply) => void reply.header('x-content-type-options', 'nosniff'),
    });
  }

  // The proxy lives in its own context so that bodies stream through untouched (no JSON parsing).
  await app.register(async (proxy) => {
    await proxy.register(replyFrom, {
      undici: {
        connections: 128,
        pipelining: 1,
        keepAliveTimeout: 60_000,
        headersTimeout: 60_000,
        bodyTimeout: 0,
      },
      // A client aborting an export must not leave the upstream stream running.
      disableRequestLogging: !config.logRequests,
    });
    proxy.removeAllContentTypeParsers();
    proxy.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

    const handle = async (req: FastifyRequest, reply: FastifyReply) => {
      const pathname = req.url.split('?', 1)[0];
      if (SUSPICIOUS_PATH.test(pathname))
        return sendProblem(reply, 400, 'Bad Request', 'the path has dot segments or encoded separators');
      const [entry] = routesFor(pathname);
      if (!entry) return sendProblem(reply, 404, 'Not Found', `no route for ${pathname}`);
      if (entry.service === FRONT_DOOR) return page(req, reply);
      return reply.from(config.upstreams[entry.service] + req.url, {
        rewriteRequestHeaders: (request, headers) => ({
          ...headers,
          'x-forwarded-host': request.headers.host ?? '',
          'x-forwarded-proto': request.protocol,
        }),
        onError: (rep, { error }) => {
          // reply-from wraps undici's error: the cause says whether the service is down or slow.
          const cause = (error as { cause?: { code?: string } }).cause;
          const code = cause?.code ?? (error as { code?: string }).code ?? '';
          const [status, title] = /TIMEOUT/i.test(code)
            ? [504, 'Gateway Timeout']
            : /ECONNREFUSED|ENOTFOUND|ECONNRESET|EHOSTUNREACH|UND_ERR_SOCKET|SERVICE_UNAVAILABLE/i.test(code)
              ? [503, 'Service Unavailable']
              : [502, 'Bad Gateway'];
          void sendProblem(
            rep as FastifyReply,
            status,
            title,
            `${entry.service} did not answer (${code || error.message})`,
          );
        },
      });
    };

    const page = async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return sendProblem(reply, 405, 'Method Not Allowed', `${req.method} is not allowed on a page`);
      if (!consoleBuilt())
        return sendProblem(reply, 503, 'Service Unavailable', 'the console is not built: run npm run build');
      const pathname = req.url.split('?', 1)[0];
      if (ROOT_FILE.test(pathname)) {
        if (!existsSync(path.join(config.consoleDir, pathname)))
          return sendProblem(reply, 404, 'Not Found', `the console has no file ${pathname}`);
        return reply
          .headers({ ...pageHeaders, 'cache-control': 'no-cache' })
          .sendFile(pathname.slice(1), config.consoleDir, { cacheControl: false });
      }
      // Every page of the single-page app is index.html; the app's router takes the path. Its
      // cache-control is ours: sendFile would otherwise apply /assets/' year-long immutable one.
      return reply
        .headers({ ...pageHeaders, 'cache-control': 'no-cache' })
        .sendFile('index.html', config.consoleDir, { cacheControl: false });
    };

    proxy.all('/*', handle);
    proxy.all('/', handle);
  });

  return app;
}
