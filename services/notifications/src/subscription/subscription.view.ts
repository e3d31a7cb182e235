import { PageOf } from '@kkb/platform';
import { ApiProperty } from '@nestjs/swagger';
import { dottedRegion } from '../common/sql';

export type SubscriptionStatus = 'active' | 'paused' | 'gone';

export interface SubscriptionRow {
  id: string;
  owner: string;
  url: string;
  description: string | null;
  event_types: string[];
  type_pattern: string;
  region_prefix: string;
  status: SubscriptionStatus;
  status_reason: string | null;
  consecutive_failures: number;
  secret_ciphertext: string;
  previous_secret_ciphertext: string | null;
  previous_secret_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A subscription as the API shows it: never its secret. */
export class SubscriptionView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'https://dashboard.sumsel.example/hooks/kkb' })
  url!: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ type: [String], example: ['kkb.classification.>', 'kkb.registry.kampung.registered.v1'] })
  eventTypes!: string[];

  @ApiProperty({ description: "Region code prefix (dotted); '' is the whole country", example: '16' })
  region!: string;

  @ApiProperty({ enum: ['active', 'paused', 'gone'] })
  status!: SubscriptionStatus;

  @ApiProperty({ type: String, nullable: true, example: 'consecutive-failures' })
  statusReason!: string | null;

  @ApiProperty({ description: 'Failed attempts in a row' })
  consecutiveFailures!: number;

  @ApiProperty({ type: String, nullable: true, description: 'Until when the previous secret still signs' })
  previousSecretExpiresAt!: string | null;

  @ApiProperty()
  createdAt!: string;

  @ApiProperty()
  updatedAt!: string;
}

/** What creation and rotation return: the only time the secret is shown. */
export class SubscriptionWithSecret extends SubscriptionView {
  @ApiProperty({ description: 'Signing secret (Standard Webhooks, whsec_...): shown once, store it' })
  secret!: string;
}

export function toSubscriptionView(r: SubscriptionRow): SubscriptionView {
  const expires = r.previous_secret_expires_at;
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    eventTypes: r.event_types,
    region: dottedRegion(r.region_prefix),
    status: r.status,
    statusReason: r.status_reason,
    consecutiveFailures: r.consecutive_failures,
    previousSecretExpiresAt: expires && expires.getTime() > Date.now() ? expires.toISOString() : null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export class SubscriptionPage extends PageOf(SubscriptionView) {}

export class PingResultView {
  @ApiProperty({ description: 'The endpoint answered 2xx' }) delivered!: boolean;
  @ApiProperty({ type: Number, nullable: true }) statusCode!: number | null;
  @ApiProperty() latencyMs!: number;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
}

export class ReplayResultView {
  @ApiProperty({ format: 'uuid', description: 'Origin id of the deliveries this replay made' })
  replayId!: string;
  @ApiProperty({ description: 'Deliveries queued' }) deliveries!: number;
}
