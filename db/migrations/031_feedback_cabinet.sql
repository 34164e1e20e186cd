-- The answer to a critical review in the applicant's cabinet: one ЕЛК status entry per reaction, delivered
-- through elk_outbox like every status. Its outbox seq (from 1000 up, above any lifecycle status) and its
-- status date are fixed here at the first attempt, so a retry re-sends the same message under the same clientId.
CREATE TABLE feedback_cabinet_answers (
  reaction_id        text        PRIMARY KEY REFERENCES feedback_reactions (reaction_id),
  application_number text        NOT NULL,
  seq                integer     NOT NULL CHECK (seq >= 1000),
  elk_status         integer     NOT NULL,
  status_date        timestamptz NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (application_number, seq)
);
