-- Outbound events for case systems that prefer push (signed webhooks). Rows are written by triggers in the
-- same transaction as the record they describe (case event, clerk task, rejected ЕЛК status), so whichever
-- module writes that record — case records, escalations, ЕЛК delivery — nothing is published that was not
-- committed and nothing committed goes unpublished. The dispatcher (events/dispatcher.ts) drains the table in
-- id order. No personal data: the payload carries numbers, codes, stages and task texts (which hold none);
-- free-text notes are left out on purpose.

CREATE TABLE event_outbox (
  id               bigserial   PRIMARY KEY,
  -- The receiver's idempotency key (Webhook-Id): deterministic from the record, unique, reused by every retry.
  event_key        text        NOT NULL UNIQUE,
  event_type       text        NOT NULL,
  application_number text      NOT NULL,
  payload          jsonb       NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  state            text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  leased_until     timestamptz,
  last_error       text,
  delivered_at     timestamptz
);
CREATE INDEX event_outbox_pending ON event_outbox (id) WHERE state = 'pending';

-- Publishing is on once a dispatcher has started (a receiver is configured) and stays on across restarts, so
-- a department without push accumulates no rows; an operator turns it off with UPDATE event_publishing.
CREATE TABLE event_publishing (
  singleton  boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  enabled    boolean     NOT NULL DEFAULT false,
  changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO event_publishing DEFAULT VALUES;

CREATE FUNCTION event_outbox_add(k text, t text, app text, body jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO event_outbox (event_key, event_type, application_number, payload)
  SELECT k, t, app, body WHERE (SELECT enabled FROM event_publishing)
  ON CONFLICT (event_key) DO NOTHING
$$;

CREATE FUNCTION event_outbox_case_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  previous text;
BEGIN
  SELECT stage INTO previous FROM case_events WHERE application_number = NEW.application_number AND seq = NEW.seq - 1;
  PERFORM event_outbox_add(
    'case:' || NEW.application_number || ':' || NEW.seq,
    CASE WHEN previous IS DISTINCT FROM NEW.stage THEN 'case.stage_changed' ELSE 'case.action' END,
    NEW.application_number,
    jsonb_build_object('applicationNumber', NEW.application_number, 'seq', NEW.seq, 'stage', NEW.stage,
                       'previousStage', previous, 'action', NEW.action, 'actor', NEW.actor, 'occurredAt', NEW.occurred_at));
  RETURN NULL;
END
$$;
CREATE TRIGGER case_events_publish AFTER INSERT ON case_events FOR EACH ROW EXECUTE FUNCTION event_outbox_case_event();

CREATE FUNCTION event_outbox_task() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  kind text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    kind := 'task.opened';
  ELSIF OLD.resolved_at IS NULL AND NEW.resolved_at IS NOT NULL THEN
    kind := 'task.resolved';
  ELSIF OLD.assignee IS DISTINCT FROM NEW.assignee THEN
    kind := 'task.reassigned';
  ELSE
    RETURN NULL;
  END IF;
  PERFORM event_outbox_add(
    kind || ':' || NEW.task_key || CASE WHEN kind = 'task.reassigned' THEN ':' || coalesce(NEW.assignee, '-') || ':' || txid_current() ELSE '' END,
    kind,
    NEW.application_number,
    jsonb_build_object('applicationNumber', NEW.application_number, 'taskId', NEW.id, 'taskKey', NEW.task_key,
                       'kind', NEW.kind, 'assigneeRole', NEW.assignee_role, 'assignee', NEW.assignee,
                       'title', NEW.title, 'dueAt', NEW.due_at, 'resolution', NEW.resolution));
  RETURN NULL;
END
$$;
CREATE TRIGGER clerk_tasks_publish AFTER INSERT OR UPDATE ON clerk_tasks FOR EACH ROW EXECUTE FUNCTION event_outbox_task();

-- A status the portal refused: the applicant's cabinet is behind until a clerk retries or skips it.
CREATE FUNCTION event_outbox_delivery_problem() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state = 'rejected' AND OLD.state IS DISTINCT FROM 'rejected' THEN
    PERFORM event_outbox_add(
      'delivery.problem:' || NEW.application_number || ':' || NEW.seq || ':' || NEW.client_id,
      'delivery.problem',
      NEW.application_number,
      jsonb_build_object('applicationNumber', NEW.application_number, 'seq', NEW.seq, 'stage', NEW.stage,
                         'elkStatus', NEW.elk_status, 'replyCode', NEW.reply_code, 'attempts', NEW.attempts));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER elk_outbox_publish AFTER UPDATE OF state ON elk_outbox FOR EACH ROW EXECUTE FUNCTION event_outbox_delivery_problem();

DO $$
DECLARE
  s text := current_schema();
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'case_worker') THEN
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON TABLE %I.event_outbox TO case_worker', s);
    EXECUTE format('GRANT SELECT, UPDATE ON TABLE %I.event_publishing TO case_worker', s);
    EXECUTE format('GRANT USAGE ON SEQUENCE %I.event_outbox_id_seq TO case_worker', s);
  END IF;
END
$$;
