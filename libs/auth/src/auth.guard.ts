import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC_KEY, OWN_RESOURCE_KEY, ROLES_KEY } from './auth.constants';
import type { AuthenticatedRequest } from './authenticated-request.interface';
import { Role } from './role.enum';
import { TokenVerifier } from './token-verifier.service';

const READ_METHODS = new Set(['GET', 'HEAD']);
const BEARER = /^Bearer[ ]+([^ ]+)[ ]*$/i;

interface HeaderWriter {
  header?: (name: string, value: string) => unknown;
  setHeader?: (name: string, value: string) => unknown;
}

/**
 * Registered as APP_GUARD by AuthModule, so a route is closed unless it says @Public():
 * forgetting a decorator then fails safe.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Bearer tokens belong to the HTTP edge; JetStream consumers authenticate at the transport.
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;

    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    try {
      request.user = await this.verifier.verify(this.bearerToken(request));
    } catch (err) {
      if (err instanceof UnauthorizedException) challenge(http.getResponse<HeaderWriter>());
      throw err;
    }
    const principal = request.user;

    // Integrators consume data; checked before @Roles so no route can grant them a write by mistake.
    if (
      principal.role === Role.integrator &&
      !READ_METHODS.has(request.method.toUpperCase()) &&
      !this.reflector.getAllAndOverride<boolean>(OWN_RESOURCE_KEY, targets)
    ) {
      throw new ForbiddenException(`role integrator may only read (GET, HEAD), not ${request.method}`);
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(principal.role)) {
      throw new ForbiddenException(
        `role ${principal.role} may not use this route (allowed: ${roles.join(', ')})`,
      );
    }
    return true;
  }

  private bearerToken(request: AuthenticatedRequest): string {
    const header = request.headers.authorization;
    if (header === undefined || header === '') throw new UnauthorizedException('missing bearer token');
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match) throw new UnauthorizedException('authorization header must be "Bearer <token>"');
    return match[1];
  }
}

// RFC 6750 §3: a 401 for a bearer-protected resource names the scheme.
function challenge(response: HeaderWriter): void {
  const value = 'Bearer realm="kkb"';
  if (typeof response.header === 'function') response.header('WWW-Authenticate', value);
  else if (typeof response.setHeader === 'function') response.setHeader('WWW-Authenticate', value);
}
