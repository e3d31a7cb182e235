import { isDateText, isTimestampText } from './dates';

describe('dates Postgres stores', () => {
  it.each(['2022-03-14', '2024-02-29', '0001-01-01', '9999-12-31'])('should take the date %s', (d) => {
    expect(isDateText(d)).toBe(true);
  });

  it.each([
    '2023-W01',
    '2023-001',
    '2023-02-29',
    '2023-02-30',
    '2023-13-01',
    '2023-00-10',
    '0000-01-01',
    '+275760-09-13',
    '2023-1-1',
    '',
    20230101,
  ])('should refuse the date %s (some pass an ISO-8601 check, none is a day Postgres stores)', (d) => {
    expect(isDateText(d)).toBe(false);
  });

  it.each([
    '2024-03-31T08:00:00Z',
    '2024-03-31T08:00:00.123Z',
    '2024-03-31T08:00:00+07:00',
    '2026-12-04 22:59:45.114512+00',
    '2023-01-01T00:00:00+15:59',
    '2023-01-01T00:00:00-15:59:59',
  ])('should take the date-time %s', (t) => {
    expect(isTimestampText(t)).toBe(true);
  });

  it.each([
    '2024-03-31T08:00:00',
    '2023-02-30T08:00:00Z',
    '2023-01-01T24:00:00Z',
    '2023-01-01T08:60:00Z',
    '2023-W01T08:00:00Z',
    '2024-03-31',
    // Offsets Postgres refuses ("time zone displacement out of range"), some of them JS takes.
    '2023-01-01T00:00:00+99:99',
    '2023-01-01T00:00:00+16:00',
    '2023-01-01T00:00:00+05:60',
  ])('should refuse the date-time %s', (t) => {
    expect(isTimestampText(t)).toBe(false);
  });
});
