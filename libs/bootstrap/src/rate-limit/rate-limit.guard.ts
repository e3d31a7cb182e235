import { HttpStatus, type ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler';
import { ProblemException } from '@kkb/platform';
import { limitFor, type RateLimitSettings } from './rate-limit.settings';

interface LimitedRequest {
  url: string;
  ip?: string;
  user?: { sub?: string; role?: string };
}

const requestOf = (context: ExecutionContext) => context.switchToHttp().getRequest<LimitedRequest>();

/**
 * @nestjs/throttler's guard, counted per client rather than per route: the key is the token's
 * `sub` (the IP for a caller without one), the limit the caller's role's. It runs after the
 * AuthGuard (an APP_GUARD, registered first), so it sees the verified principal. Event consumers
 * (non-HTTP contexts) and exempt paths (health, metrics) are never counted. Over the limit: 429
 * problem+json `rate-limited` with `Retry-After` in seconds.
 */
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    private readonly settings: RateLimitSettings,
    storage: ThrottlerStorage,
    reflector: Reflector,
  ) {
    super(
      {
        throttlers: [
          {
            name: 'default',
            ttl: settings.windowSeconds * 1000,
            limit: (context) => limitFor(settings, requestOf(context).user?.role),
          },
        ],
        // The X-RateLimit-* headers on every answer cost little; they tell an integrator where it stands.
        setHeaders: true,
      },
      storage,
      reflector,
    );
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = requestOf(context);
    return this.settings.exempt.test(req.url) || limitFor(this.settings, req.user?.role) === 0;
  }

  protected override async getTracker(raw: Record<string, unknown>): Promise<string> {
    const req = raw as unknown as LimitedRequest;
    return req.user?.sub ? `sub:${req.user.sub}` : `ip:${String(req.ip)}`;
  }

  /** One counter per client across every route of the service. */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new ProblemException(
      HttpStatus.TOO_MANY_REQUESTS,
      'rate-limited',
      'Too many requests',
      `This client may make ${detail.limit} requests per ${Math.round(detail.ttl / 1000)} s; ` +
        `try again in ${detail.timeToBlockExpire} s.`,
      undefined,
      { limit: detail.limit, retryAfter: detail.timeToBlockExpire },
    );
  }
}

/** The in-process storage of @nestjs/throttler (one replica, or each replica counting alone). */
export function memoryStorage(): ThrottlerStorageService {
  return new ThrottlerStorageService();
}
