import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { NotifyPollLoop } from './notify-poll-loop';

/** Waits until `check` holds, polling; generous, so a busy machine does not fail it. */
async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('NotifyPollLoop on a real Postgres', () => {
  const suffix = randomUUID().replace(/-/g, '').slice(0, 12);
  const channel = `kkb_loop_test_${suffix}`;
  const appName = `kkb-loop-test-${suffix}`;
  const admin = new Client({ connectionString: process.env.DATABASE_URL });
  let loop: NotifyPollLoop | undefined;
  let drains = 0;

  beforeAll(() => admin.connect());
  afterAll(() => admin.end());
  afterEach(async () => {
    await loop?.stop();
    loop = undefined;
  });

  const listenerPids = async () =>
    (
      await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
        appName,
      ])
    ).rows.map((r) => r.pid);

  function start() {
    drains = 0;
    loop = new NotifyPollLoop({
      name: 'test',
      channel,
      listen: { connectionString: process.env.DATABASE_URL, application_name: appName },
      pollMs: 600_000, // only NOTIFY (or a reconnect) can wake it within the test
      reconnect: { minMs: 50, maxMs: 200 },
      logger: { warn: () => undefined },
      drain: async () => {
        drains += 1;
      },
    });
    return loop.start();
  }

  it('should drain on a NOTIFY, and LISTEN again after its connection is killed', async () => {
    await start();
    await until(() => drains === 1); // the first drain, at start
    expect(loop?.listening).toBe(true);

    await admin.query('SELECT pg_notify($1, $2)', [channel, '']);
    await until(() => drains === 2);

    const [pid] = await listenerPids();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await until(async () => !!loop?.listening && (await listenerPids()).some((p) => p !== pid));
    await until(() => drains >= 3); // the drain after a reconnect

    const before = drains;
    await admin.query('SELECT pg_notify($1, $2)', [channel, '']);
    await until(() => drains === before + 1);
  });

  it('should close its listener on stop', async () => {
    await start();
    await until(async () => (await listenerPids()).length === 1);
    await loop?.stop();
    loop = undefined;
    await until(async () => (await listenerPids()).length === 0);
  });
});
