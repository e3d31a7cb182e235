import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

export class CreateInboxItem1764302300000 implements MigrationInterface {
  name = 'CreateInboxItem1764302300000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      CREATE TABLE ${s}.inbox_item (
        id uuid NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        dedupe_key text NOT NULL,
        kind text NOT NULL,
        region_code text NOT NULL DEFAULT '',
        recipient text,
        title text NOT NULL,
        body text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        occurred_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inbox_item_pkey PRIMARY KEY (id),
        CONSTRAINT inbox_item_seq_key UNIQUE (seq),
        CONSTRAINT inbox_item_dedupe_key_key UNIQUE (dedupe_key),
        CONSTRAINT inbox_item_kind_check CHECK (kind IN
          ('kampung-registered', 'level-changed', 'submission-rejected', 'report-overdue', 'subscription-paused'))
      )`);
    await qr.query(
      `CREATE INDEX inbox_item_region_idx ON ${s}.inbox_item (region_code text_pattern_ops, seq) WHERE recipient IS NULL`,
    );
    await qr.query(
      `CREATE INDEX inbox_item_recipient_idx ON ${s}.inbox_item (recipient, seq) WHERE recipient IS NOT NULL`,
    );
    await comment(
      qr,
      s,
      'inbox_item',
      '',
      'In-app notifications: one per event that matters to a region (seen by every officer whose scope covers region_code), or one for a single recipient',
    );
    await comment(
      qr,
      s,
      'inbox_item',
      'dedupe_key',
      'The event id (or a notice key): one item per event, however often it is redelivered',
    );
    await comment(
      qr,
      s,
      'inbox_item',
      'region_code',
      "Compact region code the item is about; '' for the whole country",
    );
    await comment(
      qr,
      s,
      'inbox_item',
      'recipient',
      'Token subject of the one recipient; null for a regional item',
    );

    await qr.query(`
      CREATE TABLE ${s}.recipient (
        sub text NOT NULL,
        role text NOT NULL,
        scope text NOT NULL,
        email text,
        digest boolean NOT NULL DEFAULT false,
        digest_from_seq bigint NOT NULL DEFAULT 0,
        read_through_seq bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT recipient_pkey PRIMARY KEY (sub)
      )`);
    await comment(
      qr,
      s,
      'recipient',
      '',
      'Officers known to the service: their role and scope (from their last token) and e-mail preferences',
    );
    await comment(qr, s, 'recipient', 'digest', 'Opted in to e-mail digests of new inbox items');
    await comment(
      qr,
      s,
      'recipient',
      'digest_from_seq',
      'Items after this inbox seq are digested (set at opt-in, so history is not mailed)',
    );
    await comment(
      qr,
      s,
      'recipient',
      'read_through_seq',
      'Mark all read: every item up to this seq counts as read',
    );

    await qr.query(`
      CREATE TABLE ${s}.inbox_read (
        recipient text NOT NULL,
        item_id uuid NOT NULL,
        read_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inbox_read_pkey PRIMARY KEY (recipient, item_id),
        CONSTRAINT inbox_read_item_id_fkey FOREIGN KEY (item_id) REFERENCES ${s}.inbox_item (id) ON DELETE CASCADE
      )`);
    await comment(qr, s, 'inbox_read', '', 'Items a recipient marked read one by one');

    await qr.query(`
      CREATE TABLE ${s}.email_digest (
        id uuid NOT NULL,
        recipient text NOT NULL,
        email text NOT NULL,
        item_count integer NOT NULL,
        message_id text,
        sent_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT email_digest_pkey PRIMARY KEY (id),
        CONSTRAINT email_digest_recipient_fkey FOREIGN KEY (recipient) REFERENCES ${s}.recipient (sub) ON DELETE CASCADE
      )`);
    await comment(qr, s, 'email_digest', '', 'Digest mails sent');
    await qr.query(`
      CREATE TABLE ${s}.email_digest_item (
        recipient text NOT NULL,
        item_id uuid NOT NULL,
        digest_id uuid NOT NULL,
        CONSTRAINT email_digest_item_pkey PRIMARY KEY (recipient, item_id),
        CONSTRAINT email_digest_item_digest_id_fkey FOREIGN KEY (digest_id) REFERENCES ${s}.email_digest (id) ON DELETE CASCADE,
        CONSTRAINT email_digest_item_item_id_fkey FOREIGN KEY (item_id) REFERENCES ${s}.inbox_item (id) ON DELETE CASCADE
      )`);
    await comment(
      qr,
      s,
      'email_digest_item',
      '',
      'Which items each digest listed: an item is mailed to a recipient at most once',
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    for (const t of ['email_digest_item', 'email_digest', 'inbox_read', 'recipient', 'inbox_item']) {
      await qr.query(`DROP TABLE ${s}.${t}`);
    }
  }
}

async function comment(qr: QueryRunner, s: string, table: string, column: string, text: string) {
  const target = column ? `COLUMN ${s}.${table}.${column}` : `TABLE ${s}.${table}`;
  await qr.query(`COMMENT ON ${target} IS '${text.replace(/'/g, "''")}'`);
}
