-- Core of the gateway: who may call (service accounts, bootstrap admin), what can be released
-- (components and their version maps) and the releases themselves.

CREATE TABLE bootstrap_admin (
    id          int PRIMARY KEY CHECK (id = 1),
    token_hash  bytea NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE service_account (
    id            uuid PRIMARY KEY,
    name          text NOT NULL,
    description   text,
    roles         text[] NOT NULL,
    permissions   text[] NOT NULL,
    -- token_lookup is a non-secret prefix of the token's random part; token_hash is SHA-256 of the token.
    token_lookup  text NOT NULL UNIQUE,
    token_hash    bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text NOT NULL,
    expires_at    timestamptz,
    revoked_at    timestamptz
);
-- A name can be reused once the account holding it is revoked.
CREATE UNIQUE INDEX service_account_active_name ON service_account (name) WHERE revoked_at IS NULL;
CREATE INDEX service_account_created ON service_account (created_at DESC, id DESC);

CREATE TABLE component (
    id                       uuid PRIMARY KEY,
    name                     text NOT NULL,
    display_name             text,
    image_repository         text NOT NULL,
    registry_integration_id  uuid,
    versioning_strategy      text NOT NULL,
    tag_pattern              text,
    default_channel          text NOT NULL,
    metadata                 jsonb NOT NULL DEFAULT '{}',
    auto_release             jsonb,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    created_by               text NOT NULL,
    CONSTRAINT component_name_key UNIQUE (name),
    CONSTRAINT component_image_repository_key UNIQUE (image_repository)
);
CREATE INDEX component_created ON component (created_at DESC, id DESC);

-- Current tag -> digest.
CREATE TABLE version_entry (
    component_id  uuid NOT NULL REFERENCES component (id) ON DELETE CASCADE,
    tag           text NOT NULL,
    digest        text NOT NULL,
    semver        text,
    channel       text NOT NULL,
    prerelease    boolean NOT NULL,
    source        text NOT NULL,
    resolved_at   timestamptz NOT NULL,
    PRIMARY KEY (component_id, tag)
);
CREATE INDEX version_entry_newest ON version_entry (component_id, resolved_at DESC, tag DESC);

-- Every digest a tag has pointed to; append-only.
CREATE TABLE version_history (
    id               bigserial PRIMARY KEY,
    component_id     uuid NOT NULL REFERENCES component (id) ON DELETE CASCADE,
    tag              text NOT NULL,
    digest           text NOT NULL,
    previous_digest  text,
    source           text NOT NULL,
    resolved_at      timestamptz NOT NULL,
    recorded_by      text
);
CREATE INDEX version_history_tag ON version_history (component_id, tag, id DESC);

CREATE TABLE release (
    id             uuid PRIMARY KEY,
    name           text NOT NULL,
    status         text NOT NULL,
    source_ref     jsonb,
    metadata       jsonb NOT NULL DEFAULT '{}',
    created_by     text NOT NULL,
    created_by_id  text,
    request_id     text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT release_name_key UNIQUE (name)
);
CREATE INDEX release_created ON release (created_at DESC, id DESC);

CREATE TABLE release_component (
    release_id    uuid NOT NULL REFERENCES release (id),
    position      int NOT NULL,
    -- RESTRICT: a component that a release pins cannot be deleted.
    component_id  uuid NOT NULL REFERENCES component (id) ON DELETE RESTRICT,
    digest        text NOT NULL CHECK (digest ~ '^sha256:[a-f0-9]{64}$'),
    tag           text,
    semver        text,
    PRIMARY KEY (release_id, position),
    UNIQUE (release_id, component_id)
);
CREATE INDEX release_component_component ON release_component (component_id);

-- Releases are immutable: their pinned components can never be changed or removed.
CREATE FUNCTION forbid_release_component_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'release components are immutable' USING ERRCODE = 'P0001';
END;
$$;
CREATE TRIGGER release_component_immutable
    BEFORE UPDATE OR DELETE ON release_component
    FOR EACH ROW EXECUTE FUNCTION forbid_release_component_change();

CREATE TABLE idempotency_key (
    scope         text NOT NULL,
    key           text NOT NULL,
    request_hash  bytea NOT NULL,
    status        int NOT NULL,
    body          text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
