-- The verified CI identity that created a release, when a CI job trusted through a CI trust
-- policy did: {issuer, subject, policy, runId, workflowRef, repository, commit[, jobId]}.
-- created_by keeps the actor text for every release.
ALTER TABLE release ADD COLUMN created_by_identity jsonb;
