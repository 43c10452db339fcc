-- The public catalog of a region: organizations, their programs, the programs' groups.
-- Every table is tenant-owned: tenant_id leads every primary key and index.

-- Per-region id counters: ids are small and per region (/programs/15 on each host), and a
-- counter row is the one portable way to hand them out without races.
CREATE TABLE id_sequences (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    name      TEXT   NOT NULL,
    next_id   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

-- Bumped by every change of a region's catalog; search indexes and cached results follow it.
CREATE TABLE catalog_versions (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    version   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id)
);

-- The region's dictionary of profiles under the six directions.
CREATE TABLE profiles (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    id        TEXT   NOT NULL,
    direction TEXT   NOT NULL,
    name      TEXT   NOT NULL,
    position  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE organizations (
    tenant_id       BIGINT           NOT NULL REFERENCES tenants (id),
    id              BIGINT           NOT NULL,
    name            TEXT             NOT NULL,
    short_name      TEXT             NOT NULL,
    kind            TEXT             NOT NULL,
    inn             TEXT             NOT NULL,
    municipality_id TEXT             NOT NULL,
    address         TEXT             NOT NULL,
    lat             DOUBLE PRECISION NOT NULL,
    lon             DOUBLE PRECISION NOT NULL,
    phone           TEXT             NOT NULL,
    email           TEXT             NOT NULL,
    website         TEXT,
    description     TEXT             NOT NULL,
    -- the municipality allowed it to confirm children's data and activate certificates
    can_confirm     BIGINT           NOT NULL DEFAULT 0,
    created_at      TEXT             NOT NULL,
    updated_at      TEXT             NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, municipality_id) REFERENCES municipalities (tenant_id, id)
);
CREATE INDEX organizations_municipality ON organizations (tenant_id, municipality_id);

CREATE TABLE programs (
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    id              BIGINT NOT NULL,
    organization_id BIGINT NOT NULL,
    title           TEXT   NOT NULL,
    description     TEXT   NOT NULL,
    direction       TEXT   NOT NULL,
    profile_id      TEXT   NOT NULL,
    level           TEXT   NOT NULL,
    age_min         BIGINT NOT NULL,
    age_max         BIGINT NOT NULL,
    -- suitable for children with disabilities (ОВЗ)
    ovz             BIGINT NOT NULL DEFAULT 0,
    financing       TEXT   NOT NULL,
    -- monthly price, kopecks (0 when free)
    price_kopecks   BIGINT NOT NULL DEFAULT 0,
    duration_months BIGINT NOT NULL,
    hours           BIGINT NOT NULL,
    status          TEXT   NOT NULL,
    created_at      TEXT   NOT NULL,
    updated_at      TEXT   NOT NULL,
    published_at    TEXT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    FOREIGN KEY (tenant_id, profile_id) REFERENCES profiles (tenant_id, id)
);
CREATE INDEX programs_organization ON programs (tenant_id, organization_id);
CREATE INDEX programs_status ON programs (tenant_id, status);

-- Учебные группы.
CREATE TABLE study_groups (
    tenant_id                 BIGINT           NOT NULL REFERENCES tenants (id),
    id                        BIGINT           NOT NULL,
    program_id                BIGINT           NOT NULL,
    name                      TEXT             NOT NULL,
    teacher                   TEXT             NOT NULL,
    address                   TEXT             NOT NULL,
    lat                       DOUBLE PRECISION NOT NULL,
    lon                       DOUBLE PRECISION NOT NULL,
    -- "1 15:00-16:30; 3 15:00-16:30" (weekday 1 = Monday)
    schedule                  TEXT             NOT NULL,
    -- план приёма
    capacity                  BIGINT           NOT NULL,
    seats_taken               BIGINT           NOT NULL DEFAULT 0,
    -- dates as YYYY-MM-DD
    enroll_from               TEXT             NOT NULL,
    enroll_to                 TEXT             NOT NULL,
    study_from                TEXT             NOT NULL,
    study_to                  TEXT             NOT NULL,
    -- monthly price by funding source, kopecks; NULL when that source is not offered
    price_certificate_kopecks BIGINT,
    price_paid_kopecks        BIGINT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, program_id) REFERENCES programs (tenant_id, id)
);
CREATE INDEX study_groups_program ON study_groups (tenant_id, program_id);
