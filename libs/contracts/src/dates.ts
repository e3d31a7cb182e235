import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * Dates as Postgres takes them. class-validator's ISO-8601 check accepts forms Postgres refuses
 * (week dates `2023-W01`, ordinal dates `2023-001`, `2023-02-30`, years beyond 9999), which then
 * fail in the database as a 500; these checks take only what a `date` or `timestamptz` column
 * stores, on the real calendar.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2})(?::?(\d{2})(?::(\d{2}))?)?)$/;

function onCalendar(y: number, m: number, d: number): boolean {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** A calendar date `YYYY-MM-DD` (years 0001-9999). */
export function isDateText(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const m = DATE.exec(v);
  return !!m && onCalendar(+m[1], +m[2], +m[3]);
}

/**
 * A date-time with an offset (`Z`, `+07:00`, Postgres' `+07`), on the calendar and the clock, the
 * offset within what Postgres stores (at most 15:59:59).
 */
export function isTimestampText(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const m = TIMESTAMP.exec(v);
  if (!m || !onCalendar(+m[1], +m[2], +m[3]) || +m[4] >= 24 || +m[5] >= 60 || +m[6] >= 60) return false;
  // Postgres takes offsets up to 15:59:59 either way, with minutes and seconds under 60.
  const [oh, om, os] = [m[7], m[8], m[9]].map((x) => (x === undefined ? 0 : +x));
  return oh <= 15 && om < 60 && os < 60;
}

/** class-validator: a calendar date Postgres stores (see isDateText). */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (v) => isDateText(v),
        defaultMessage: (a) => `${a?.property} must be a calendar date YYYY-MM-DD`,
      },
    },
    options,
  );
}

/** class-validator: a date-time with offset Postgres stores (see isTimestampText). */
export function IsTimestamp(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTimestamp',
      validator: {
        validate: (v) => isTimestampText(v),
        defaultMessage: (a) =>
          `${a?.property} must be an ISO-8601 date-time with offset, e.g. 2024-03-31T08:00:00Z`,
      },
    },
    options,
  );
}
