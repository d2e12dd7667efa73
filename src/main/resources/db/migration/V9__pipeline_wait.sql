-- The polling schedule of active waits, apart from pipeline_run. Every claim rewrites a wait's
-- next_poll_at; on pipeline_run that rewrite (never HOT, next_poll_at being indexed) copied a
-- wide row and added entries to all five of its indexes, ten thousand times a second at 100,000
-- waits (bench/poll-scale.md). Here a claim rewrites a narrow row with two small indexes.
--
-- A row exists exactly while its run is active: inserted with the run, deleted in the same
-- statement that ends it. pipeline_run.next_poll_at and polls keep the values at insert and, for
-- polls, the final count at completion; while a run is active the live values are here.
CREATE TABLE pipeline_wait (
    run_id                 uuid PRIMARY KEY REFERENCES pipeline_run (id) ON DELETE CASCADE,
    integration_id         uuid NOT NULL,
    poll_interval_seconds  int NOT NULL,
    next_poll_at           timestamptz NOT NULL,
    polls                  int NOT NULL DEFAULT 0
);
CREATE INDEX pipeline_wait_due ON pipeline_wait (next_poll_at);

INSERT INTO pipeline_wait (run_id, integration_id, poll_interval_seconds, next_poll_at, polls)
SELECT id, integration_id, poll_interval_seconds, next_poll_at, polls
FROM pipeline_run WHERE status IN ('pending', 'running');

DROP INDEX pipeline_run_due;
