-- Kampung KB platform: Postgres schemas and roles, one schema and two roles per service.
--
--   service         schema          migrator role (owns the schema)   app role (the running service)
--   registry        registry        kkb_registry                      kkb_registry_app
--   survey          survey          kkb_survey                        kkb_survey_app
--   classification  classification  kkb_classification                kkb_classification_app
--   notifications   notifications   kkb_notifications                 kkb_notifications_app
--
-- The migrator role owns its schema: `node dist/services/<name>/src/main.js migrate` runs as it
-- and creates the tables, functions and triggers (DDL). The app role is what the service runs as
-- (MIGRATIONS_RUN=false): USAGE on its own schema and SELECT, INSERT, UPDATE, DELETE on its tables
-- and USAGE, SELECT on its sequences, present ones and every one the migrator creates later
-- (default privileges), plus TEMPORARY on the database (the region import uses a temp table).
-- No CREATE anywhere, no TRUNCATE, REFERENCES or TRIGGER, nothing on any other schema, not even
-- USAGE. Neither role is a member of the other. Both log in, neither has any attribute beyond
-- LOGIN (NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS), and both have their own
-- schema alone as search_path.
--
-- docker-compose.yml runs the services as the migrator role (they migrate at start); that is
-- the single-role setup the services' own `provision` command also creates.
--
-- Idempotent: run it as often as you like. Every run (re)sets the eight passwords to the values
-- given, so it is also how passwords are rotated.
--
-- Run as a superuser, or as a role with CREATEROLE on a managed Postgres (it is then made a member
-- of the roles it creates, which it needs to hand them their schemas), connected to the platform
-- database:
--
--   psql "$ADMIN_DATABASE_URL" -X -v ON_ERROR_STOP=1 -v strict=1 \
--     -v registry_password=... -v registry_app_password=... \
--     -v survey_password=... -v survey_app_password=... \
--     -v classification_password=... -v classification_app_password=... \
--     -v notifications_password=... -v notifications_app_password=... \
--     -f deploy/postgres/init.sql
--
-- `<service>_password` is the migrator's, `<service>_app_password` the app role's. Without a
-- password variable the script falls back to a fixed one, dev-<service>-password and
-- dev-<service>-app-password. THOSE ARE DEV-ONLY PASSWORDS, used by docker-compose.yml (the postgres
-- image runs this file from /docker-entrypoint-initdb.d/ without variables). With -v strict=1 (as
-- the Kubernetes Job passes) a missing password is an error. Passwords end up inside postgres://
-- URLs, so use URL-safe characters (for example `openssl rand -hex 24`).
--
-- -v suffix=_x appends _x to every schema and role name (registry_x, kkb_registry_x,
-- kkb_registry_x_app): tests use it to get names of their own on a shared server. Leave it unset.

\set ON_ERROR_STOP on
\set QUIET on

\if :{?suffix}
\else
  \set suffix ''
\endif

-- ---------------------------------------------------------------- passwords
\if :{?registry_password}
\elif :{?strict}
  DO $$ BEGIN RAISE EXCEPTION 'init.sql: -v registry_password=... is required with -v strict=1'; END $$;
\else
  \warn 'init.sql: using the DEV-ONLY password for the registry migrator role'
  \set registry_password 'dev-registry-password'
\endif
\if :{?registry_app_password}
\elif :{?strict}
  DO $$ BEGIN RAISE EXCEPTION 'init.sql: -v registry_app_password=... is required with -v strict=1'; END $$;
\else
  \warn 'init.sql: using the DEV-ONLY password for the registry app role'
  \set registry_app_password 'dev-registry-app-password'
\endif

\if :{?survey_password}
\elif :{?strict}
  DO $$ BEGIN RAISE EXCEPTION 'init.sql: -v survey_password=... is required with -v strict=1'; END $$;
\else
  \warn 'init.sql: using the DEV-ONLY password for the survey migrator role'
  \set survey_password 'dev-survey-password'
\endif
\if :{?survey_app_password}
\elif :{?strict}
  DO $$ BEGIN RAISE EXCEPTION 'init.sql: -v survey_app_password=... is required with -v strict=1'; END $$;
\else
  \warn 'init.sql: using the DEV-ONLY password for the survey app role'
  \set survey_app_password 'dev-survey-app-password'
\endif

\if :{?classification_password}
\elif :{?strict}
  DO $$ BEGIN RAISE EXCEPTION 'init.sql: -v classification_password=... is required with -v strict=1'; END $$;
\else
  \warn 'init.sql: using the DEV-ONLY password for the classification migrator role'
  \set classification_password 'dev-classification-password'
\endif
\if :{?classification_app_password}
\elif :{?strict}
  DO $$ BEGIN RAISE EXCEPTION 'init.sql: -v classification_app_password=... is required with -v strict=1'; END $$;
\else
  \warn 'init.sql: using the DEV-ONLY password for the classification app role'
  \set classification_app_password 'dev-classification-app-password'
\endif

