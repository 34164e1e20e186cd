-- Regulatory deadlines, escalation rungs, the audit trail of tasks, and weekly compliance reports.

ALTER TABLE applications
  ADD COLUMN registered_at   timestamptz,
  ADD COLUMN due_date        date,
  ADD COLUMN calendar_version text,
  ADD COLUMN suspended_working_days integer NOT NULL DEFAULT 0;

-- Each rung fires once per case and deadline: the unique key makes a retried or replayed firing a no-op.
CREATE TABLE escalations (
  id                 bigserial   PRIMARY KEY,
  application_number text        NOT NULL,
  service_code       text        NOT NULL,
  rung               text        NOT NULL,
  deadline           timestamptz NOT NULL,
  fire_at            timestamptz NOT NULL,
  fired_at           timestamptz NOT NULL,
  notify             text[]      NOT NULL,
  assigned_clerk     text,
  recorded_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (application_number, deadline, rung)
);
CREATE INDEX escalations_fired ON escalations (fired_at);

-- Who saw what, when: every change to a task (created, notified, acknowledged, reassigned, resolved).
CREATE TABLE task_audit (
  id        bigserial   PRIMARY KEY,
  task_id   bigint      NOT NULL REFERENCES clerk_tasks (id),
  at        timestamptz NOT NULL DEFAULT now(),
  actor     text        NOT NULL,
  action    text        NOT NULL,
  detail    text
);
CREATE INDEX task_audit_task ON task_audit (task_id, at);

-- Outgoing notifications (webhook, e-mail), one row per task and channel and recipient.
CREATE TABLE notifications (
  id          bigserial   PRIMARY KEY,
  task_id     bigint      NOT NULL REFERENCES clerk_tasks (id),
  channel     text        NOT NULL,
  recipient   text        NOT NULL,
  state       text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
  attempts    integer     NOT NULL DEFAULT 0,
  last_error  text,
  sent_at     timestamptz,
  UNIQUE (task_id, channel, recipient)
);

CREATE TABLE compliance_reports (
  id             bigserial   PRIMARY KEY,
  department     text        NOT NULL,
  period_start   date        NOT NULL,
  period_end     date        NOT NULL,
  generated_at   timestamptz NOT NULL DEFAULT now(),
  figures        jsonb       NOT NULL,
  html           text        NOT NULL,
  csv            text        NOT NULL,
  content_sha256 text        NOT NULL,
  UNIQUE (department, period_start)
);
