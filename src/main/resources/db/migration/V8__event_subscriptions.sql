-- Outside subscribers to the gateway's events, delivered as signed CloudEvents from a durable
-- outbox with a delivery log.
CREATE TABLE event_subscription (
    id          uuid PRIMARY KEY,
    url         text NOT NULL,
    events      text[] NOT NULL,
    -- AES-256-GCM of the signing secret (associated data: the id), like integration credentials.
    secret      bytea NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE event_delivery (
    id               bigserial PRIMARY KEY,
    subscription_id  uuid NOT NULL REFERENCES event_subscription (id) ON DELETE CASCADE,
    event_id         uuid NOT NULL,
    event_type       text NOT NULL,
    payload          jsonb NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         int NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_status      int,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX event_delivery_pending ON event_delivery (next_attempt_at) WHERE status = 'pending';
CREATE INDEX event_delivery_log ON event_delivery (subscription_id, id DESC);
