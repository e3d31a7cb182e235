export enum Role {
  national = 'national',
  province = 'province',
  regency = 'regency',
  field_officer = 'field_officer',
  verifier = 'verifier',
  integrator = 'integrator',
}

export const ROLES: readonly Role[] = Object.values(Role);

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
