import { ConfigError } from '@kkb/platform';

/** Where the counters live: this process only, or a table every replica of the service shares. */
export type RateLimitStore = 'memory' | 'postgres';

/** Roles with their own limit variable (`RATE_LIMIT_<ROLE>`), plus callers without a token. */
export const RATE_LIMITED_ROLES = [
  'national',
  'province',
  'regency',
  'field_officer',
  'verifier',
  'integrator',
  'anonymous',
] as const;
export type RateLimitedRole = (typeof RATE_LIMITED_ROLES)[number];

export interface RateLimitSettings {
  /** Requests per window and client when no role override applies; 0: unlimited. */
  defaultLimit: number;
  /** Per-role limits (0: that role is unlimited). */
  perRole: Partial<Record<RateLimitedRole, number>>;
  windowSeconds: number;
  store: RateLimitStore;
  /** Paths never counted (probes and scrapes): matched against the request URL. */
  exempt: RegExp;
}

/** Health probes and Prometheus scrapes: a limited probe would take a healthy replica out. */
export const DEFAULT_EXEMPT = '^/(health|metrics)(/|\\?|$)';

/**
 * Reads the rate-limit variables. Unset RATE_LIMIT_DEFAULT means 0: no limit, no guard, no cost
 * (laptops, tests, benches); a deployment sets it (deploy/k8s/base/config.yaml).
 *
 * - RATE_LIMIT_DEFAULT: requests per window per client (the token's `sub`; without a token, the IP)
 * - RATE_LIMIT_<ROLE> (NATIONAL, PROVINCE, REGENCY, FIELD_OFFICER, VERIFIER, INTEGRATOR,
 *   ANONYMOUS): that role's limit instead of the default; 0: unlimited
 * - RATE_LIMIT_WINDOW_SECONDS: the window (60)
 * - RATE_LIMIT_STORE: memory (each replica counts alone) or postgres (replicas count together)
 * - RATE_LIMIT_EXEMPT: regular expression of paths never limited (health and metrics)
 */
export function rateLimitSettings(env: NodeJS.ProcessEnv = process.env): RateLimitSettings {
  const problems: { variable: string; reason: string; value: unknown }[] = [];
  const count = (variable: string, fallback: number | undefined, min = 0): number | undefined => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min) {
      problems.push({ variable, reason: `must be a whole number >= ${min}`, value: raw });
      return fallback;
    }
    return n;
  };
  const defaultLimit = count('RATE_LIMIT_DEFAULT', 0) ?? 0;
  const perRole: Partial<Record<RateLimitedRole, number>> = {};
  for (const role of RATE_LIMITED_ROLES) {
    const n = count(`RATE_LIMIT_${role.toUpperCase()}`, undefined);
    if (n !== undefined) perRole[role] = n;
  }
  const windowSeconds = count('RATE_LIMIT_WINDOW_SECONDS', 60, 1) ?? 60;
  const store = (env.RATE_LIMIT_STORE || 'memory') as RateLimitStore;
  if (store !== 'memory' && store !== 'postgres') {
    problems.push({ variable: 'RATE_LIMIT_STORE', reason: 'must be memory or postgres', value: store });
  }
  let exempt = new RegExp(DEFAULT_EXEMPT);
  if (env.RATE_LIMIT_EXEMPT) {
    try {
      exempt = new RegExp(env.RATE_LIMIT_EXEMPT);
    } catch {
      problems.push({
        variable: 'RATE_LIMIT_EXEMPT',
        reason: 'must be a regular expression',
        value: env.RATE_LIMIT_EXEMPT,
      });
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return { defaultLimit, perRole, windowSeconds, store, exempt };
}

/** Whether any caller is limited at all (else no guard is installed). */
export function rateLimited(s: RateLimitSettings): boolean {
  return s.defaultLimit > 0 || Object.values(s.perRole).some((n) => n > 0);
}

/** The limit for a role (a token's role, or `anonymous`); 0: unlimited. */
export function limitFor(s: RateLimitSettings, role: string | undefined): number {
  return s.perRole[(role ?? 'anonymous') as RateLimitedRole] ?? s.defaultLimit;
}
