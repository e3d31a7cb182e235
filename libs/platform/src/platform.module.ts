import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '@kkb/auth';
import type { BaseServiceConfig } from './config';
import { HealthModule } from './health';
import { loggingModule } from './logging';
import { MetricsModule } from './metrics';
import { ServiceTracing, startServiceTracing } from './tracing';

/** Injection token of the service's validated configuration object. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
/** Injection token of the service's name (`registry`, `survey`...). */
export const SERVICE_NAME = Symbol('SERVICE_NAME');

/**
 * What every service has: validated config, JSON logs, metrics, tracing (when configured),
 * health, and the JWT guard on every route.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(service: string, config: BaseServiceConfig): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        loggingModule(service, config.LOG_LEVEL),
        MetricsModule,
        HealthModule,
        AuthModule.forRoot({
          secret: config.JWT_SECRET,
          publicKey: config.JWT_PUBLIC_KEY,
          issuer: config.JWT_ISSUER,
          audience: config.JWT_AUDIENCE,
        }),
      ],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: SERVICE_NAME, useValue: service },
        // Started while the app is built, before createServiceApp adds its request hooks.
        {
          provide: ServiceTracing,
          useFactory: () => new ServiceTracing(startServiceTracing(config, service)),
        },
      ],
      exports: [SERVICE_CONFIG, SERVICE_NAME],
    };
  }
}
