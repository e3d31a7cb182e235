-- Kampung KB platform: Postgres roles and schemas, one pair per service.
--
--   service         schema          role (LOGIN, owns the schema)
--   registry        registry        kkb_registry
--   survey          survey          kkb_survey
--   classification  classification  kkb_classification
--   notifications   notifications   kkb_notifications
--
-- Each role owns its own schema and has no grant on any other service's schema,
-- so a service can reach only its own data. The service's migrations (run by
-- `node dist/services/<name>/src/main.js migrate`) then create the tables as
-- that role. This file does for all four services what each service's
-- `provision` command (libs/persistence/src/provision.ts) does for itself; use
-- whichever suits: both are idempotent and give the same result.
--
-- Idempotent: run it as often as you like. Every run (re)sets the four passwords
-- to the values given, so it is also how passwords are rotated.
--
-- Run as a superuser, or as a role with CREATEROLE on a managed Postgres,
-- connected to the platform database:
--
--   psql "$ADMIN_DATABASE_URL" -v ON_ERROR_STOP=1 -v strict=1 \
--     -v registry_password="$REGISTRY_PASSWORD" \
--     -v survey_password="$SURVEY_PASSWORD" \
--     -v classification_password="$CLASSIFICATION_PASSWORD" \
--     -v notifications_password="$NOTIFICATIONS_PASSWORD" \
--     -f deploy/postgres/init.sql
--
-- Without a *_password variable the script falls back to a fixed password of
-- the form dev-<service>-password. THOSE ARE DEV-ONLY PASSWORDS, used by
-- docker-compose.yml (the postgres image runs this file from
-- /docker-entrypoint-initdb.d/ without variables). With -v strict=1 (as the
-- Kubernetes Job in deploy/postgres/ passes) a missing password is an error.
-- Passwords end up inside postgres:// URLs, so use URL-safe characters
-- (for example `openssl rand -hex 24`).

\set ON_ERROR_STOP on
\set QUIET on

-- ---------------------------------------------------------------- passwords
\if :{?registry_password}
\elif :{?strict}
  DO $$ BEGIN RAISE EXCEPTION 'init.sql: -v registry_password=... is required with -v strict=1'; END $$;
\else
  \warn 'init.sql: using the DEV-ONLY password for kkb_registry'
  \set registry_password 'dev-registry-password'
\endif

\if :{?survey_password}
\elif :{?strict}
  DO $$ BEGIN RAISE EXCEPTION 'init.sql: -v survey_password=... is required with -v strict=1'; END $$;
\else
  \warn 'init.sql: using the DEV-ONLY password for kkb_survey'
  \set survey_password 'dev-survey-password'
\endif

\if :{?classification_password}
\elif :{?strict}
  DO $$ BEGIN RAISE EXCEPTION 'init.sql: -v classification_password=... is required with -v strict=1'; END $$;
\else
  \warn 'init.sql: using the DEV-ONLY password for kkb_classification'
  \set classification_password 'dev-classification-password'
\endif

\if :{?notifications_password}
\elif :{?strict}
  DO $$ BEGIN RAISE EXCEPTION 'init.sql: -v notifications_password=... is required with -v strict=1'; END $$;
\else
  \warn 'init.sql: using the DEV-ONLY password for kkb_notifications'
  \set notifications_password 'dev-notifications-password'
\endif

BEGIN;

-- psql variables are not expanded inside dollar-quoted DO bodies, so the
-- passwords travel in transaction-local settings (gone at COMMIT).
SELECT set_config('kkb.registry_password', :'registry_password', true),
       set_config('kkb.survey_password', :'survey_password', true),
       set_config('kkb.classification_password', :'classification_password', true),
       set_config('kkb.notifications_password', :'notifications_password', true)
\g /dev/null

-- -------------------------------------------------------------------- roles
DO $$
DECLARE
  svc  text;
  rol  text;
  pw   text;
  is_super boolean;
BEGIN
  SELECT rolsuper INTO is_super FROM pg_roles WHERE rolname = current_user;
  FOREACH svc IN ARRAY ARRAY['registry', 'survey', 'classification', 'notifications'] LOOP
    rol := 'kkb_' || svc;
    pw := current_setting('kkb.' || svc || '_password');
    IF pw IS NULL OR length(pw) < 12 THEN
      RAISE EXCEPTION 'init.sql: the password for % must have at least 12 characters', rol;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = rol) THEN
      EXECUTE format(
        'CREATE ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS',
        rol, pw);
      RAISE NOTICE 'created role %', rol;
    ELSE
      EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', rol, pw);
      -- Only a superuser may touch these attributes (Postgres 15).
      IF is_super THEN
        EXECUTE format('ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', rol);
      END IF;
    END IF;
    -- Unqualified names resolve in the service's own schema only (the same
    -- setting as the services' own `provision` command).
    EXECUTE format('ALTER ROLE %I SET search_path = %I', rol, svc);
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), rol);
    -- A non-superuser admin (managed Postgres) must be a member of a role to
    -- create a schema owned by it.
    IF NOT is_super THEN
      EXECUTE format('GRANT %I TO %I', rol, current_user);
    END IF;
  END LOOP;
END
$$;

-- ------------------------------------------------------------------ schemas
CREATE SCHEMA IF NOT EXISTS registry AUTHORIZATION kkb_registry;
CREATE SCHEMA IF NOT EXISTS survey AUTHORIZATION kkb_survey;
CREATE SCHEMA IF NOT EXISTS classification AUTHORIZATION kkb_classification;
CREATE SCHEMA IF NOT EXISTS notifications AUTHORIZATION kkb_notifications;

-- If a schema already existed (created by hand or by an older script), make
-- sure the right role owns it and nobody else has a grant on it.
ALTER SCHEMA registry OWNER TO kkb_registry;
ALTER SCHEMA survey OWNER TO kkb_survey;
ALTER SCHEMA classification OWNER TO kkb_classification;
ALTER SCHEMA notifications OWNER TO kkb_notifications;

REVOKE ALL ON SCHEMA registry FROM PUBLIC;
REVOKE ALL ON SCHEMA survey FROM PUBLIC;
REVOKE ALL ON SCHEMA classification FROM PUBLIC;
REVOKE ALL ON SCHEMA notifications FROM PUBLIC;

-- Nobody creates objects in public (the default since Postgres 15; explicit
-- for older servers).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- Drop any cross-service grant a hand edit may have left behind.
DO $$
DECLARE
  svc   text;
  other text;
BEGIN
  FOREACH svc IN ARRAY ARRAY['registry', 'survey', 'classification', 'notifications'] LOOP
    FOREACH other IN ARRAY ARRAY['registry', 'survey', 'classification', 'notifications'] LOOP
      CONTINUE WHEN svc = other;
      EXECUTE format('REVOKE ALL ON SCHEMA %I FROM %I', other, 'kkb_' || svc);
      EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', other, 'kkb_' || svc);
      EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', other, 'kkb_' || svc);
    END LOOP;
  END LOOP;
END
$$;

COMMIT;

\unset QUIET
\echo 'init.sql: roles kkb_registry, kkb_survey, kkb_classification, kkb_notifications and their schemas are in place'
