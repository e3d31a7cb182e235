/** `YYYY-MM-01` of a period. */
export const periodDate = (p: { year: number; month: number }): string =>
  `${p.year}-${String(p.month).padStart(2, '0')}-01`;

/** `{ year, month }` of a `YYYY-MM-DD` date. */
export const periodOf = (date: string | null): { year: number; month: number } | null =>
  date ? { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)) } : null;
