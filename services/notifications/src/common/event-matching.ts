import type { CloudEvent } from '@kkb/contracts';

/**
 * One NATS-style pattern over an event type: dot-separated tokens, `*` for exactly one token,
 * `>` (last only) for one or more. `kkb.classification.>`, `kkb.*.kampung.*.v1`.
 */
export const TYPE_PATTERN = /^(\*|[a-z0-9-]+)(\.(\*|[a-z0-9-]+))*(\.>)?$|^>$/;

export function isTypePattern(p: unknown): p is string {
  return typeof p === 'string' && p.length <= 128 && TYPE_PATTERN.test(p);
}

/** The patterns as one anchored POSIX regular expression (Postgres `~` and JS agree on this subset). */
export function typePatternRegex(patterns: readonly string[]): string {
  const one = (p: string) =>
    p
      .split('.')
      .map((t) => (t === '*' ? '[^.]+' : t === '>' ? '.+' : t))
      .join('\\.');
  return `^(${patterns.map(one).join('|')})$`;
}

export function matchesType(patterns: readonly string[], type: string): boolean {
  return new RegExp(typePatternRegex(patterns)).test(type);
}

/**
 * The compact region code an event is about: its village (`data.villageCode`) when it names one,
 * else its province token; '' for a national event (`00`), which every region filter takes.
 */
export function regionOfEvent(event: Pick<CloudEvent<unknown>, 'province' | 'data'>): string {
  const village = (event.data as { villageCode?: unknown } | null)?.villageCode;
  if (typeof village === 'string' && /^\d{2}\.?\d{2}\.?\d{2}\.?\d{4}$/.test(village)) {
    return village.replace(/\./g, '');
  }
  return event.province === '00' ? '' : event.province;
}

/** Whether an event of `region` passes a subscription's region filter. */
export function regionMatches(prefix: string, region: string): boolean {
  return region === '' || region.startsWith(prefix);
}
