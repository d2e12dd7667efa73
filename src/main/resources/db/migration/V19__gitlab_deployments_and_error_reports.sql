-- A promotion that failed because the gateway could not run a step is reported as an error
-- (GitHub's deployment state "error"), apart from a deploy that failed ("failure").
ALTER TABLE status_report DROP CONSTRAINT status_report_phase_check;
ALTER TABLE status_report ADD CONSTRAINT status_report_phase_check
    CHECK (phase IN ('start', 'success', 'failure', 'cancelled', 'error'));

-- The GitLab deployment created for a job (https://docs.gitlab.com/api/deployments/#create-a-deployment),
-- so its later updates go to the same deployment and a retried start never creates a second one.
CREATE TABLE gitlab_deployment (
    deployment_job_id     uuid NOT NULL REFERENCES deployment_job (id),
    integration_id        uuid NOT NULL,
    gitlab_deployment_id  bigint NOT NULL,
    PRIMARY KEY (deployment_job_id, integration_id)
);
