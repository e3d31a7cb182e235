import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { acceptCorrelationId, CORRELATION_HEADER, runWithCorrelation } from './correlation';
import type { BaseServiceConfig } from './config';
import { MetricsRegistry } from './metrics';
import { ProblemFilter } from './problem.filter';
import { createValidationPipe } from './validation';

export interface ServiceAppOptions {
  service: string;
  title: string;
  description: string;
  version?: string;
  /** Keep Nest's own bootstrap logs quiet (tests). */
  quiet?: boolean;
}

/**
 * Builds a service's HTTP application on the fastify adapter: problem+json errors (including
 * fastify's own: bad JSON, oversized bodies, wrong content type), one validation pipe,
 * correlation ids from `x-correlation-id`, request metrics, OpenAPI at /docs.
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

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (req, reply, done) => {
    const correlationId = String(req.id);
    void reply.header(CORRELATION_HEADER, correlationId);
    runWithCorrelation({ correlationId, causationId: correlationId }, done);
  });
  const metrics = app.get(MetricsRegistry);
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
