import { EVENT_TYPE, PROVINCE_TOKEN } from './envelope';

export const NATIONAL_PROVINCE = '00';

/** The province token of a region code (dotted `16.10.05.2041` or compact `1610052041`). */
export function provinceOf(regionCode: string | null | undefined): string {
  const digits = (regionCode ?? '').replace(/\./g, '');
  return /^\d{2}/.test(digits) ? digits.slice(0, 2) : NATIONAL_PROVINCE;
}

/**
 * `kkb.<producer>.<aggregate>.<past-verb>.v<major>.<province>`. `root` replaces the leading
 * `kkb` so that test runs on a shared NATS server never see each other's subjects.
 */
export function subjectFor(type: string, province: string, root = 'kkb'): string {
  if (!PROVINCE_TOKEN.test(province)) throw new Error(`invalid province token '${province}'`);
  return `${root}${type.slice(type.indexOf('.'))}.${province}`;
}

/** The event type a subject carries, and its province token; null if it is not an event subject. */
export function parseSubject(subject: string): { type: string; province: string } | null {
  const parts = subject.split('.');
  if (parts.length !== 6) return null;
  const type = ['kkb', ...parts.slice(1, 5)].join('.');
  if (!EVENT_TYPE.test(type) || !PROVINCE_TOKEN.test(parts[5])) return null;
  return { type, province: parts[5] };
}

/** The subject filter that takes everything one producer publishes. */
export function producerFilter(producer: string, root = 'kkb'): string {
  return `${root}.${producer}.>`;
}

/** Dead-letter subject for a consumer of a service: `kkb.dlq.<service>.<consumer>`. */
export function deadLetterSubject(service: string, consumer: string, root = 'kkb'): string {
  return `${root}.dlq.${service}.${consumer}`;
}
