-- Accounts of a region: parents (and children of 14+ registering alone), organization
-- staff, municipal and regional administrators; platform operators live under tenant 0
-- (the base domain), which is why users.tenant_id has no foreign key to tenants.

CREATE TABLE users (
    tenant_id       BIGINT NOT NULL,
    id              BIGINT NOT NULL,
    -- as typed, for display and mail; email_key is its lowercase form, unique per region
    email           TEXT   NOT NULL,
    email_key       TEXT   NOT NULL,
    email_confirmed BIGINT NOT NULL DEFAULT 0,
    -- NULL until a staff member follows the set-password link
    password_hash   TEXT,
    role            TEXT   NOT NULL,
    organization_id BIGINT,
    -- a parent's municipality (for recommendations) or a municipal admin's scope
    municipality_id TEXT,
    last_name       TEXT   NOT NULL,
    first_name      TEXT   NOT NULL,
    middle_name     TEXT,
    phone           TEXT,
    -- set when a child of 14+ registers alone
    birth_date      TEXT,
    -- bumped when every session must end (password reset or change)
    session_epoch   BIGINT NOT NULL DEFAULT 0,
    created_at      TEXT   NOT NULL,
    updated_at      TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email_key)
);

-- Single-use links sent by mail. Only a SHA-256 of the token is kept: a leaked table
-- confirms nothing and resets nothing.
CREATE TABLE user_tokens (
    tenant_id  BIGINT NOT NULL,
    hash       TEXT   NOT NULL,
    purpose    TEXT   NOT NULL,
    user_id    BIGINT NOT NULL,
    -- the address the link was sent to (a new address awaiting confirmation)
    email      TEXT   NOT NULL,
    expires_at TEXT   NOT NULL,
    used_at    TEXT,
    created_at TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX user_tokens_user ON user_tokens (tenant_id, user_id);

CREATE TABLE children (
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    id          BIGINT NOT NULL,
    parent_id   BIGINT NOT NULL,
    last_name   TEXT   NOT NULL,
    first_name  TEXT   NOT NULL,
    middle_name TEXT,
    birth_date  TEXT   NOT NULL,
    sex         TEXT   NOT NULL,
    snils       TEXT,
    created_at  TEXT   NOT NULL,
    updated_at  TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX children_parent ON children (tenant_id, parent_id);

-- Who did what to whom, append-only: logins, failed logins, password changes, role
-- grants, and (with certificates) every staff view of a child's personal data.
CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    at        TEXT   NOT NULL,
    actor_id  BIGINT,
    action    TEXT   NOT NULL,
    subject   TEXT   NOT NULL,
    detail    TEXT   NOT NULL,
    ip        TEXT
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, at);

-- The transactional outbox: a mail is written in the transaction of the change that
-- causes it, rendered in full, and sent by a worker of any server process. A worker claims
-- a row by moving claimed_until forward with a conditional update, so two processes never
-- send one row twice.
CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id     BIGINT NOT NULL,
    kind          TEXT   NOT NULL,
    recipient     TEXT   NOT NULL,
    sender_name   TEXT   NOT NULL,
    sender        TEXT   NOT NULL,
    subject       TEXT   NOT NULL,
    body_text     TEXT   NOT NULL,
    body_html     TEXT   NOT NULL,
    created_at    TEXT   NOT NULL,
    due_at        TEXT   NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    claimed_until TEXT,
    sent_at       TEXT,
    failed_at     TEXT,
    last_error    TEXT
);
CREATE INDEX outbox_due ON outbox (due_at) WHERE sent_at IS NULL AND failed_at IS NULL;
