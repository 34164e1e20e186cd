-- The satisfaction loop: facts of service registered with the rating system (ИАС МКГУ), ratings from every
-- source, the quarantine for what cannot be matched or validated, reactions to critical reviews, and the SMS
-- sent to applicants. Personal data (phone, comments, measures, answers) is sealed with the payload keys
-- (security/sealedColumns.ts); criterion values are kept in clear: they are linked to an application number,
-- not to a person, and the weekly report aggregates them.

-- One served event per application: request_id is created with the row, before the first attempt, and sent on
-- every retry, so the rating system (and its emulator) answers a repeated registration with the same package.
CREATE TABLE feedback_served_events (
  application_number text        PRIMARY KEY,
  service_code       text        NOT NULL,
  outcome            text        NOT NULL CHECK (outcome IN ('resultIssued', 'refused', 'cancelled')),
  served_at          timestamptz NOT NULL,
  request_id         uuid        NOT NULL UNIQUE,
  contact_sealed     bytea,
  package_id         text,
  attempts           integer     NOT NULL DEFAULT 0,
  last_error         text,
  registered_at      timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now()
);

-- Every receipt of a batch, accepted or not: what came, from where, and what became of it (reasons only,
-- never the rejected values).
CREATE TABLE feedback_intake_batches (
  id           bigserial   PRIMARY KEY,
  source       text        NOT NULL,
  batch_id     text,
  received_at  timestamptz NOT NULL DEFAULT now(),
  bytes        integer     NOT NULL,
  accepted     integer     NOT NULL DEFAULT 0,
  duplicates   integer     NOT NULL DEFAULT 0,
  quarantined  integer     NOT NULL DEFAULT 0,
  rejected     boolean     NOT NULL DEFAULT false,
  reason       text
);

-- A rating counts once per (source, the source's own rating id).
CREATE TABLE feedback_ratings (
  id                 bigserial   PRIMARY KEY,
  source             text        NOT NULL,
  external_id        text        NOT NULL,
  application_number text        NOT NULL,
  service_code       text        NOT NULL,
  rated_at           timestamptz NOT NULL,
  criteria           jsonb       NOT NULL,
  overall            numeric(4, 2) NOT NULL,
  comment_sealed     bytea,
  critical           boolean     NOT NULL,
  batch_id           bigint      REFERENCES feedback_intake_batches (id),
  received_at        timestamptz NOT NULL DEFAULT now(),
  routed_at          timestamptz,
  UNIQUE (source, external_id)
);
CREATE INDEX feedback_ratings_app ON feedback_ratings (application_number);
CREATE INDEX feedback_ratings_rated ON feedback_ratings (rated_at);
CREATE INDEX feedback_ratings_unrouted ON feedback_ratings (id) WHERE routed_at IS NULL;

-- Ratings that could not be taken: unknown application or invalid content. Kept (sealed) with the reason.
CREATE TABLE feedback_quarantine (
  id                 bigserial   PRIMARY KEY,
  source             text        NOT NULL,
  external_id        text        NOT NULL,
  application_number text,
  reason_code        text        NOT NULL,
  reason             text        NOT NULL,
  payload_sealed     bytea       NOT NULL,
  payload_truncated  boolean     NOT NULL DEFAULT false,
  batch_id           bigint      REFERENCES feedback_intake_batches (id),
  received_at        timestamptz NOT NULL DEFAULT now(),
  released_at        timestamptz,
  UNIQUE (source, external_id)
);

-- Where the pull from the rating system stopped.
CREATE TABLE feedback_pull_cursor (
  source     text        PRIMARY KEY,
  cursor     text        NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One reaction per critical review (a critical rating or a comment flagged by a clerk).
CREATE TABLE feedback_reactions (
  reaction_id        text        PRIMARY KEY,
  application_number text        NOT NULL,
  service_code       text        NOT NULL,
  rating_id          bigint      REFERENCES feedback_ratings (id),
  trigger            text        NOT NULL CHECK (trigger IN ('lowRating', 'flaggedComment')),
  opened_at          timestamptz NOT NULL,
  term_working_days  integer     NOT NULL,
  due_at             timestamptz NOT NULL,
  state              text        NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
  overdue            boolean     NOT NULL DEFAULT false,
  measure_sealed     bytea,
  measure_by         text,
  measure_at         timestamptz,
  answered_at        timestamptz,
  closed_at          timestamptz,
  closed_by          text
);
CREATE INDEX feedback_reactions_open ON feedback_reactions (due_at) WHERE state = 'open';

-- The answer to the applicant: rendered once, stored sealed with its hash and template version.
CREATE TABLE feedback_answers (
  reaction_id      text        PRIMARY KEY REFERENCES feedback_reactions (reaction_id),
  text_sealed      bytea       NOT NULL,
  content_sha256   text        NOT NULL,
  template_version text        NOT NULL,
  rendered_at      timestamptz NOT NULL DEFAULT now()
);

-- Every SMS to an applicant (follow-up survey, answer), one row per purpose: the row lock and state make a
-- retried activity send nothing twice. The number is sealed; the text is stored only as a hash.
CREATE TABLE feedback_sms (
  id                 bigserial   PRIMARY KEY,
  purpose_key        text        NOT NULL UNIQUE,
  application_number text        NOT NULL,
  kind               text        NOT NULL CHECK (kind IN ('survey', 'answer')),
  recipient_sealed   bytea       NOT NULL,
  text_sha256        text        NOT NULL,
  state              text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'submitting', 'submitted', 'delivered', 'undeliverable')),
  message_id         text,
  attempts           integer     NOT NULL DEFAULT 0,
  last_error         text,
  submitted_at       timestamptz,
  receipt_stat       text,
  receipt_at         timestamptz
);
CREATE INDEX feedback_sms_message ON feedback_sms (message_id);

-- Delivery receipts as they arrive: an SMSC may send one before its submit_sm_resp has been recorded.
CREATE TABLE feedback_sms_receipts (
  message_id  text        PRIMARY KEY,
  stat        text        NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
