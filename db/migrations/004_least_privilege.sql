-- Least privilege for the worker: role case_worker may read and write the plugin's rows and nothing else —
-- no DELETE (nothing in the plugin deletes; history is kept for audit), no TRUNCATE, no DDL, no ownership.
-- NOLOGIN: a deployment creates its own login role and runs `GRANT case_worker TO <login>`; migrations
-- keep running as the owner role. Roles are cluster-wide, so creation tolerates an existing role (also one
-- created concurrently by a migration of another database) and a migrating role without CREATEROLE (then a
-- DBA creates case_worker and re-runs the GRANTs below; see SECURITY.md).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'case_worker') THEN
    BEGIN
      CREATE ROLE case_worker NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN NULL;  -- created meanwhile by another database's migration
      WHEN insufficient_privilege THEN
        RAISE NOTICE 'case_worker: no CREATEROLE privilege; ask the DBA to create the role (see SECURITY.md)';
    END;
  END IF;
END
$$;

DO $$
DECLARE
  t text;
  s text := current_schema();  -- the schema the earlier migrations created their tables in
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'case_worker') THEN
    RETURN;
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO case_worker', current_database());
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO case_worker', s);
  FOREACH t IN ARRAY ARRAY[
    'applications', 'case_events', 'elk_outbox', 'elk_delivery_attempts', 'clerk_tasks',
    'escalations', 'task_audit', 'notifications', 'compliance_reports', 'refusal_letters'
  ] LOOP
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON TABLE %I.%I TO case_worker', s, t);
  END LOOP;
  -- The worker checks nothing in schema_migrations, but operators' tools may read it.
  EXECUTE format('GRANT SELECT ON TABLE %I.schema_migrations TO case_worker', s);
  -- bigserial ids: nextval needs USAGE on the sequences.
  EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO case_worker', s);
  -- Tables and sequences of later migrations (run by this same owner role) get the same rights.
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE ON TABLES TO case_worker', s);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE ON SEQUENCES TO case_worker', s);
END
$$;
