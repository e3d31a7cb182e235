/** Schema and role names end up inside SQL text, so they are checked, never escaped. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertIdentifier(name: string, what = 'identifier'): string {
  if (!IDENTIFIER.test(name)) {
    throw new Error(`${what} '${name}' must be lower-case letters, digits and underscores (max 63)`);
  }
  return name;
}

/** A schema-qualified, quoted table name for raw SQL: TypeORM's `query` ignores the `schema` option. */
export function qualified(schema: string, table: string): string {
  return `"${assertIdentifier(schema, 'schema')}"."${assertIdentifier(table, 'table')}"`;
}
