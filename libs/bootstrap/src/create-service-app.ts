import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import {
  acceptCorrelationId,
  CORRELATION_HEADER,
  createValidationPipe,
  frameworkErrors,
  installInputGuard,
  markSpanFailed,
  MetricsRegistry,
  ProblemFilter,
  runWithCorrelation,
  SpanKind,
  SpanStatusCode,
  startSpan,
  TRACE_ATTR,
  tracingEnabled,
  type BaseServiceConfig,
  type Span,
} from '@kkb/platform';
import { registerAppPoolMetrics } from './pool-metrics';
import { installRateLimit, rateLimitSettings, type RateLimitSettings } from './rate-limit';

const UNTRACED = /^\/(health|metrics)(\/|\?|$)/;

/** Longest path parameter the router accepts (fastify's default); longer ones are a 414. */
const MAX_PARAM_LENGTH = 100;

export interface ServiceAppOptions {
  service: string;
  title: string;
  description: string;
  version?: string;
  /** Keep Nest's own bootstrap logs quiet (tests). */
  quiet?: boolean;
  /** Rate limits; default: from the RATE_LIMIT_* variables (none when RATE_LIMIT_DEFAULT is unset). */
  rateLimit?: RateLimitSettings;
}

/**
 * Builds a service's HTTP application on the fastify adapter: problem+json errors (including
 * fastify's own: bad JSON, oversized bodies, wrong content type, bad or over-long URLs), input
 * that would crash validation or the database refused first (`installInputGuard`), one validation
 * pipe, correlation ids from `x-correlation-id`, request metrics, a SERVER span per request when
 * tracing is on (continuing an incoming `traceparent`), rate limits per client and role when
 * configured (`installRateLimit`), OpenAPI at /docs.
 */
export async function createServiceApp(
  module: unknown,
  config: BaseServiceConfig,
  opts: ServiceAppOptions,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.HTTP_BODY_LIMIT,
    trustProxy: true,
    requestIdHeader: CORRELATION_HEADER,
    genReqId: (req: { headers: Record<string, unknown> }) =>
      acceptCorrelationId(req.headers[CORRELATION_HEADER]),
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrors(MAX_PARAM_LENGTH),
  });
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, {
    bufferLogs: true,
    logger: opts.quiet ? false : undefined,
  });
  app.useLogger(app.get(Logger));
  const filter = new ProblemFilter();
  app.useGlobalFilters(filter);
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  // After NestFactory.create: the AuthGuard (an APP_GUARD) is registered already and runs first.
  await installRateLimit(app, opts.rateLimit ?? rateLimitSettings(), config.DATABASE_SCHEMA);

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (req, reply, done) => {
    const correlationId = String(req.id);
    void reply.header(CORRELATION_HEADER, correlationId);
    runWithCorrelation({ correlationId, causationId: correlationId }, done);
  });
  // Too deep, NUL, lone surrogates: a 400 before class-transformer or Postgres could fail on them.
  installInputGuard(fastify);
  if (tracingEnabled()) {
    // Routing is done before onRequest, so the route pattern names the span; the span stays
    // active (AsyncLocalStorage, like the correlation id) through the handler's async work.
    // Probes and scrapes (every few seconds per replica) would drown the traces that matter.
    const spans = new WeakMap<object, Span>();
    fastify.addHook('onRequest', (req, _reply, done) => {
      if (UNTRACED.test(req.url)) return done();
      const route = req.routeOptions?.url;
      const { span, run } = startSpan(route ? `${req.method} ${route}` : req.method, {
        kind: SpanKind.SERVER,
        parent: req.headers,
        scope: opts.service,
        attributes: {
          [TRACE_ATTR.httpRequestMethod]: req.method,
          [TRACE_ATTR.urlPath]: req.url.split('?', 1)[0],
          [TRACE_ATTR.urlScheme]: req.protocol,
          ...(route ? { [TRACE_ATTR.httpRoute]: route } : {}),
        },
      });
      spans.set(req, span);
      run(done);
    });
    // A 5xx is an error of this span (the problem filter adds the exception); a 4xx is the client's.
    fastify.addHook('onResponse', (req, reply, done) => {
      const span = spans.get(req);
      if (span) {
        spans.delete(req);
        span.setAttribute(TRACE_ATTR.httpResponseStatusCode, reply.statusCode);
        if (reply.statusCode >= 500) {
          span.setAttribute(TRACE_ATTR.errorType, String(reply.statusCode));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      }
      done();
    });
    fastify.addHook('onRequestAbort', (req, done) => {
      const span = spans.get(req);
      if (span) {
        spans.delete(req);
        markSpanFailed(span, new Error('the client aborted the request'));
        span.end();
      }
      done();
    });
  }

  const metrics = app.get(MetricsRegistry);
  registerAppPoolMetrics(app, metrics);
  const httpDuration = metrics.histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    httpDuration.observe(
      { method: req.method, route: req.routeOptions?.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });

  const doc = new DocumentBuilder()
    .setTitle(opts.title)
    .setDescription(opts.description)
    .setVersion(opts.version ?? '1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup(
    'docs',
    app as INestApplication,
    SwaggerModule.createDocument(app as INestApplication, doc),
  );

  await app.init();
  await fastify.ready();
  return app;
}
