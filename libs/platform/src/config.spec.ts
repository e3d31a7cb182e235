import { BaseServiceConfig, ConfigError, loadConfig } from './config';

const GOOD = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/kkb',
  NATS_URL: 'nats://127.0.0.1:4222',
  JWT_SECRET: 'secret',
};
const DEFAULTS = { PORT: 3001, DATABASE_SCHEMA: 'registry', DATABASE_ROLE: 'kkb_registry' };

describe(loadConfig.name, () => {
  it('should apply defaults and convert numbers and booleans from strings', () => {
    const c = loadConfig(BaseServiceConfig, DEFAULTS, {
      ...GOOD,
      DATABASE_POOL_SIZE: '4',
      MIGRATIONS_RUN: 'false',
    });
    expect(c.PORT).toBe(3001);
    expect(c.DATABASE_POOL_SIZE).toBe(4);
    expect(c.MIGRATIONS_RUN).toBe(false);
    expect(c.EVENT_SUBJECT_ROOT).toBe('kkb');
    expect(c.OUTBOX_BATCH_SIZE).toBe(256);
  });

  it('should let the environment override a default port', () => {
    expect(loadConfig(BaseServiceConfig, DEFAULTS, { ...GOOD, PORT: '4001' }).PORT).toBe(4001);
  });

  it('should name every bad variable with the reason and the value it got', () => {
    let error: unknown;
    try {
      loadConfig(BaseServiceConfig, DEFAULTS, {
        ...GOOD,
        PORT: 'eighty',
        NATS_URL: 'http://x',
        MIGRATIONS_RUN: 'maybe',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/PORT: .*integer.*\(got "eighty"\)/);
    expect(message).toMatch(/NATS_URL: must be a nats:\/\/ URL/);
    expect(message).toMatch(/MIGRATIONS_RUN: .*boolean.*\(got "maybe"\)/);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
      'MIGRATIONS_RUN',
      'NATS_URL',
      'PORT',
    ]);
  });

  it('should read the NATS user and password, and refuse one without the other', () => {
    const c = loadConfig(BaseServiceConfig, DEFAULTS, {
      ...GOOD,
      NATS_USER: 'registry',
      NATS_PASSWORD: 'pw',
    });
    expect([c.NATS_USER, c.NATS_PASSWORD]).toEqual(['registry', 'pw']);
    expect(loadConfig(BaseServiceConfig, DEFAULTS, GOOD).NATS_USER).toBeUndefined();
    for (const env of [{ NATS_USER: 'registry' }, { NATS_PASSWORD: 'pw' }]) {
      let error: unknown;
      try {
        loadConfig(BaseServiceConfig, DEFAULTS, { ...GOOD, ...env });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect(String((error as Error).message)).toMatch(/NATS_(USER|PASSWORD).*together/);
    }
  });

  it('should refuse to start without a database URL or a JWT key', () => {
    expect(() => loadConfig(BaseServiceConfig, DEFAULTS, { NATS_URL: GOOD.NATS_URL })).toThrow(
      /DATABASE_URL: must be a postgres:\/\/ URL \(got nothing\)[\s\S]*JWT_SECRET: set JWT_SECRET/,
    );
  });
});
