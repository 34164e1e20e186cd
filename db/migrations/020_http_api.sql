-- HTTP API: the audit of every write and refusal, the idempotency record of every write, and which
-- department a case started over the API belongs to (for the head's "my department" rule).

-- Who did what, when, with which request id. No bodies (they may carry personal data); the token is
-- identified by a hash prefix only.
CREATE TABLE api_audit (
  id            bigserial   PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_role    text        NOT NULL,
  actor_subject text,
  token_id      text,
  operation     text        NOT NULL,
  method        text        NOT NULL,
  target        text,
  request_id    text,
  outcome       text        NOT NULL,
  status        integer     NOT NULL,
  reason        text
);
CREATE INDEX api_audit_target ON api_audit (target, at);
CREATE INDEX api_audit_request ON api_audit (request_id);

-- One row per (caller, Idempotency-Key): the request's fingerprint and, once answered, the sealed response
-- (AES-256-GCM with the payload keys: a case snapshot may quote a clerk's note).
CREATE TABLE api_requests (
  scope          text        NOT NULL,
  request_id     text        NOT NULL,
  operation      text        NOT NULL,
  fingerprint    text        NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  completed_at   timestamptz,
  status         integer,
  response       bytea,
  PRIMARY KEY (scope, request_id)
);

CREATE TABLE api_cases (
  application_number text        PRIMARY KEY,
  department         text        NOT NULL,
  started_by         text        NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now()
);

DO $$
DECLARE
  t text;
  s text := current_schema();
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'case_worker') THEN
    RETURN;
  END IF;
  FOREACH t IN ARRAY ARRAY['api_audit', 'api_requests', 'api_cases'] LOOP
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON TABLE %I.%I TO case_worker', s, t);
  END LOOP;
  EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO case_worker', s);
END
$$;
