import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from './authenticated-request.interface';
import type { Principal } from './principal.interface';

/** The Principal the guard established for this request. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
  // Only reachable on a @Public() route: a programming error (500), not the caller's fault.
  if (!user)
    throw new Error('@CurrentUser() used on a route without an authenticated principal (is it @Public()?)');
  return user;
});
