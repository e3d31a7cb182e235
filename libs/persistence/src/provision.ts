import { Client } from 'pg';
import { assertIdentifier } from './identifiers';

export interface ProvisionSpec {
  schema: string;
  role: string;
  /** Set for a login role (production); omitted, the role cannot log in and is used through SET ROLE. */
  password?: string;
}

/**
 * Creates the service's role and schema if missing (idempotent; safe to run from several
 * replicas at once). The role owns its schema and is granted nothing else, so it can reach only
 * its own data. Needs a user allowed to create roles.
 */
export async function provisionServiceDatabase(adminUrl: string, spec: ProvisionSpec): Promise<void> {
  const schema = assertIdentifier(spec.schema, 'schema');
  const role = assertIdentifier(spec.role, 'role');
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    // Serialises concurrent provisioning of the same role (CREATE ROLE has no IF NOT EXISTS).
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`kkb-provision:${role}`]);
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (!exists.rowCount) {
      const login = spec.password ? `LOGIN PASSWORD ${client.escapeLiteral(spec.password)}` : 'NOLOGIN';
      await client.query(`CREATE ROLE "${role}" ${login}`);
    } else if (spec.password) {
      await client.query(`ALTER ROLE "${role}" LOGIN PASSWORD ${client.escapeLiteral(spec.password)}`);
    }
    // A non-superuser admin must be a member of the role to SET ROLE to it and to hand it a schema.
    const me = await client.query<{ rolsuper: boolean; rolname: string }>(
      'SELECT rolsuper, rolname FROM pg_roles WHERE rolname = current_user',
    );
    if (!me.rows[0]?.rolsuper) await client.query(`GRANT "${role}" TO "${me.rows[0].rolname}"`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}" AUTHORIZATION "${role}"`);
    await client.query(`ALTER SCHEMA "${schema}" OWNER TO "${role}"`);
    await client.query(`REVOKE ALL ON SCHEMA "${schema}" FROM PUBLIC`);
    await client.query(`ALTER ROLE "${role}" SET search_path = "${schema}"`);
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`kkb-provision:${role}`]);
  } finally {
    await client.end();
  }
}

/** Drops a schema with everything in it and its role: for test runs only. */
export async function dropServiceDatabase(adminUrl: string, spec: ProvisionSpec): Promise<void> {
  const schema = assertIdentifier(spec.schema, 'schema');
  const role = assertIdentifier(spec.role, 'role');
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (exists.rowCount) {
      await client.query(`DROP OWNED BY "${role}" CASCADE`);
      await client.query(`DROP ROLE "${role}"`);
    }
  } finally {
    await client.end();
  }
}
