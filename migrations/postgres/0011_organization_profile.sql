-- The organization profile its staff edit: the ОГРН (ОГРНИП of an ИП), the type by founder
-- (state | municipal | private | ip), and the places where it teaches. The logo comes with
-- the photos (file storage).
ALTER TABLE organizations ADD COLUMN ogrn TEXT;
ALTER TABLE organizations ADD COLUMN org_type TEXT NOT NULL DEFAULT 'municipal';
UPDATE organizations SET org_type = kind WHERE kind IN ('private', 'ip');

-- Places of study (места обучения): an address with its point on the map, inside the region.
CREATE TABLE places (
    tenant_id       BIGINT           NOT NULL REFERENCES tenants (id),
    id              BIGINT           NOT NULL,
    organization_id BIGINT           NOT NULL,
    address         TEXT             NOT NULL,
    lat             DOUBLE PRECISION NOT NULL,
    lon             DOUBLE PRECISION NOT NULL,
    created_at      TEXT             NOT NULL,
    updated_at      TEXT             NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id)
);
CREATE INDEX places_organization ON places (tenant_id, organization_id);
