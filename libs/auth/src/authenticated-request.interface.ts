import type { Principal } from './principal.interface';

/** The slice of a fastify (or express) request the guard reads and writes. */
export interface AuthenticatedRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  user?: Principal;
}
