-- Pipeline runs the gateway triggered or was asked to watch. A wait is a row, never a thread:
-- the polling tick claims due rows (next_poll_at) with SKIP LOCKED, and one conditional UPDATE
-- (WHERE status IN ('pending','running')) decides how a run ends, whoever gets there first.

CREATE TABLE pipeline_run (
    id                     uuid PRIMARY KEY,
    integration_id         uuid NOT NULL,
    integration_type       text NOT NULL,
    pipeline_id            text NOT NULL,
    ref                    text,
    variables              jsonb NOT NULL DEFAULT '{}',
    -- Null until known: a GitHub dispatch answered 204; 'queue:<n>' while a Jenkins item waits.
    vendor_run_id          text,
    correlation_id         text NOT NULL,
    web_url                text,
    status                 text NOT NULL CHECK (status IN ('pending', 'running', 'success', 'failed', 'cancelled',
                                                           'timed_out')),
    vendor_status          text,
    wait_for_completion    boolean NOT NULL,
    origin                 text NOT NULL CHECK (origin IN ('triggered', 'watched')),
    poll_interval_seconds  int NOT NULL,
    deadline_at            timestamptz NOT NULL,
    next_poll_at           timestamptz NOT NULL,
    polls                  int NOT NULL DEFAULT 0,
    consecutive_errors     int NOT NULL DEFAULT 0,
    last_error             text,
    etag                   text,
    release_id             uuid,
    promotion_id           uuid,
    environment            text,
    created_by             text NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    vendor_finished_at     timestamptz,
    completed_at           timestamptz,
    completed_by           text
);
CREATE INDEX pipeline_run_due ON pipeline_run (next_poll_at) WHERE status IN ('pending', 'running');
CREATE INDEX pipeline_run_deadline ON pipeline_run (deadline_at) WHERE status IN ('pending', 'running');
CREATE INDEX pipeline_run_vendor ON pipeline_run (integration_id, vendor_run_id);
CREATE INDEX pipeline_run_created ON pipeline_run (created_at DESC, id DESC);
