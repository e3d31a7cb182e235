/**
 * Calendar arithmetic for report periods. Indonesia's programme runs on Western Indonesian Time
 * (Asia/Jakarta, UTC+7, no daylight saving), so "today" is the Jakarta date.
 */
export interface Period {
  year: number;
  month: number;
}

const JAKARTA_OFFSET_MS = 7 * 3600 * 1000;

export function jakartaToday(now: Date): { year: number; month: number; day: number } {
  const d = new Date(now.getTime() + JAKARTA_OFFSET_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Months since year 0, so periods compare and step as integers. */
export function monthIndex(p: Period): number {
  return p.year * 12 + (p.month - 1);
}

export function periodOf(index: number): Period {
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

const pad = (n: number) => String(n).padStart(2, '0');

export function isoDate(year: number, month: number, day: number): string {
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** The last day the report for `p` is accepted on time: day `dueDay` of the next month. */
export function dueDateOf(p: Period, dueDay: number): string {
  const next = periodOf(monthIndex(p) + 1);
  return isoDate(next.year, next.month, dueDay);
}

/**
 * The `lookback` most recent months whose report is past due on the Jakarta date of `now`,
 * newest first: with the due day 3, on 4 May that is April, March, ...; on 3 May, March, ...
 */
export function overdueMonths(now: Date, dueDay: number, lookback: number): (Period & { dueDate: string })[] {
  const today = jakartaToday(now);
  const current = monthIndex(today);
  const newest = today.day > dueDay ? current - 1 : current - 2;
  return Array.from({ length: lookback }, (_, i) => {
    const p = periodOf(newest - i);
    return { ...p, dueDate: dueDateOf(p, dueDay) };
  });
}

/** Whether `p` is after the current Jakarta month (nothing can be reported for it yet). */
export function isFuturePeriod(p: Period, now: Date): boolean {
  return monthIndex(p) > monthIndex(jakartaToday(now));
}

/** The period of a `YYYY-MM-DD` date. */
export function periodOfDate(date: string): Period {
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)) };
}
