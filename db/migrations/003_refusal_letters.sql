-- Refusal letters: every draft version the clerk previewed, and the one issued with the refusal status.
-- The letter is the applicant's document and names them; it is kept for re-issue and appeal, sealed with the
-- payload keys (security/sealedColumns.ts): text, HTML and PDF are ciphertext here.
CREATE TABLE refusal_letters (
  letter_id          uuid        PRIMARY KEY,
  application_number text        NOT NULL,
  version            integer     NOT NULL,
  service_code       text        NOT NULL,
  ground_codes       text[]      NOT NULL,
  text_sealed        bytea       NOT NULL,
  html_sealed        bytea       NOT NULL,
  pdf_sealed         bytea       NOT NULL,
  content_sha256     text        NOT NULL,
  template_version   text        NOT NULL,
  drafted_by         text        NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
  issued_at          timestamptz,
  issued_by          text,
  UNIQUE (application_number, version)
);
