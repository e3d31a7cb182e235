import { IsTimestamp } from '../dates';
import { IsIn, IsInt, IsNotEmpty, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import { defineEvent } from '../event-contract';

/** Why a subscription was paused automatically. */
export const PAUSE_REASONS = ['consecutive-failures'] as const;

/**
 * The platform paused a webhook subscription whose endpoint kept failing. Its deliveries wait
 * (they are not lost); they resume when the owner resumes the subscription.
 */
export class SubscriptionPausedV1 {
  @IsUUID()
  subscriptionId!: string;

  /** Subject (`sub`) of the integrator that owns the subscription. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  owner!: string;

  @IsIn(PAUSE_REASONS)
  reason!: (typeof PAUSE_REASONS)[number];

  /** Failed attempts in a row when it was paused. */
  @IsInt()
  @Min(1)
  consecutiveFailures!: number;

  @IsTimestamp()
  pausedAt!: string;
}

export const subscriptionPausedV1 = defineEvent({
  producer: 'notifications',
  aggregate: 'subscription',
  verb: 'paused',
  major: 1,
  payload: SubscriptionPausedV1,
  summary: 'A webhook subscription was paused after its endpoint kept failing.',
});
