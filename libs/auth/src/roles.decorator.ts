import { SetMetadata } from '@nestjs/common';
import { ROLES_KEY } from './auth.constants';
import type { Role } from './role.enum';

/**
 * Restricts a route (or controller; a method's list replaces its controller's) to these roles;
 * without it any authenticated role may call. At least one role, so `@Roles()` cannot be read as
 * either "nobody" or "everybody".
 */
export const Roles = (...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES_KEY, roles);
