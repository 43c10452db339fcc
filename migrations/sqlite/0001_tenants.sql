-- Regions (tenants) and what the platform knows about them.
-- tenants / tenant_hosts / platform_state are platform tables (Citus: reference tables);
-- every tenant-owned table carries tenant_id first in its primary key and indexes.

CREATE TABLE platform_state (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    -- bumped by every change of any tenant; servers poll it to reload their registry
    registry_version BIGINT  NOT NULL
);
INSERT INTO platform_state (id, registry_version) VALUES (1, 0);

CREATE TABLE tenants (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    code        BIGINT  NOT NULL,
    -- the region file exactly as applied; the registry is parsed from it
    source      TEXT    NOT NULL,
    logo_type   TEXT,
    logo        BLOB,
    -- registry_version at which this tenant last changed
    revision    BIGINT  NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

-- Configured hosts (ASCII/punycode form); the primary key makes a host belong to one region.
CREATE TABLE tenant_hosts (
    host      TEXT   PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants (id)
);
CREATE INDEX tenant_hosts_tenant ON tenant_hosts (tenant_id);

CREATE TABLE municipalities (
    tenant_id       BIGINT           NOT NULL REFERENCES tenants (id),
    id              TEXT             NOT NULL,
    name            TEXT             NOT NULL,
    population_5_18 BIGINT           NOT NULL,
    lat             DOUBLE PRECISION NOT NULL,
    lon             DOUBLE PRECISION NOT NULL,
    -- yearly certificate nominal, kopecks
    nominal_kopecks BIGINT           NOT NULL,
    -- order in the region file, for lists
    position        BIGINT           NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
