import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

export const CSV_CONTENT_TYPES = ['text/csv', 'application/csv'];

/**
 * Lets fastify hand a CSV body to the route as the raw request stream, unread, so an import of
 * any size is parsed as it arrives and never held whole (fastify's body limit only applies to
 * the bodies it buffers; the import counts bytes itself, see SURVEY_IMPORT_MAX_BYTES).
 */
@Injectable()
export class CsvBodyParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    for (const type of CSV_CONTENT_TYPES) {
      if (!fastify.hasContentTypeParser(type)) {
        fastify.addContentTypeParser(type, (_req, payload, done) => done(null, payload));
      }
    }
  }
}
