-- CI trust policies: which CI jobs, identified by the OIDC ID tokens their CI system issues
-- (GitHub Actions, GitLab CI), may call the gateway, with which rights. A token is trusted when
-- its iss equals issuer, its aud equals audience and its claims match every entry of claims
-- (exact values, or globs with * and ?). No secret is stored: the issuer's published keys verify
-- the tokens.
CREATE TABLE ci_trust_policy (
    id               uuid PRIMARY KEY,
    name             text NOT NULL,
    issuer           text NOT NULL,
    audience         text NOT NULL,
    -- A non-empty object of claim name -> pattern, so no policy trusts every job of an issuer.
    claims           jsonb NOT NULL CHECK (jsonb_typeof(claims) = 'object' AND claims <> '{}'::jsonb),
    roles            text[] NOT NULL,
    permissions      text[] NOT NULL,
    bind_source_ref  boolean NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text NOT NULL,
    CONSTRAINT ci_trust_policy_name_key UNIQUE (name)
);
-- Every bearer JWT looks its issuer up here.
CREATE INDEX ci_trust_policy_issuer ON ci_trust_policy (issuer);
CREATE INDEX ci_trust_policy_created ON ci_trust_policy (created_at DESC, id DESC);
