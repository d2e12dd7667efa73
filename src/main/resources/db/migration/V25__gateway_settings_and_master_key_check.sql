-- Values the gateway keeps about itself, one row each.
--
-- master_key_check: base64 of HMAC-SHA256(master key, 'stella master key check v1'). It says
-- which master key this database's encrypted values (integration credentials, event-subscription
-- secrets, step header values) belong to, so a replica started with another key stops at
-- start-up instead of failing on every credential later. It is neither the key nor a plain hash
-- of it, and tells nothing about the key that the AES-GCM ciphertexts beside it do not already.
CREATE TABLE gateway_setting (
    name        text PRIMARY KEY,
    value       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
