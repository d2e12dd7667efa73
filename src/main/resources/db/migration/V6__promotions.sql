-- Promotions run an environment's workflow for a release. The promotion row is the state
-- machine: its steps (a snapshot of the workflow with each step's status, outputs and error),
-- what it waits on, and a version that every transition checks and bumps, so a duplicated
-- event never runs a step twice.

CREATE TABLE deployment_job (
    id              uuid PRIMARY KEY,
    release_id      uuid NOT NULL REFERENCES release (id),
    environment_id  uuid NOT NULL REFERENCES environment (id),
    promotion_id    uuid,
    status          text NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled',
                                                    'rolled_back')),
    target_url      text,
    message         text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
CREATE INDEX deployment_job_environment ON deployment_job (environment_id, created_at DESC);

CREATE TABLE promotion (
    id                      uuid PRIMARY KEY,
    release_id              uuid NOT NULL REFERENCES release (id),
    source_environment_id   uuid REFERENCES environment (id),
    target_environment_id   uuid NOT NULL REFERENCES environment (id),
    status                  text NOT NULL CHECK (status IN ('pending', 'awaiting_approval', 'approved', 'deploying',
                                                            'deployed', 'rejected', 'cancelled', 'failed',
                                                            'rolled_back')),
    steps                   jsonb NOT NULL,
    current_step            int NOT NULL DEFAULT 0,
    waiting_on              text,
    required_approvals      int NOT NULL DEFAULT 0,
    deployment_job_id       uuid REFERENCES deployment_job (id),
    version                 int NOT NULL DEFAULT 0,
    requested_by            text NOT NULL,
    reason                  text,
    error                   text,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    completed_at            timestamptz
);
CREATE INDEX promotion_waiting ON promotion (waiting_on) WHERE waiting_on IS NOT NULL;
CREATE INDEX promotion_created ON promotion (created_at DESC, id DESC);

-- One row per approver: approving twice counts once.
CREATE TABLE promotion_approval (
    promotion_id  uuid NOT NULL REFERENCES promotion (id),
    approver      text NOT NULL,
    decision      text NOT NULL CHECK (decision IN ('approved', 'rejected')),
    comment       text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (promotion_id, approver)
);

-- The status-report outbox: reports to GitHub and GitLab are rows first and sent afterwards,
-- in order per deployment job, retried with backoff; a failed report never fails a deployment.
CREATE TABLE status_report (
    id                 bigserial PRIMARY KEY,
    deployment_job_id  uuid NOT NULL REFERENCES deployment_job (id),
    integration_id     uuid NOT NULL,
    reporter           text NOT NULL,
    phase              text NOT NULL CHECK (phase IN ('start', 'success', 'failure', 'cancelled')),
    status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts           int NOT NULL DEFAULT 0,
    next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    last_error         text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    sent_at            timestamptz
);
CREATE INDEX status_report_pending ON status_report (next_attempt_at) WHERE status = 'pending';

-- The GitHub deployment created for a job, so a retried start never creates a second one.
CREATE TABLE github_deployment (
    deployment_job_id     uuid NOT NULL REFERENCES deployment_job (id),
    integration_id        uuid NOT NULL,
    github_deployment_id  bigint NOT NULL,
    PRIMARY KEY (deployment_job_id, integration_id)
);
