import { Controller, Get, Global, Header, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@kkb/auth';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';

/**
 * One Prometheus registry per application (not prom-client's global one), so several services
 * can run in one process in tests without their metrics colliding.
 */
export class MetricsRegistry extends Registry {
  counter<T extends string>(cfg: Omit<CounterConfiguration<T>, 'registers'>): Counter<T> {
    return (this.getSingleMetric(cfg.name) as Counter<T>) ?? new Counter({ ...cfg, registers: [this] });
  }

  gauge<T extends string>(cfg: Omit<GaugeConfiguration<T>, 'registers'>): Gauge<T> {
    return (this.getSingleMetric(cfg.name) as Gauge<T>) ?? new Gauge({ ...cfg, registers: [this] });
  }

  histogram<T extends string>(cfg: Omit<HistogramConfiguration<T>, 'registers'>): Histogram<T> {
    return (this.getSingleMetric(cfg.name) as Histogram<T>) ?? new Histogram({ ...cfg, registers: [this] });
  }
}

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly registry: MetricsRegistry) {}

  @Public()
  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: MetricsRegistry,
      useFactory: () => {
        const registry = new MetricsRegistry();
        collectDefaultMetrics({ register: registry });
        return registry;
      },
    },
  ],
  exports: [MetricsRegistry],
})
export class MetricsModule {}
