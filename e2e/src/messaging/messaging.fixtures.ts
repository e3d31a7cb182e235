import { randomUUID } from 'node:crypto';
import {
  Controller,
  Injectable,
  Module,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { Observable } from 'rxjs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import type { ServiceDefinition } from '@kkb/bootstrap';
import { kampungRegisteredV1, provinceOf, type CloudEvent, type KampungStateV1 } from '@kkb/contracts';
import { BaseServiceConfig } from '@kkb/platform';
import {
  CreateMessagingTables1764300000000,
  OutboxService,
  EventContext,
  EventPatternOf,
  PermanentEventError,
} from '@kkb/messaging';

class TestConfig extends BaseServiceConfig {}

const schemaOf = (qr: QueryRunner) => (qr.connection.options as { schema: string }).schema;

class CreateHandled1764399999999 implements MigrationInterface {
  name = 'CreateHandled1764399999999';
  async up(qr: QueryRunner): Promise<void> {
    await qr.query(
      `CREATE TABLE "${schemaOf(qr)}".handled (kampung_id uuid PRIMARY KEY, name text NOT NULL, n int NOT NULL)`,
    );
  }
  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP TABLE "${schemaOf(qr)}".handled`);
  }
}

/** Registers a kampung-like row: the state change is the outbox row itself plus nothing else. */
@Injectable()
export class TestProducer {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  async register(name: string, villageCode = '16.10.05.2041'): Promise<CloudEvent<KampungStateV1>> {
    return this.ds.transaction((m) =>
      this.outbox.add(m, kampungRegisteredV1, {
        subject: `kampung/${name}`,
        province: provinceOf(villageCode),
        data: {
          kampungId: randomUUID(),
          villageCode,
          name,
          launchDate: '2022-03-14',
          active: true,
          modelRegency: false,
          modelProvince: false,
          version: 1,
        },
      }),
    );
  }
}

/** Failure plans by kampung name, and how often each was attempted. */
export const plans = new Map<string, 'fail-twice' | 'fail-always' | 'permanent'>();
export const attempts = new Map<string, number>();

/** Event ids an interceptor saw, with the context type Nest gave it: interceptors wrap events too. */
export const intercepted: { id: string; type: string; deliveryCount: number }[] = [];

@Injectable()
class RecordingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const rpc = context.switchToRpc();
    intercepted.push({
      id: rpc.getData<CloudEvent<object>>().id,
      type: context.getType(),
      deliveryCount: rpc.getContext<EventContext>().getDeliveryCount(),
    });
    return next.handle();
  }
}

/**
 * A deliberately non-idempotent effect (n = n + 1): only the inbox stands between a redelivery
 * and a double count.
 */
@Controller()
@UseInterceptors(RecordingInterceptor)
export class CountingHandler {
  @EventPatternOf(kampungRegisteredV1)
  async count(@Payload() event: CloudEvent<KampungStateV1>, @Ctx() ctx: EventContext): Promise<void> {
    const manager = ctx.getManager();
    const deliveryCount = ctx.getDeliveryCount();
    const name = event.data.name;
    attempts.set(name, (attempts.get(name) ?? 0) + 1);
    const schema = (manager.connection.options as { schema: string }).schema;
    await manager.query(
      `INSERT INTO "${schema}".handled (kampung_id, name, n) VALUES ($1, $2, 1)
       ON CONFLICT (kampung_id) DO UPDATE SET n = handled.n + 1`,
      [event.data.kampungId, name],
    );
    const plan = plans.get(name);
    if (plan === 'permanent') throw new PermanentEventError(`kampung ${name} can never be handled`);
    if (plan === 'fail-always') throw new Error(`transient failure for ${name}`);
    if (plan === 'fail-twice' && deliveryCount <= 2)
      throw new Error(`transient failure ${deliveryCount} for ${name}`);
  }
}

@Module({ providers: [TestProducer] })
class TestProducerModule {}

@Module({ controllers: [CountingHandler], providers: [RecordingInterceptor] })
class TestConsumerModule {}

export const producerDef: ServiceDefinition<TestConfig> = {
  name: 'registry',
  title: 'test producer',
  description: 'test producer',
  defaultPort: 0,
  configClass: TestConfig,
  migrations: [CreateMessagingTables1764300000000],
  consumers: [],
  modules: () => [TestProducerModule],
};

export const consumerDef: ServiceDefinition<TestConfig> = {
  name: 'survey',
  title: 'test consumer',
  description: 'test consumer',
  defaultPort: 0,
  configClass: TestConfig,
  migrations: [CreateMessagingTables1764300000000, CreateHandled1764399999999],
  consumers: [{ durable: 'survey-test-kampung', from: 'registry', filter: 'kampung.>' }],
  modules: () => [TestConsumerModule],
};
