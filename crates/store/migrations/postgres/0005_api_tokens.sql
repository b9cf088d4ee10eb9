-- API tokens for machine feeds. Only a digest of the token is kept: the
-- token itself is shown once, when it is made.
CREATE TABLE api_tokens (
    id           BIGINT PRIMARY KEY,
    name         TEXT NOT NULL,
    scope        TEXT NOT NULL CONSTRAINT api_tokens_scope_check CHECK (scope IN ('import', 'events')),
    token_digest TEXT NOT NULL CONSTRAINT api_tokens_digest_key UNIQUE,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ
);
