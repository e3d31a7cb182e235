import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AUTH_OPTIONS } from './auth.constants';
import { AuthGuard } from './auth.guard';
import type { AuthModuleOptions } from './auth-options.interface';
import { resolveAuthOptions } from './resolve-auth-options.util';
import { TokenVerifier } from './token-verifier.service';

/**
 * Owns identity at the HTTP edge: verifies the bearer JWT on every route (AuthGuard as
 * APP_GUARD) and exposes the caller as a Principal with a role and a region scope.
 * Options fall back to JWT_SECRET / JWT_PUBLIC_KEY / JWT_ISSUER / JWT_AUDIENCE.
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions = {}): DynamicModule {
    const resolved = resolveAuthOptions(options);
    return {
      module: AuthModule,
      global: true,
      imports: [JwtModule.register({})],
      providers: [
        { provide: AUTH_OPTIONS, useValue: resolved },
        TokenVerifier,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [AUTH_OPTIONS, TokenVerifier],
    };
  }
}
