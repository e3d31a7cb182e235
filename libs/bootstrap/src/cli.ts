import { OutboxRelayService } from '@kkb/messaging';
import { ConfigError, type BaseServiceConfig } from '@kkb/platform';
import type { ServiceDefinition } from './service-definition';
import {
  loadServiceConfig,
  migrateService,
  provisionService,
  revertService,
  startService,
} from './service-runtime';

const USAGE = `usage: main.js [serve|migrate|migrate:down [n]|provision]
  serve          run the service (default)
  migrate        run pending migrations, then exit
  migrate:down   revert the last n migrations (default 1), then exit
  provision      create the service's role and schema (admin DATABASE_URL), then exit`;

/** The entry point of every service's main.ts. */
export async function runServiceCli<C extends BaseServiceConfig>(
  def: ServiceDefinition<C>,
  argv = process.argv.slice(2),
): Promise<void> {
  const [command = 'serve', arg] = argv;
  let config: C;
  try {
    config = loadServiceConfig(def);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${def.name}: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  try {
    switch (command) {
      case 'serve': {
        const app = await startService(def, config);
        process.stdout.write(`${def.name} listening on http://${config.HOST}:${config.PORT}\n`);
        process.on('SIGINT', () => void app.close().then(() => process.exit(0)));
        return;
      }
      case 'migrate': {
        const ran = await migrateService(def, config);
        process.stdout.write(
          `${def.name}: ${ran.length ? `ran ${ran.join(', ')}` : 'no pending migrations'}\n`,
        );
        return;
      }
      case 'migrate:down': {
        const n = await revertService(def, config, arg ? Number(arg) : 1);
        process.stdout.write(`${def.name}: reverted ${n} migration(s)\n`);
        return;
      }
      case 'provision': {
        await provisionService(def, config, process.env.DATABASE_ROLE_PASSWORD);
        process.stdout.write(
          `${def.name}: role ${config.DATABASE_ROLE} and schema ${config.DATABASE_SCHEMA} ready\n`,
        );
        return;
      }
      default: {
        const extra = def.commands?.[command];
        if (!extra) {
          const more = Object.entries(def.commands ?? {})
            .map(([n, c]) => `\n  ${n.padEnd(15)}${c.description}`)
            .join('');
          process.stderr.write(`${USAGE}${more}\n`);
          process.exit(64);
        }
        const app = await startService(def, config, { listen: false });
        try {
          process.stdout.write(`${await extra.run(app, argv.slice(1))}\n`);
          await app.get(OutboxRelayService).drain();
        } finally {
          await app.close();
        }
        return;
      }
    }
  } catch (err) {
    process.stderr.write(`${def.name} ${command} failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  }
}
