import { Inject, Injectable, type Type } from '@nestjs/common';
import { ALL_CONTRACTS, type CloudEvent, type Producer } from '@kkb/contracts';
import type { EventHandler, HandlerContext } from '@kkb/messaging';
import { FanOutService } from './fan-out.service';

/** The producers whose events notifications takes in: every one but itself. */
export type IntakeProducer = Exclude<Producer, 'notifications'>;

/**
 * The intake handler of one producer's consumer: every event that producer publishes on NATS is
 * recorded, fanned out to webhooks, and to the inbox when it matters (FanOutService). One class
 * per producer, because each durable consumer names its own handlers; the class is named
 * `<Producer>EventsHandler` (the durable's description lists it).
 */
export function producerEventsHandler(producer: IntakeProducer): Type<EventHandler> {
  @Injectable()
  class ProducerEventsHandler implements EventHandler {
    readonly contracts = ALL_CONTRACTS.filter((c) => c.producer === producer && c.transport === 'nats');

    constructor(@Inject(FanOutService) private readonly fanOut: FanOutService) {}

    async handle(event: CloudEvent<object>, { manager }: HandlerContext): Promise<void> {
      await this.fanOut.record(manager, event);
    }
  }
  const name = `${producer[0].toUpperCase()}${producer.slice(1)}EventsHandler`;
  Object.defineProperty(ProducerEventsHandler, 'name', { value: name });
  return ProducerEventsHandler;
}

export const RegistryEventsHandler = producerEventsHandler('registry');
export const SurveyEventsHandler = producerEventsHandler('survey');
export const ClassificationEventsHandler = producerEventsHandler('classification');
