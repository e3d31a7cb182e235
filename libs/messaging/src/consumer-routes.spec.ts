import type { MessageHandler } from '@nestjs/microservices';
import { kampungRegisteredV1, kampungUpdatedV1, submissionVerifiedV1, webhookPingV1 } from '@kkb/contracts';
import { bindConsumers, subjectMatches } from './consumer-routes';
import type { ConsumerSpec } from './messaging.options';

const handler = (extra: Partial<MessageHandler> = {}): MessageHandler =>
  Object.assign(jest.fn(), { isEventHandler: true, ...extra }) as unknown as MessageHandler;

const kampung: ConsumerSpec = { durable: 'c-kampung', from: 'registry', filter: 'kampung.>' };
const verified: ConsumerSpec = {
  durable: 'c-verified',
  from: 'survey',
  filter: 'submission.verified.>',
  concurrency: 4,
};

describe('subjectMatches', () => {
  it.each([
    ['kkb.registry.>', 'kkb.registry.kampung.registered.v1.16', true],
    ['kkb.registry.kampung.>', 'kkb.registry.regions.imported.v1.00', false],
    ['kkb.*.kampung.registered.v1.*', 'kkb.registry.kampung.registered.v1.16', true],
    ['kkb.registry.kampung.registered.v1', 'kkb.registry.kampung.registered.v1.16', false],
    ['kkb.registry.>', 'kkb.registry', false],
    ['kkb.registry.kampung.registered.v1.16', 'kkb.registry.kampung.registered.v1.16', true],
  ])('%s takes %s: %s', (filter, subject, expected) => {
    expect(subjectMatches(filter, subject)).toBe(expected);
  });
});

describe('bindConsumers', () => {
  it('should give each handled type to the durable that reads it, with its contract', () => {
    const onKampung = handler();
    const onVerified = handler();
    const bindings = bindConsumers(
      [kampung, verified],
      new Map([
        [kampungRegisteredV1.type, onKampung],
        [kampungUpdatedV1.type, onKampung],
        [submissionVerifiedV1.type, onVerified],
      ]),
      'T1',
    );
    expect(bindings.map((b) => [b.durable, b.stream, b.concurrency, [...b.routes.keys()]])).toEqual([
      ['c-kampung', 'T1_REGISTRY', 1, [kampungRegisteredV1.type, kampungUpdatedV1.type]],
      ['c-verified', 'T1_SURVEY', 4, [submissionVerifiedV1.type]],
    ]);
    expect(bindings[1].routes.get(submissionVerifiedV1.type)).toEqual({
      contract: submissionVerifiedV1,
      handler: onVerified,
    });
  });

  it('should refuse every wiring mistake at start, naming each', () => {
    const wrong = () =>
      bindConsumers(
        [kampung, verified, { durable: 'c-idle', from: 'classification', filter: '>' }],
        new Map([
          [kampungRegisteredV1.type, handler({ next: handler() })],
          [submissionVerifiedV1.type, handler()],
          ['kkb.registry.kampung.renamed.v1', handler()],
          [webhookPingV1.type, handler()],
          ['kkb.survey.submission.submitted.v1', handler()],
          [kampungUpdatedV1.type, handler({ isEventHandler: false })],
        ]),
        'T1',
      );
    expect(wrong).toThrow(/two @EventPattern methods handle kkb\.registry\.kampung\.registered\.v1/);
    expect(wrong).toThrow(/'kkb\.registry\.kampung\.renamed\.v1'\) names no NATS event/);
    expect(wrong).toThrow(/'kkb\.notifications\.webhook\.ping\.v1'\) names no NATS event/);
    expect(wrong).toThrow(/no durable consumer reads kkb\.survey\.submission\.submitted\.v1/);
    expect(wrong).toThrow(/kkb\.registry\.kampung\.updated\.v1' is a @MessagePattern/);
    expect(wrong).toThrow(/durable c-idle has no @EventPattern handler/);
  });

  it('should refuse a type that two durables read', () => {
    expect(() =>
      bindConsumers(
        [kampung, { durable: 'c-all', from: 'registry', filter: '>' }],
        new Map([[kampungRegisteredV1.type, handler()]]),
        'T1',
      ),
    ).toThrow(/read by several durables \(c-kampung, c-all\)/);
  });
});
