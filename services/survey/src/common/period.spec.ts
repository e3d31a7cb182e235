import { dueDateOf, isFuturePeriod, jakartaToday, overdueMonths } from './period';

describe(overdueMonths.name, () => {
  it('should count a month overdue only after its due day has passed in Jakarta', () => {
    // 3 May 2025, 23:59 in Jakarta (16:59 UTC): April is still due today.
    expect(overdueMonths(new Date('2025-05-03T16:59:00Z'), 3, 2)).toEqual([
      { year: 2025, month: 3, dueDate: '2025-04-03' },
      { year: 2025, month: 2, dueDate: '2025-03-03' },
    ]);
    // One minute later it is 4 May in Jakarta though still 3 May in UTC: April is overdue.
    expect(overdueMonths(new Date('2025-05-03T17:00:00Z'), 3, 1)).toEqual([
      { year: 2025, month: 4, dueDate: '2025-05-03' },
    ]);
  });

  it('should step back across a year boundary', () => {
    expect(overdueMonths(new Date('2025-01-10T00:00:00Z'), 3, 3).map((p) => `${p.year}-${p.month}`)).toEqual([
      '2024-12',
      '2024-11',
      '2024-10',
    ]);
    expect(dueDateOf({ year: 2024, month: 12 }, 3)).toBe('2025-01-03');
  });
});

describe(isFuturePeriod.name, () => {
  it('should compare with the current Jakarta month', () => {
    const now = new Date('2025-05-31T18:00:00Z'); // already 1 June in Jakarta
    expect(jakartaToday(now)).toEqual({ year: 2025, month: 6, day: 1 });
    expect(isFuturePeriod({ year: 2025, month: 6 }, now)).toBe(false);
    expect(isFuturePeriod({ year: 2025, month: 7 }, now)).toBe(true);
  });
});
