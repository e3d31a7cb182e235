import { IsTimestamp } from '../dates';
import {
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { EVENT_TYPE } from '../envelope';
import { defineEvent } from '../event-contract';

/**
 * A webhook delivery used up every attempt of its retry schedule without a 2xx answer. The event
 * stays in the subscription's delivery log; its owner can redeliver it or replay a time range.
 */
export class DeliveryFailedV1 {
  @IsUUID()
  deliveryId!: string;

  @IsUUID()
  subscriptionId!: string;

  /** The platform event that could not be delivered (its CloudEvents `id`). */
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  eventId!: string;

  @Matches(EVENT_TYPE, {
    message: 'eventType must look like kkb.<producer>.<aggregate>.<past-verb>.v<major>',
  })
  eventType!: string;

  @IsInt()
  @Min(1)
  attempts!: number;

  /** HTTP status of the last attempt; absent when it got no response (timeout, connection refused). */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(599)
  lastStatus?: number;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  lastError?: string;

  @IsTimestamp()
  failedAt!: string;
}

export const deliveryFailedV1 = defineEvent({
  producer: 'notifications',
  aggregate: 'delivery',
  verb: 'failed',
  major: 1,
  payload: DeliveryFailedV1,
  summary: 'A webhook delivery exhausted its retry schedule without being accepted.',
});
