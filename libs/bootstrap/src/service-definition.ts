import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ConsumerSpec } from '@kkb/messaging';
import type { BaseServiceConfig } from '@kkb/platform';
import type { Producer } from '@kkb/contracts';

/** Everything that makes one service: the bootstrap code turns it into an app, a migrator, a CLI. */
export interface ServiceDefinition<C extends BaseServiceConfig = BaseServiceConfig> {
  name: Producer;
  title: string;
  description: string;
  defaultPort: number;
  configClass: new () => C;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  consumers: ConsumerSpec[];
  /** Feature modules of the service (controllers, providers, handlers). */
  modules(config: C): Type<unknown>[];
  /** Extra CLI commands (`main.js <name> [args]`), run inside the started (not listening) app. */
  commands?: Record<string, ServiceCommand>;
}

export interface ServiceCommand {
  description: string;
  /** Returns what to print. Events it writes are published before the app closes. */
  run(app: NestFastifyApplication, args: string[]): Promise<string>;
}
