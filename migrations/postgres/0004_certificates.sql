-- Certificates: one per child (сертификат учёта), confirmed in person at an authorized
-- organization, funded per period from the municipality's budget (персонифицированного
-- финансирования). Money is integer kopecks.

CREATE TABLE certificates (
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    id              BIGINT NOT NULL,
    -- 10 digits: region code, sequence, Damm check digit; never reused
    number          TEXT   NOT NULL,
    child_id        BIGINT NOT NULL,
    parent_id       BIGINT NOT NULL,
    municipality_id TEXT   NOT NULL,
    -- issued (data not confirmed yet) | confirmed
    status          TEXT   NOT NULL,
    -- why the last in-person check failed, shown to the parent
    rejection       TEXT,
    confirmed_by    BIGINT,
    confirmed_at    TEXT,
    created_at      TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, number),
    UNIQUE (tenant_id, child_id),
    FOREIGN KEY (tenant_id, child_id) REFERENCES children (tenant_id, id)
);
CREATE INDEX certificates_parent ON certificates (tenant_id, parent_id);
CREATE INDEX certificates_municipality ON certificates (tenant_id, municipality_id);

-- A municipality's financing of one period: the nominal per certificate and the budget.
-- granted is the sum of nominals granted; a grant is a conditional update that keeps
-- granted <= budget, so concurrent applications never overspend.
CREATE TABLE financing_periods (
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    municipality_id TEXT   NOT NULL,
    period          BIGINT NOT NULL,
    nominal         BIGINT NOT NULL,
    budget          BIGINT NOT NULL,
    granted         BIGINT NOT NULL DEFAULT 0,
    updated_at      TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, municipality_id, period),
    CHECK (granted <= budget)
);

-- The balance of a certificate in a period, kept in the transaction of every ledger row:
-- debits and commitments are conditional updates that keep available >= 0.
CREATE TABLE certificate_balances (
    tenant_id      BIGINT NOT NULL REFERENCES tenants (id),
    certificate_id BIGINT NOT NULL,
    period         BIGINT NOT NULL,
    credited       BIGINT NOT NULL DEFAULT 0,
    committed      BIGINT NOT NULL DEFAULT 0,
    spent          BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, certificate_id, period),
    CHECK (credited - committed - spent >= 0)
);

-- Every movement of money, append-only, with who and why.
CREATE TABLE certificate_ledger (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id      BIGINT NOT NULL REFERENCES tenants (id),
    certificate_id BIGINT NOT NULL,
    period         BIGINT NOT NULL,
    -- credit | commit | release | debit
    kind           TEXT   NOT NULL,
    amount         BIGINT NOT NULL,
    reason         TEXT   NOT NULL,
    actor_id       BIGINT,
    created_at     TEXT   NOT NULL
);
CREATE INDEX certificate_ledger_certificate ON certificate_ledger (tenant_id, certificate_id, id);
