-- Case projection, ЕЛК outbox and clerk tasks. No personal data is stored here in clear:
-- applicant identity lives only in the (encrypted) Temporal payloads.

CREATE TABLE applications (
  application_number text PRIMARY KEY,
  service_code       text        NOT NULL,
  channel            text        NOT NULL,
  received_at        timestamptz NOT NULL,
  stage              text        NOT NULL,
  assigned_clerk     text,
  deadline           timestamptz,
  overdue            boolean     NOT NULL DEFAULT false,
  outcome            text,
  completed_at       timestamptz,
  last_event_seq     integer     NOT NULL DEFAULT 0,
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX applications_open_deadline ON applications (deadline) WHERE completed_at IS NULL;
CREATE INDEX applications_clerk ON applications (assigned_clerk) WHERE completed_at IS NULL;

-- One row per lifecycle event, keyed by the workflow's own sequence number so a retried activity never doubles it.
CREATE TABLE case_events (
  application_number text        NOT NULL,
  seq                integer     NOT NULL,
  stage              text        NOT NULL,
  action             text        NOT NULL,
  actor              text        NOT NULL,
  occurred_at        timestamptz NOT NULL,
  note               text,
  recorded_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (application_number, seq)
);

-- The ЕЛК outbox: one row per status the applicant must see. client_id (the SMEV adapter's idempotency key)
-- is created with the row, before the first send, and reused by every retry.
CREATE TABLE elk_outbox (
  application_number text        NOT NULL,
  seq                integer     NOT NULL,
  client_id          uuid        NOT NULL UNIQUE,
  request_type       text        NOT NULL CHECK (request_type IN ('CreateOrdersRequest', 'UpdateOrdersRequest')),
  stage              text        NOT NULL,
  elk_status         smallint    NOT NULL,
  status_date        timestamptz NOT NULL,
  state              text        NOT NULL DEFAULT 'pending'
                                 CHECK (state IN ('pending', 'sent', 'delivered', 'rejected', 'skipped')),
  payload_sha256     text,
  message_id         text,
  elk_order_number   text,
  reply_code         integer,
  reply_message      text,
  attempts           integer     NOT NULL DEFAULT 0,
  created_at         timestamptz NOT NULL DEFAULT now(),
  first_sent_at      timestamptz,
  delivered_at       timestamptz,
  PRIMARY KEY (application_number, seq)
);
CREATE INDEX elk_outbox_undelivered ON elk_outbox (created_at) WHERE state IN ('pending', 'sent', 'rejected');

-- Every attempt and every reply, for the operator's "what did the applicant see, and when".
CREATE TABLE elk_delivery_attempts (
  id                 bigserial   PRIMARY KEY,
  application_number text        NOT NULL,
  seq                integer     NOT NULL,
  attempt            integer     NOT NULL,
  at                 timestamptz NOT NULL DEFAULT now(),
  outcome            text        NOT NULL,
  detail             text,
  FOREIGN KEY (application_number, seq) REFERENCES elk_outbox (application_number, seq)
);
CREATE INDEX elk_delivery_attempts_case ON elk_delivery_attempts (application_number, seq);

-- Tasks for people: delivery problems, escalation rungs, refusal previews. task_key makes creation idempotent.
CREATE TABLE clerk_tasks (
  id                 bigserial   PRIMARY KEY,
  task_key           text        NOT NULL UNIQUE,
  application_number text        NOT NULL,
  kind               text        NOT NULL,
  assignee_role      text        NOT NULL,
  assignee           text,
  title              text        NOT NULL,
  body               text        NOT NULL,
  due_at             timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  acknowledged_at    timestamptz,
  acknowledged_by    text,
  resolved_at        timestamptz,
  resolution         text
);
CREATE INDEX clerk_tasks_open ON clerk_tasks (assignee_role, assignee) WHERE resolved_at IS NULL;
