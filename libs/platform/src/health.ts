import { Controller, Get, Global, Injectable, Module } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TerminusModule,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Public } from '@kkb/auth';

type Check = () => Promise<void>;

export class LivenessView {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';
}

/** Other modules add what readiness depends on (NATS, a consumer...) when they start. */
@Injectable()
export class ReadinessRegistry {
  readonly checks = new Map<string, Check>();

  add(name: string, check: Check): void {
    this.checks.set(name, check);
  }
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessRegistry,
  ) {}

  /** The process is up and its event loop answers. */
  @Public()
  @Get('live')
  @ApiOkResponse({ type: LivenessView })
  live(): LivenessView {
    return { status: 'ok' };
  }

  /** Postgres answers and every registered dependency (NATS...) is usable. */
  @Public()
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 2000 }),
      ...[...this.readiness.checks].map(([name, check]) => async () => {
        const session = this.indicators.check(name);
        try {
          await check();
          return session.up();
        } catch (err) {
          return session.down({ message: (err as Error).message });
        }
      }),
    ]);
  }
}

@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' })],
  controllers: [HealthController],
  providers: [ReadinessRegistry],
  exports: [ReadinessRegistry],
})
export class HealthModule {}
