-- The answer to a critical review also by e-mail: one row per purpose (as feedback_sms), so a retried activity
-- sends nothing that was committed. The address is sealed; the text is stored only as a hash. message_id is
-- derived from the purpose: the same on every attempt, so a copy sent again after a lost reply is the same
-- message to the recipient's mail system. 'rejected': the relay refused the address for good (5xx).
CREATE TABLE feedback_email (
  id                 bigserial   PRIMARY KEY,
  purpose_key        text        NOT NULL UNIQUE,
  application_number text        NOT NULL,
  kind               text        NOT NULL CHECK (kind IN ('answer')),
  recipient_sealed   bytea       NOT NULL,
  text_sha256        text        NOT NULL,
  message_id         text        NOT NULL UNIQUE,
  state              text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'rejected')),
  attempts           integer     NOT NULL DEFAULT 0,
  last_error         text,
  smtp_response      text,
  sent_at            timestamptz
);
CREATE INDEX feedback_email_app ON feedback_email (application_number);

-- Which channels the answer took (sms, email), in the order they were sent.
ALTER TABLE feedback_answers ADD COLUMN channels text[] NOT NULL DEFAULT '{}';
