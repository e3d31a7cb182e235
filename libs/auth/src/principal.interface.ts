import type { Role } from './role.enum';

/** Who is calling, as established from a verified bearer token. */
export interface Principal {
  sub: string;
  name?: string;
  role: Role;
  /**
   * Compact region code prefix the principal may see and change: '' is the whole country,
   * '16' a province, '1610' a regency, '161005' a district, '1610052041' a village.
   */
  scope: string;
}
