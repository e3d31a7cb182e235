import { NotificationsConfig } from '../config/notifications.config';
import { RetrySchedule } from './retry-schedule';

describe(RetrySchedule.name, () => {
  it('should allow one attempt more than it has delays and stop after the last', () => {
    const s = new RetrySchedule('100,200,300', 0);
    expect(s.maxAttempts).toBe(4);
    expect([1, 2, 3, 4].map((a) => s.delayAfter(a))).toEqual([100, 200, 300, null]);
  });

  it('should draw each delay between (1 - jitter) and 1 times the nominal delay', () => {
    expect(new RetrySchedule([1000], 0.2, () => 0).delayAfter(1)).toBe(1000);
    expect(new RetrySchedule([1000], 0.2, () => 0.999999).delayAfter(1)).toBe(800);
    expect(new RetrySchedule([1000], 1, () => 0.5).delayAfter(1)).toBe(500);
  });

  it('should by default spread attempts over more than a day, even with the jitter', () => {
    const c = new NotificationsConfig();
    const s = new RetrySchedule(c.WEBHOOK_RETRY_SCHEDULE_MS, c.WEBHOOK_RETRY_JITTER, () => 0.999999);
    const worst = s.delays.reduce((sum, _d, i) => sum + (s.delayAfter(i + 1) ?? 0), 0);
    expect(worst).toBeGreaterThan(24 * 3600_000);
    expect(s.maxAttempts).toBeGreaterThanOrEqual(8);
  });

  it('should refuse a negative delay or a jitter outside [0, 1]', () => {
    expect(() => new RetrySchedule([-1], 0)).toThrow(/invalid/);
    expect(() => new RetrySchedule([1], 1.5)).toThrow(/jitter/);
  });
});
