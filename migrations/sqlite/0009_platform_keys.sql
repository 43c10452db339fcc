-- Two platform tables brought in line with PostgreSQL (found by the schema comparison test):
-- SQLite lets a TEXT primary key hold NULL unless it says NOT NULL, and makes an
-- `INTEGER PRIMARY KEY` the rowid, filled in when an insert leaves it out. Neither table
-- is referenced by another, so each is rebuilt in place.

CREATE TABLE platform_state_new (
    id               BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    -- bumped by every change of any tenant; servers poll it to reload their registry
    registry_version BIGINT NOT NULL
);
INSERT INTO platform_state_new (id, registry_version) SELECT id, registry_version FROM platform_state;
DROP TABLE platform_state;
ALTER TABLE platform_state_new RENAME TO platform_state;

CREATE TABLE tenant_hosts_new (
    host      TEXT   NOT NULL PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants (id)
);
INSERT INTO tenant_hosts_new (host, tenant_id) SELECT host, tenant_id FROM tenant_hosts;
DROP TABLE tenant_hosts;
ALTER TABLE tenant_hosts_new RENAME TO tenant_hosts;
CREATE INDEX tenant_hosts_tenant ON tenant_hosts (tenant_id);
