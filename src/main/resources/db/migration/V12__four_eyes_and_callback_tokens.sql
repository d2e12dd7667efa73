-- Four eyes: a promotion remembers who requested it, and each approval who gave it, by the
-- principal's stable id (service-account:<uuid>, admin:admin, user:<JWT subject>) rather than
-- a display name that a later service account may reuse. Rows written before this version
-- are matched to the active service account of the same name; admin and user actors already
-- have the id form.
ALTER TABLE promotion ADD COLUMN requested_by_id text;
UPDATE promotion p SET requested_by_id = 'service-account:' || sa.id
FROM service_account sa
WHERE p.requested_by = 'service-account:' || sa.name AND sa.revoked_at IS NULL;
UPDATE promotion SET requested_by_id = requested_by
WHERE requested_by_id IS NULL AND (requested_by LIKE 'admin:%' OR requested_by LIKE 'user:%');

ALTER TABLE promotion_approval ADD COLUMN approver_id text;
UPDATE promotion_approval a SET approver_id = 'service-account:' || sa.id
FROM service_account sa
WHERE a.approver = 'service-account:' || sa.name AND sa.revoked_at IS NULL;
UPDATE promotion_approval SET approver_id = approver WHERE approver_id IS NULL;
ALTER TABLE promotion_approval ALTER COLUMN approver_id SET NOT NULL;
-- One decision per principal: two accounts sharing a name are two approvers.
ALTER TABLE promotion_approval DROP CONSTRAINT promotion_approval_pkey,
    ADD PRIMARY KEY (promotion_id, approver_id);

-- SHA-256 of the per-job token a deploy target finishes its deployment with. Set before the
-- deploy request is sent, cleared once the callback is accepted or the job ends.
ALTER TABLE deployment_job ADD COLUMN callback_token_hash bytea;
