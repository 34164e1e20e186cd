-- Result documents the case system hands over for the applicant's cabinet (status «Услуга оказана»): stored
-- through documents/resultDocuments.ts, sealed with the payload keys (security/sealedColumns.ts) like refusal
-- letters, optional detached PKCS#7 signature beside it. The issueResult Update carries only document_id and
-- sha256; the delivery activity reads, unseals and uploads the file. delivered_fs_uuid records the SMEV file
-- storage id it went out under.
CREATE TABLE result_documents (
  document_id        uuid        PRIMARY KEY,
  application_number text        NOT NULL,
  file_name          text        NOT NULL CHECK (length(file_name) BETWEEN 1 AND 108),
  mime_type          text        NOT NULL CHECK (mime_type IN ('application/pdf', 'application/xml')),
  size_bytes         integer     NOT NULL CHECK (size_bytes > 0),
  sha256             text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  content_sealed     bytea       NOT NULL,
  signature_sealed   bytea,
  stored_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  issued_at          timestamptz,
  delivered_fs_uuid  uuid,
  delivered_at       timestamptz,
  -- The same bytes stored twice for one case are one document (idempotent intake by content).
  UNIQUE (application_number, sha256)
);
