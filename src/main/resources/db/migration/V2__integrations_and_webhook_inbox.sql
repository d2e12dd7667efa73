-- Integrations (CI systems, registries, SCMs) and the webhook inbox: every accepted delivery is
-- a row before it is acknowledged, and is processed from here afterwards.

CREATE TABLE integration (
    id                 uuid PRIMARY KEY,
    type               text NOT NULL,
    name               text NOT NULL,
    config             jsonb NOT NULL DEFAULT '{}',
    -- AES-256-GCM (nonce || ciphertext) of a JSON object; associated data is the id.
    credentials        bytea,
    credential_keys    text[] NOT NULL DEFAULT '{}',
    health_status      text NOT NULL DEFAULT 'unknown',
    last_health_check  timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    created_by         text NOT NULL,
    CONSTRAINT integration_name_key UNIQUE (name)
);
CREATE INDEX integration_created ON integration (created_at DESC, id DESC);

CREATE TABLE webhook_delivery (
    seq               bigserial PRIMARY KEY,
    id                uuid NOT NULL UNIQUE,
    -- The integration id, or 'api:<principal id>' for the bearer-authenticated CI endpoints.
    source            text NOT NULL,
    integration_id    uuid,
    integration_type  text NOT NULL,
    -- The sender's delivery id, or sha256 of the body when the sender gives none.
    delivery_key      text NOT NULL,
    status            text NOT NULL CHECK (status IN ('received', 'processed', 'ignored', 'failed')),
    reason            text,
    error             text,
    headers           jsonb NOT NULL DEFAULT '{}',
    body              bytea NOT NULL,
    received_at       timestamptz NOT NULL DEFAULT now(),
    processed_at      timestamptz,
    attempts          int NOT NULL DEFAULT 0,
    claimed_until     timestamptz,
    CONSTRAINT webhook_delivery_dedup UNIQUE (source, delivery_key)
);
CREATE INDEX webhook_delivery_pending ON webhook_delivery (seq) WHERE status = 'received';
CREATE INDEX webhook_delivery_recent ON webhook_delivery (received_at DESC, seq DESC);

-- A registry delete marks the entry; a later push of the tag brings it back.
ALTER TABLE version_entry ADD COLUMN deleted_at timestamptz;

-- Exactly one automatic release per component, tag and digest.
CREATE TABLE auto_release (
    component_id  uuid NOT NULL REFERENCES component (id) ON DELETE CASCADE,
    tag           text NOT NULL,
    digest        text NOT NULL,
    release_id    uuid NOT NULL REFERENCES release (id) DEFERRABLE INITIALLY DEFERRED,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (component_id, tag, digest)
);
