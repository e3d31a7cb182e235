import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { mintToken, Role } from '@kkb/auth';
import { dropServiceDatabase } from '@kkb/persistence';

export const TEST_JWT_SECRET = 'kkb-test-secret';

/**
 * Names for one test run: its own schemas, roles, subject root and stream prefix, so runs on a
 * shared Postgres and NATS never see each other. `cleanup()` removes all of it.
 */
export class TestRun {
  readonly id = randomBytes(4).toString('hex');
  readonly databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  readonly natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  readonly subjectRoot = `t${this.id}`;
  readonly streamPrefix = `T${this.id.toUpperCase()}`;
  private readonly schemas = new Set<string>();

  schema(service: string): string {
    const s = `${service}_${this.id}`;
    this.schemas.add(s);
    return s;
  }

  role(service: string): string {
    return `kkb_${service}_${this.id}`;
  }

  /** Environment for one service of this run (merge over process.env when loading config). */
  env(service: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      DATABASE_URL: this.databaseUrl,
      NATS_URL: this.natsUrl,
      DATABASE_SCHEMA: this.schema(service),
      DATABASE_ROLE: this.role(service),
      EVENT_SUBJECT_ROOT: this.subjectRoot,
      EVENT_STREAM_PREFIX: this.streamPrefix,
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'warn',
      PORT: '0',
      DATABASE_POOL_SIZE: '4',
      OUTBOX_POLL_MS: '200',
      // Tests import the regions they need themselves.
      REGIONS_AUTO_IMPORT: 'false',
      ...extra,
    };
  }

  token(role: Role = Role.national, scope = ''): string {
    return mintToken({ role, scope, sub: `test-${role}`, secret: TEST_JWT_SECRET });
  }

  async cleanup(): Promise<void> {
    for (const s of this.schemas) {
      const service = s.slice(0, -this.id.length - 1);
      await dropServiceDatabase(this.databaseUrl, { schema: s, role: this.role(service) });
    }
    const nc = await connect({ servers: this.natsUrl.split(',') });
    try {
      const jsm = await jetstreamManager(nc);
      for await (const name of jsm.streams.names()) {
        if (name.startsWith(`${this.streamPrefix}_`)) await jsm.streams.delete(name);
      }
    } finally {
      await nc.close();
    }
  }
}

export { Role };
