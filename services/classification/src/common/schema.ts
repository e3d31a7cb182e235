import type { DataSource, EntityManager } from 'typeorm';

/** The quoted schema of the service: raw SQL is schema-qualified (TypeORM's query ignores the schema option). */
export const schemaOf = (m: EntityManager | DataSource): string => {
  const options = ('connection' in m ? m.connection : m).options as { schema: string };
  return `"${options.schema}"`;
};

/** `YYYY-MM-01` of a period. */
export const periodDate = (p: { year: number; month: number }): string =>
  `${p.year}-${String(p.month).padStart(2, '0')}-01`;

/** `{ year, month }` of a `YYYY-MM-DD` date. */
export const periodOf = (date: string | null): { year: number; month: number } | null =>
  date ? { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)) } : null;
