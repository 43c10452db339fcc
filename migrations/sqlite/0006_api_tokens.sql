-- API tokens: an organization's own system acts as one of its staff accounts, with the
-- staff member's scope (one organization). Only a SHA-256 of the token is kept.
CREATE TABLE api_tokens (
    tenant_id  BIGINT NOT NULL,
    hash       TEXT   NOT NULL,
    user_id    BIGINT NOT NULL,
    name       TEXT   NOT NULL,
    created_at TEXT   NOT NULL,
    revoked_at TEXT,
    PRIMARY KEY (tenant_id, hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
