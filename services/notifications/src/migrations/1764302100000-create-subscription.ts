import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

export class CreateSubscription1764302100000 implements MigrationInterface {
  name = 'CreateSubscription1764302100000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      CREATE TABLE ${s}.subscription (
        id uuid NOT NULL,
        owner text NOT NULL,
        url text NOT NULL,
        description text,
        event_types text[] NOT NULL,
        type_pattern text NOT NULL,
        region_prefix text NOT NULL DEFAULT '',
        status text NOT NULL DEFAULT 'active',
        status_reason text,
        consecutive_failures integer NOT NULL DEFAULT 0,
        secret_ciphertext text NOT NULL,
        previous_secret_ciphertext text,
        previous_secret_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT subscription_pkey PRIMARY KEY (id),
        CONSTRAINT subscription_status_check CHECK (status IN ('active', 'paused', 'gone')),
        CONSTRAINT subscription_region_prefix_check
          CHECK (region_prefix ~ '^([0-9]{2}([0-9]{2}([0-9]{2}([0-9]{4})?)?)?)?$'),
        CONSTRAINT subscription_event_types_check CHECK (cardinality(event_types) BETWEEN 1 AND 20)
      )`);
    await qr.query(`CREATE INDEX subscription_owner_idx ON ${s}.subscription (owner, created_at, id)`);
    await qr.query(`CREATE INDEX subscription_active_idx ON ${s}.subscription (id) WHERE status = 'active'`);
    const comments: [string, string][] = [
      ['', 'Webhook subscriptions of integrators: endpoint, event type patterns, region filter'],
      ['owner', 'Subject (sub) of the token that created it; only that subject may see or change it'],
      ['url', 'Endpoint deliveries are POSTed to (http or https; checked against SSRF at save and send)'],
      [
        'event_types',
        'NATS-style patterns over the event type, e.g. kkb.classification.> or kkb.*.kampung.*.v1',
      ],
      ['type_pattern', 'The patterns compiled to one anchored regular expression, matched in SQL'],
      ['region_prefix', "Compact region code prefix the events must lie under; '' is the whole country"],
      [
        'status',
        'active; paused (by its owner or after repeated failures); gone (the endpoint answered 410)',
      ],
      ['consecutive_failures', 'Failed attempts in a row across its deliveries; reset by a success'],
      ['secret_ciphertext', 'Signing secret (whsec_...), AES-256-GCM encrypted with WEBHOOK_SECRET_KEY'],
      ['previous_secret_ciphertext', 'The secret before the last rotation; still signs until it expires'],
      ['previous_secret_expires_at', 'End of the grace period of the previous secret'],
    ];
    for (const [column, text] of comments) {
      await qr.query(
        column
          ? `COMMENT ON COLUMN ${s}.subscription.${column} IS '${text.replace(/'/g, "''")}'`
          : `COMMENT ON TABLE ${s}.subscription IS '${text.replace(/'/g, "''")}'`,
      );
    }
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP TABLE ${schemaOf(qr)}.subscription`);
  }
}
