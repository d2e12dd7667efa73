-- When a CI event last had this wait polled out of schedule. Requested polls are spaced by a few
-- seconds per run, so a flood of events (or of forged ones) cannot turn into a flood of calls to
-- the CI system and spend the integration's rate limit.
ALTER TABLE pipeline_wait ADD COLUMN requested_poll_at timestamptz;
