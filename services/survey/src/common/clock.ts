/** Injection token of the service's clock: "now" is injectable so tests can pick the date. */
export const CLOCK = Symbol('SURVEY_CLOCK');

export interface Clock {
  now(): Date;
}

export const systemClock = (): Clock => ({ now: () => new Date() });
