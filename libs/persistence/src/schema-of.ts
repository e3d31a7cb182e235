import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { assertIdentifier } from './identifiers';

/**
 * The quoted schema of a service's data source, for raw SQL: TypeORM's `query` ignores the
 * `schema` option, so every statement names it (`${schemaOf(m)}.kampung`).
 */
export function schemaOf(db: DataSource | EntityManager | QueryRunner): string {
  const options = ('connection' in db ? db.connection : db).options as { schema?: string };
  return `"${assertIdentifier(options.schema ?? 'public', 'schema')}"`;
}
