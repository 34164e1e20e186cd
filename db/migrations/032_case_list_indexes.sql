-- Indexes for the case list (cases/caseList.ts, GET /cases): each common list reads its page in index order and
-- stops after it, instead of sorting the projection. On 300 k open + 300 k completed cases (tests/cases/caseList.bench.ts)
-- a page took 38 ms (a clerk's own list), 257 ms (completed, newest first), 84 ms (by receipt) without them and
-- 1-3 ms with them; filling the 600 k rows took ~10 us a row more.
-- A clerk's own open cases, nearest deadline first (the inbox's and the API's most frequent list).
CREATE INDEX applications_open_clerk_deadline ON applications (assigned_clerk, deadline, application_number) WHERE completed_at IS NULL;
-- One stage's open cases, nearest deadline first.
CREATE INDEX applications_open_stage_deadline ON applications (stage, deadline, application_number) WHERE completed_at IS NULL;
-- By receipt, either way (completed cases, receipt windows); received_at never changes once written.
CREATE INDEX applications_received ON applications (received_at, application_number);