\if :{?notifications_password}
\elif :{?strict}
  DO $$ BEGIN RAISE EXCEPTION 'init.sql: -v notifications_password=... is required with -v strict=1'; END $$;
\else
  \warn 'init.sql: using the DEV-ONLY password for the notifications migrator role'
  \set notifications_password 'dev-notifications-password'
\endif
\if :{?notifications_app_password}
\elif :{?strict}
  DO $$ BEGIN RAISE EXCEPTION 'init.sql: -v notifications_app_password=... is required with -v strict=1'; END $$;
\else
  \warn 'init.sql: using the DEV-ONLY password for the notifications app role'
  \set notifications_app_password 'dev-notifications-app-password'
\endif

BEGIN;

-- psql variables are not expanded inside dollar-quoted DO bodies, so the suffix and the
-- passwords travel in transaction-local settings (gone at COMMIT).
SELECT set_config('kkb.suffix', :'suffix', true),
       set_config('kkb.registry_password', :'registry_password', true),
       set_config('kkb.registry_app_password', :'registry_app_password', true),
       set_config('kkb.survey_password', :'survey_password', true),
       set_config('kkb.survey_app_password', :'survey_app_password', true),
       set_config('kkb.classification_password', :'classification_password', true),
       set_config('kkb.classification_app_password', :'classification_app_password', true),
       set_config('kkb.notifications_password', :'notifications_password', true),
       set_config('kkb.notifications_app_password', :'notifications_app_password', true)
\g /dev/null

-- ------------------------------------------------------------ roles, schemas
DO $$
DECLARE
  services text[] := ARRAY['registry', 'survey', 'classification', 'notifications'];
  sfx      text := current_setting('kkb.suffix');
  svc      text;
  sch      text;
  rol      text;
  pw       text;
  owner_   text;
  app      text;
  is_super boolean;
BEGIN
  IF sfx !~ '^[a-z0-9_]{0,20}$' THEN
    RAISE EXCEPTION 'init.sql: suffix % must be lower-case letters, digits and _ (at most 20)', sfx;
  END IF;
  SELECT rolsuper INTO is_super FROM pg_roles WHERE rolname = current_user;

  FOREACH svc IN ARRAY services LOOP
    sch := svc || sfx;
    owner_ := 'kkb_' || svc || sfx;
    app := owner_ || '_app';

    -- Both roles: LOGIN and nothing else.
    FOREACH rol IN ARRAY ARRAY[owner_, app] LOOP
      pw := current_setting('kkb.' || svc || CASE WHEN rol = app THEN '_app' ELSE '' END || '_password');
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
      -- Unqualified names resolve in the service's own schema only.
      EXECUTE format('ALTER ROLE %I SET search_path = %I', rol, sch);
      EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), rol);
      -- A non-superuser admin (managed Postgres) must be a member of a role to hand it a schema
      -- and to set default privileges for it.
      IF NOT is_super THEN
        EXECUTE format('GRANT %I TO %I', rol, current_user);
      END IF;
    END LOOP;
    -- Neither role may act as the other (e.g. after a hand-made GRANT).
    IF pg_has_role(app, owner_, 'MEMBER') THEN
      EXECUTE format('REVOKE %I FROM %I', owner_, app);
    END IF;
    IF pg_has_role(owner_, app, 'MEMBER') THEN
      EXECUTE format('REVOKE %I FROM %I', app, owner_);
    END IF;

    -- The schema, owned by the migrator; nobody else has anything on it but the app role.
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', sch, owner_);
    EXECUTE format('ALTER SCHEMA %I OWNER TO %I', sch, owner_);
    EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', sch);
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM %I', sch, app);
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', sch, app);

    -- The app role's data access: what exists now, and whatever the migrator creates later.
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', sch, app);
    EXECUTE format('REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA %I FROM %I', sch, app);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', sch, app);
    EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO %I', sch, app);
    EXECUTE format(
      'ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I',
      owner_, sch, app);
    EXECUTE format(
      'ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I',
      owner_, sch, app);
    EXECUTE format(
      'ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT EXECUTE ON FUNCTIONS TO %I',
      owner_, sch, app);
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO %I', current_database(), app);
  END LOOP;

  -- Drop any cross-service grant a hand edit may have left behind.
  FOREACH svc IN ARRAY services LOOP
    FOREACH sch IN ARRAY services LOOP
      CONTINUE WHEN svc = sch;
      FOREACH rol IN ARRAY ARRAY['kkb_' || svc || sfx, 'kkb_' || svc || sfx || '_app'] LOOP
        EXECUTE format('REVOKE ALL ON SCHEMA %I FROM %I', sch || sfx, rol);
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', sch || sfx, rol);
        EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', sch || sfx, rol);
        EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM %I', sch || sfx, rol);
      END LOOP;
    END LOOP;
  END LOOP;
END
$$;

-- Nobody creates objects in public (the default since Postgres 15; explicit for older servers).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

COMMIT;

\unset QUIET
\echo 'init.sql: the four schemas with their migrator (kkb_<service>) and app (kkb_<service>_app) roles are in place'
