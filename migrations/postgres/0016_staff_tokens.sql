-- Staff of an organization manage their colleagues and API tokens in the cabinet.
--
-- An API token gets a number of its own (the cabinet and `DELETE /provider/tokens/{id}`
-- name it by that, never by its digest) and the time it was last used, written at most once
-- a minute per token so that a busy integration does not write on every request.
ALTER TABLE api_tokens ADD COLUMN id BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
-- Tokens issued before this migration are numbered per region in the order they were made.
UPDATE api_tokens SET id = (
    SELECT COUNT(*) FROM api_tokens t
    WHERE t.tenant_id = api_tokens.tenant_id
      AND (t.created_at < api_tokens.created_at
           OR (t.created_at = api_tokens.created_at AND t.hash <= api_tokens.hash))
);
CREATE UNIQUE INDEX api_tokens_id ON api_tokens (tenant_id, id);
CREATE INDEX api_tokens_user ON api_tokens (tenant_id, user_id);
INSERT INTO id_sequences (tenant_id, name, next_id)
    SELECT tenant_id, 'api_tokens', MAX(id) + 1 FROM api_tokens GROUP BY tenant_id;

-- Since when a staff account has had access to its organization: set on every grant (a
-- former colleague invited again starts anew). Removing access clears organization_id;
-- the account stays, for the audit log that names it.
ALTER TABLE users ADD COLUMN staff_since TEXT;
UPDATE users SET staff_since = created_at WHERE role = 'provider' AND organization_id IS NOT NULL;
CREATE INDEX users_organization ON users (tenant_id, organization_id);
