-- Environments a release is promoted through, each with its workflow: an ordered list of steps
-- {id, type, config, inputs?} validated when saved.

CREATE TABLE environment (
    id                  uuid PRIMARY KEY,
    name                text NOT NULL,
    display_name        text,
    order_index         int NOT NULL DEFAULT 0,
    url                 text,
    required_approvals  int NOT NULL DEFAULT 0,
    auto_promote        boolean NOT NULL DEFAULT false,
    -- RESTRICT: an environment others promote from automatically cannot be deleted from under them.
    auto_promote_from   uuid REFERENCES environment (id) ON DELETE RESTRICT,
    freeze_windows      jsonb NOT NULL DEFAULT '[]',
    deployment_timeout  int NOT NULL DEFAULT 3600,
    workflow            jsonb NOT NULL DEFAULT '[]',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    created_by          text NOT NULL,
    CONSTRAINT environment_name_key UNIQUE (name)
);
CREATE INDEX environment_order ON environment (order_index, name);
