import type { EntityManager } from 'typeorm';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { kampungRegisteredV1, type KampungStateV1 } from '@kkb/contracts';
import { startTracing, withSpan, type Tracing } from '@kkb/platform';
import type { MessagingOptions } from './messaging.options';
import { OutboxService, shapeOf } from './outbox.service';

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

  describe('checking events against their contract', () => {
    it('should refuse an event that breaks its contract, naming the field, and write nothing', async () => {
      const { sut, manager, query } = newTestService();
      const bad = { ...kampung('x'), villageCode: 1610 } as unknown as KampungStateV1;
      await expect(
        sut.add(manager, kampungRegisteredV1, { subject: 'kampung/x', province: '16', data: bad }),
      ).rejects.toThrow(/does not meet its contract: data.villageCode/);
      expect(query).not.toHaveBeenCalled();
    });

    it('should check each new shape, even after valid events of another shape', async () => {
      const { sut, manager } = newTestService();
      await sut.add(manager, kampungRegisteredV1, item('a').event);
      const { version: _, ...noVersion } = kampung('b');
      await expect(
        sut.add(manager, kampungRegisteredV1, {
          subject: 'kampung/b',
          province: '16',
          data: noVersion as KampungStateV1,
        }),
      ).rejects.toThrow(/data.version/);
    });

    it('should not check a shape it has checked again (a bad value there is left to the consumers)', async () => {
      const { sut, manager, query } = newTestService();
      await sut.add(manager, kampungRegisteredV1, item('a').event);
      const badValue = { ...kampung('c'), villageCode: 'not-a-village' };
      await sut.add(manager, kampungRegisteredV1, { subject: 'kampung/c', province: '16', data: badValue });
      expect(query).toHaveBeenCalledTimes(2);
      // A fresh service (another process) checks it, and refuses it.
      const other = newTestService();
      await expect(
        other.sut.add(other.manager, kampungRegisteredV1, {
          subject: 'kampung/c',
          province: '16',
          data: badValue,
        }),
      ).rejects.toThrow(/data.villageCode/);
    });
  });

  it('shapeOf should tell keys and value types apart, not values', () => {
    expect(shapeOf({ a: 'x', b: [1, 2], c: null, d: { e: true } })).toBe(
      '{"a":s,"b":[d],"c":n,"d":{"e":b,},}',
    );
    expect(shapeOf({ a: 'y', b: [3], c: null, d: { e: false } })).toBe(
      shapeOf({ a: 'x', b: [1, 2], c: null, d: { e: true } }),
    );
    expect(shapeOf({ a: 'x' })).not.toBe(shapeOf({ a: 1 }));
    expect(shapeOf({ a: 'x' })).not.toBe(shapeOf({ b: 'x' }));
    expect(shapeOf([1, 'a'])).toBe('[d|s]');
  });
});
