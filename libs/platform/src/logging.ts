import { LoggerModule } from 'nestjs-pino';
import type { DynamicModule } from '@nestjs/common';
import { currentCorrelation } from './correlation';
import { activeTraceIds } from './tracing';

/**
 * JSON logs (pino) where every line carries the correlation id of its request or event, and the
 * `trace_id`/`span_id` of the active span when tracing is on.
 */
export function loggingModule(service: string, level: string): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      base: { service },
      messageKey: 'msg',
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      mixin: () => {
        const c = currentCorrelation();
        const ids = activeTraceIds();
        const fields = c ? { correlationId: c.correlationId, causationId: c.causationId } : {};
        return ids ? { ...fields, ...ids } : fields;
      },
      autoLogging: {
        ignore: (req) => /^\/(health|metrics)/.test(req.url ?? ''),
      },
      // A line per successful request is the hot path's largest logging cost and says nothing the
      // request metrics do not: it is `debug` (LOG_LEVEL=debug shows it); refusals and failures stay.
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug',
      quietReqLogger: true,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  });
}
