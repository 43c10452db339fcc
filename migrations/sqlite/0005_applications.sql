-- Applications (заявки) of children to study groups, their history, and the contracts
-- (договоры) that commit certificate money for a group paid by certificate.

CREATE TABLE applications (
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    id              BIGINT NOT NULL,
    child_id        BIGINT NOT NULL,
    parent_id       BIGINT NOT NULL,
    group_id        BIGINT NOT NULL,
    program_id      BIGINT NOT NULL,
    organization_id BIGINT NOT NULL,
    -- new | confirmed | rejected | enrolled | cancelled | waitlisted | withdrawn
    status          TEXT   NOT NULL,
    -- certificate | paid | free
    funding         TEXT   NOT NULL,
    -- the organization's comment on its decision
    comment         TEXT,
    created_at      TEXT   NOT NULL,
    updated_at      TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, child_id) REFERENCES children (tenant_id, id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES study_groups (tenant_id, id)
);
CREATE INDEX applications_organization ON applications (tenant_id, organization_id, id);
CREATE INDEX applications_group ON applications (tenant_id, group_id, status, id);
CREATE INDEX applications_parent ON applications (tenant_id, parent_id, id);
-- A child has at most one live application or enrollment per group, however many
-- requests arrive at once.
CREATE UNIQUE INDEX applications_one_live ON applications (tenant_id, child_id, group_id)
    WHERE status IN ('new', 'confirmed', 'enrolled', 'waitlisted');

CREATE TABLE application_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id      BIGINT NOT NULL,
    application_id BIGINT NOT NULL,
    status         TEXT   NOT NULL,
    comment        TEXT,
    actor_id       BIGINT,
    created_at     TEXT   NOT NULL
);
CREATE INDEX application_events_application ON application_events (tenant_id, application_id, id);

CREATE TABLE contracts (
    tenant_id      BIGINT NOT NULL REFERENCES tenants (id),
    id             BIGINT NOT NULL,
    application_id BIGINT NOT NULL,
    certificate_id BIGINT NOT NULL,
    -- the financing period the money is committed from
    period         BIGINT NOT NULL,
    monthly        BIGINT NOT NULL,
    -- first and last month billed, YYYY-MM
    first_month    TEXT   NOT NULL,
    last_month     TEXT   NOT NULL,
    -- active | ended
    status         TEXT   NOT NULL,
    created_at     TEXT   NOT NULL,
    ended_at       TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX contracts_status ON contracts (tenant_id, status);

-- One row per contract and month billed: the key makes a second billing run a no-op.
CREATE TABLE contract_charges (
    tenant_id   BIGINT NOT NULL,
    contract_id BIGINT NOT NULL,
    month       TEXT   NOT NULL,
    amount      BIGINT NOT NULL,
    created_at  TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, contract_id, month)
);
