import type { EntityManager } from 'typeorm';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { kampungRegisteredV1, type KampungStateV1 } from '@kkb/contracts';
import { startTracing, withSpan, type Tracing } from '@kkb/platform';
import type { MessagingOptions } from './messaging.options';
import { OutboxService } from './outbox.service';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

function newTestService() {
  const query = jest.fn().mockResolvedValue([]);
  const manager = {
    queryRunner: { isTransactionActive: true },
    connection: { options: { schema: 'registry' } },
    query,
  } as unknown as EntityManager;
  const sut = new OutboxService({
    service: 'registry',
    schema: 'registry',
    subjectRoot: 'kkb',
  } as MessagingOptions);
  return { sut, manager, query };
}

const kampung = (name: string): KampungStateV1 => ({
  kampungId: '8a4c1f4e-2d5b-4c1a-9a37-3f2b8e6d9c10',
  villageCode: '16.10.05.2041',
  name,
  launchDate: '2022-03-14',
  active: true,
  modelRegency: false,
  modelProvince: false,
  version: 1,
});

const item = (name: string) => ({
  contract: kampungRegisteredV1,
  event: { subject: `kampung/${name}`, province: '16', data: kampung(name) },
});

describe(OutboxService.name, () => {
  it('should leave the trace columns out when tracing is off', async () => {
    const { sut, manager, query } = newTestService();
    await sut.addMany(manager, [item('a'), item('b')]);
    const [sql, params] = query.mock.calls[0];
    expect(sql).toContain('(id, subject, type, payload)');
    expect(sql).not.toContain('traceparent');
    expect(params).toHaveLength(8);
  });

  describe('with tracing on', () => {
    let tracing: Tracing;
    beforeEach(() => {
      tracing = startTracing({ serviceName: 'test', exporter: new InMemorySpanExporter(), simple: true });
    });
    afterEach(() => tracing.shutdown());

    it('should store the active span as the traceparent of every row it adds', async () => {
      const { sut, manager, query } = newTestService();
      const spanId = await withSpan(
        'POST /api/v1/kampung',
        { parent: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` } },
        async (span) => {
          await sut.addMany(manager, [item('a'), item('b')]);
          return span.spanContext().spanId;
        },
      );
      const [sql, params] = query.mock.calls[0];
      expect(sql).toContain('(id, subject, type, payload, traceparent, tracestate)');
      expect(sql.match(/::jsonb, \$1, \$2\)/g)).toHaveLength(2);
      expect(params.slice(0, 2)).toEqual([`00-${TRACE_ID}-${spanId}-01`, null]);
      expect(params).toHaveLength(10);
    });

    it('should leave the trace columns out for work outside any span', async () => {
      const { sut, manager, query } = newTestService();
      await sut.add(manager, kampungRegisteredV1, item('c').event);
      expect(query.mock.calls[0][0]).not.toContain('traceparent');
    });
  });
});
