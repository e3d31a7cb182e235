/**
 * When the next attempt of a delivery is due. `delays[i]` is the wait after failed attempt i+1,
 * so a schedule of n delays allows n + 1 attempts. Each wait is drawn uniformly from
 * [delay × (1 − jitter), delay]: jitter spreads the retries of many deliveries that failed
 * together (an endpoint coming back is not hit by all of them at once) while the schedule's total
 * span stays at least (1 − jitter) of its nominal span; jitter 1 is "full jitter".
 */
export class RetrySchedule {
  readonly delays: readonly number[];

  constructor(
    spec: string | readonly number[],
    readonly jitter: number,
    private readonly random: () => number = Math.random,
  ) {
    this.delays = typeof spec === 'string' ? spec.split(',').map((d) => Number(d.trim())) : [...spec];
    if (this.delays.some((d) => !Number.isFinite(d) || d < 0))
      throw new Error(`invalid retry schedule ${spec}`);
    if (jitter < 0 || jitter > 1) throw new Error('jitter must lie between 0 and 1');
  }

  get maxAttempts(): number {
    return this.delays.length + 1;
  }

  /** Delay after the `attempt`-th failed attempt (1-based), or null when none is left. */
  delayAfter(attempt: number): number | null {
    const base = this.delays[attempt - 1];
    if (base === undefined) return null;
    return Math.round(base * (1 - this.jitter * this.random()));
  }

  /** The nominal span from the first attempt to the last. */
  get spanMs(): number {
    return this.delays.reduce((a, b) => a + b, 0);
  }
}
