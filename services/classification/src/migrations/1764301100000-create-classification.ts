import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

const LEVEL_CHECK = `IN ('dasar', 'berkembang', 'mandiri', 'berkelanjutan')`;

/**
 * The classification tables: rule sets (immutable once published), the latest verified
 * submissions per kampung, the append-only evaluation history, each kampung's current level,
 * the month-by-month level changes and the national recomputation jobs.
 */
export class CreateClassification1764301100000 implements MigrationInterface {
  name = 'CreateClassification1764301100000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      CREATE TABLE ${s}.rule_set (
        version integer NOT NULL,
        name text NOT NULL,
        status text NOT NULL DEFAULT 'draft',
        definition jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        published_at timestamptz,
        published_by text,
        CONSTRAINT rule_set_pkey PRIMARY KEY (version),
        CONSTRAINT rule_set_status_check CHECK (status IN ('draft', 'published')),
        CONSTRAINT rule_set_published_check CHECK ((status = 'published') = (published_at IS NOT NULL))
      )`);
    await qr.query(`
      CREATE FUNCTION ${s}.rule_set_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.status = 'published' THEN
          RAISE EXCEPTION 'rule set % is published and cannot change', OLD.version USING ERRCODE = 'restrict_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END $$`);
    await qr.query(
      `CREATE TRIGGER rule_set_immutable_trg BEFORE UPDATE OR DELETE ON ${s}.rule_set
         FOR EACH ROW EXECUTE FUNCTION ${s}.rule_set_immutable()`,
    );
    await qr.query(
      `COMMENT ON TABLE ${s}.rule_set IS 'Classification rule sets as data; a published version never changes (trigger rule_set_immutable_trg)'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.rule_set.version IS 'Rule set version: 1, 2, ...; the highest published one is in force'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.rule_set.name IS 'Human name of the version'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.rule_set.status IS 'draft (editable) or published (immutable, in force)'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.rule_set.definition IS 'Indicators (formula, bands, scores), pass mark and level mapping: see rule-set.definition.ts'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.rule_set.created_at IS 'When the draft was created'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.rule_set.created_by IS 'Token subject of whoever created the draft'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.rule_set.published_at IS 'When the version was published'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.rule_set.published_by IS 'Token subject of the national officer who published it'`,
    );

    await qr.query(`
      CREATE TABLE ${s}.latest_submission (
        kampung_id uuid NOT NULL,
        kind text NOT NULL,
        submission_id uuid NOT NULL,
        period date NOT NULL,
        verified_at timestamptz NOT NULL,
        instrument_code text NOT NULL,
        instrument_version integer NOT NULL,
        answers jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT latest_submission_pkey PRIMARY KEY (kampung_id, kind),
        CONSTRAINT latest_submission_kind_check CHECK (kind IN ('profile', 'monthly-report'))
      )`);
    await qr.query(
      `COMMENT ON TABLE ${s}.latest_submission IS 'Per kampung and kind, the verified submission evaluations read: the latest period, ties to the later verification'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.latest_submission.kampung_id IS 'The kampung (kampung_projection.kampung_id)'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.latest_submission.kind IS 'profile or monthly-report'`);
    await qr.query(`COMMENT ON COLUMN ${s}.latest_submission.submission_id IS 'The survey submission id'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.latest_submission.period IS 'First day of the month the submission is about'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.latest_submission.verified_at IS 'When the survey service verified it'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.latest_submission.instrument_code IS 'Instrument answered, e.g. kampung-profile'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.latest_submission.instrument_version IS 'Instrument version answered'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.latest_submission.answers IS 'Every answer, keyed by stable question id'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.latest_submission.received_at IS 'When this service stored it'`);

    await qr.query(`
      CREATE TABLE ${s}.verified_submission (
        submission_id uuid NOT NULL,
        kampung_id uuid NOT NULL,
        kind text NOT NULL,
        period date NOT NULL,
        verified_at timestamptz NOT NULL,
        verified_by text NOT NULL,
        instrument_code text NOT NULL,
        instrument_version integer NOT NULL,
        answers jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT verified_submission_pkey PRIMARY KEY (submission_id),
        CONSTRAINT verified_submission_kind_check CHECK (kind IN ('profile', 'monthly-report'))
      )`);
    await qr.query(
      `COMMENT ON TABLE ${s}.verified_submission IS 'Every verified submission received, as received (never changed): the inputs each evaluation references'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.verified_submission.submission_id IS 'The survey submission id'`);
    await qr.query(`COMMENT ON COLUMN ${s}.verified_submission.kampung_id IS 'The kampung'`);
    await qr.query(`COMMENT ON COLUMN ${s}.verified_submission.kind IS 'profile or monthly-report'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.verified_submission.period IS 'First day of the month it is about'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.verified_submission.verified_at IS 'When the survey service verified it'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.verified_submission.verified_by IS 'Token subject of the verifier'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.verified_submission.instrument_code IS 'Instrument answered'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.verified_submission.instrument_version IS 'Instrument version answered'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.verified_submission.answers IS 'Every answer, keyed by stable question id'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.verified_submission.received_at IS 'When this service received it'`,
    );

    await qr.query(`
      CREATE TABLE ${s}.evaluation (
        id uuid NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        kampung_id uuid NOT NULL,
        rule_set_version integer NOT NULL,
        level text NOT NULL,
        previous_level text,
        changed boolean NOT NULL,
        indices jsonb NOT NULL,
        indicators jsonb NOT NULL,
        profile_submission_id uuid NOT NULL,
        profile_period date NOT NULL,
        report_submission_id uuid,
        report_period date,
        trigger text NOT NULL,
        job_id uuid,
        evaluated_at timestamptz NOT NULL,
        CONSTRAINT evaluation_pkey PRIMARY KEY (id),
        CONSTRAINT evaluation_rule_set_version_fkey FOREIGN KEY (rule_set_version) REFERENCES ${s}.rule_set (version),
        CONSTRAINT evaluation_profile_submission_id_fkey FOREIGN KEY (profile_submission_id)
          REFERENCES ${s}.verified_submission (submission_id),
        CONSTRAINT evaluation_report_submission_id_fkey FOREIGN KEY (report_submission_id)
          REFERENCES ${s}.verified_submission (submission_id),
        CONSTRAINT evaluation_level_check CHECK (level ${LEVEL_CHECK}),
        CONSTRAINT evaluation_previous_level_check CHECK (previous_level ${LEVEL_CHECK}),
        CONSTRAINT evaluation_trigger_check CHECK (trigger IN ('submission', 'rule-set'))
      )`);
    await qr.query(`CREATE INDEX evaluation_kampung_seq_idx ON ${s}.evaluation (kampung_id, seq DESC)`);
    await qr.query(`
      CREATE FUNCTION ${s}.evaluation_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'evaluations are never changed or removed' USING ERRCODE = 'restrict_violation';
      END $$`);
    await qr.query(
      `CREATE TRIGGER evaluation_append_only_trg BEFORE UPDATE OR DELETE ON ${s}.evaluation
         FOR EACH ROW EXECUTE FUNCTION ${s}.evaluation_append_only()`,
    );
    await qr.query(
      `COMMENT ON TABLE ${s}.evaluation IS 'Every evaluation of every kampung, append-only (trigger evaluation_append_only_trg): the audit trail'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.evaluation.id IS 'Evaluation id; also the id of its kampung classified event'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.evaluation.seq IS 'Insertion order: the history is paged by it'`);
    await qr.query(`COMMENT ON COLUMN ${s}.evaluation.kampung_id IS 'The kampung evaluated'`);
    await qr.query(`COMMENT ON COLUMN ${s}.evaluation.rule_set_version IS 'The rule set version applied'`);
    await qr.query(`COMMENT ON COLUMN ${s}.evaluation.level IS 'The level reached'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.evaluation.previous_level IS 'The level before this evaluation; null on the first'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.evaluation.changed IS 'level differs from previous_level (true on the first)'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.evaluation.indices IS '{input|process|output: {value, passes}}: index means, two decimals'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.evaluation.indicators IS '[{id, value, band, score, missing?}] per indicator of the rule set'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.evaluation.profile_submission_id IS 'The verified profile used: its answers (the inputs) are in verified_submission'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.evaluation.profile_period IS 'Its period (first day of the month)'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.evaluation.report_submission_id IS 'The verified monthly report used; null when none yet'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.evaluation.report_period IS 'Its period (first day of the month)'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.evaluation.trigger IS 'submission (a verified submission) or rule-set (recomputation)'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.evaluation.job_id IS 'The recomputation job, for trigger rule-set'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.evaluation.evaluated_at IS 'When it was evaluated'`);

    await qr.query(`
      CREATE TABLE ${s}.kampung_state (
        kampung_id uuid NOT NULL,
        village_code text NOT NULL,
        level text NOT NULL,
        evaluation_id uuid NOT NULL,
        rule_set_version integer NOT NULL,
        evaluated_at timestamptz NOT NULL,
        CONSTRAINT kampung_state_pkey PRIMARY KEY (kampung_id),
        CONSTRAINT kampung_state_evaluation_id_fkey FOREIGN KEY (evaluation_id) REFERENCES ${s}.evaluation (id),
        CONSTRAINT kampung_state_level_check CHECK (level ${LEVEL_CHECK})
      )`);
    await qr.query(
      `CREATE INDEX kampung_state_rule_set_version_idx ON ${s}.kampung_state (rule_set_version)`,
    );
    await qr.query(
      `COMMENT ON TABLE ${s}.kampung_state IS 'Current level of each assessed kampung (a kampung without a row is not assessed): aggregates and previous levels'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.kampung_state.kampung_id IS 'The kampung'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.kampung_state.village_code IS 'Its dotted village code, for region aggregates'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.kampung_state.level IS 'Its current level'`);
    await qr.query(`COMMENT ON COLUMN ${s}.kampung_state.evaluation_id IS 'The evaluation that set it'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.kampung_state.rule_set_version IS 'The rule set version of that evaluation'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.kampung_state.evaluated_at IS 'When that evaluation ran'`);

    await qr.query(`
      CREATE TABLE ${s}.kampung_level_month (
        kampung_id uuid NOT NULL,
        month date NOT NULL,
        village_code text NOT NULL,
        level text NOT NULL,
        CONSTRAINT kampung_level_month_pkey PRIMARY KEY (kampung_id, month),
        CONSTRAINT kampung_level_month_level_check CHECK (level ${LEVEL_CHECK})
      )`);
    await qr.query(
      `CREATE INDEX kampung_level_month_village_idx ON ${s}.kampung_level_month (village_code text_pattern_ops, month)`,
    );
    await qr.query(
      `COMMENT ON TABLE ${s}.kampung_level_month IS 'A row when a kampung''s level changed in a month (Asia/Jakarta): its level at the end of that month; later months carry it forward'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.kampung_level_month.kampung_id IS 'The kampung'`);
    await qr.query(`COMMENT ON COLUMN ${s}.kampung_level_month.month IS 'First day of the month'`);
    await qr.query(`COMMENT ON COLUMN ${s}.kampung_level_month.village_code IS 'Its dotted village code'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.kampung_level_month.level IS 'Its level at the end of the month (so far)'`,
    );

    await qr.query(`
      CREATE TABLE ${s}.recompute_job (
        id uuid NOT NULL,
        rule_set_version integer NOT NULL,
        status text NOT NULL DEFAULT 'running',
        cursor uuid,
        total integer NOT NULL DEFAULT 0,
        processed integer NOT NULL DEFAULT 0,
        changed integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        error text,
        CONSTRAINT recompute_job_pkey PRIMARY KEY (id),
        CONSTRAINT recompute_job_rule_set_version_fkey FOREIGN KEY (rule_set_version) REFERENCES ${s}.rule_set (version),
        CONSTRAINT recompute_job_status_check CHECK (status IN ('running', 'done', 'superseded'))
      )`);
    await qr.query(
      `COMMENT ON TABLE ${s}.recompute_job IS 'National re-evaluation after a rule set is published; resumable from its cursor'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.recompute_job.id IS 'Job id, returned by the publish call'`);
    await qr.query(`COMMENT ON COLUMN ${s}.recompute_job.rule_set_version IS 'The version being applied'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.recompute_job.status IS 'running, done, or superseded (a newer version was published meanwhile)'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.recompute_job.cursor IS 'Last kampung id done; batches commit with it'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.recompute_job.total IS 'Assessed kampung when the job started'`);
    await qr.query(`COMMENT ON COLUMN ${s}.recompute_job.processed IS 'Kampung re-evaluated so far'`);
    await qr.query(`COMMENT ON COLUMN ${s}.recompute_job.changed IS 'Of those, kampung whose level changed'`);
    await qr.query(`COMMENT ON COLUMN ${s}.recompute_job.created_at IS 'When the version was published'`);
    await qr.query(`COMMENT ON COLUMN ${s}.recompute_job.finished_at IS 'When the job finished'`);
    await qr.query(`COMMENT ON COLUMN ${s}.recompute_job.error IS 'Last error of a batch (it is retried)'`);
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`DROP TABLE ${s}.recompute_job`);
    await qr.query(`DROP TABLE ${s}.kampung_level_month`);
    await qr.query(`DROP TABLE ${s}.kampung_state`);
    await qr.query(`DROP TABLE ${s}.evaluation`);
    await qr.query(`DROP FUNCTION ${s}.evaluation_append_only()`);
    await qr.query(`DROP TABLE ${s}.verified_submission`);
    await qr.query(`DROP TABLE ${s}.latest_submission`);
    await qr.query(`DROP TABLE ${s}.rule_set`);
    await qr.query(`DROP FUNCTION ${s}.rule_set_immutable()`);
  }
}
