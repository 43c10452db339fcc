-- Catalog sync by API: an organization's own system (1С, its CRM) names its programs and
-- groups by its own ids, and reads what others changed from a change list.

-- The organization's ids of its programs and groups: one object per id and per kind, one
-- id per object. A deleted group's row goes with it.
CREATE TABLE external_ids (
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    organization_id BIGINT NOT NULL,
    -- 'program' | 'group'
    kind            TEXT   NOT NULL,
    external_id     TEXT   NOT NULL,
    object_id       BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, organization_id, kind, external_id),
    UNIQUE (tenant_id, kind, object_id)
);

-- Whose thing an audit row is about (programs, groups, teachers, the profile): the
-- organization's change list reads its rows in order, deleted groups included.
ALTER TABLE audit_log ADD COLUMN organization_id BIGINT;
UPDATE audit_log SET organization_id = CAST(substr(subject, 14) AS BIGINT)
    WHERE subject LIKE 'organization:%';
UPDATE audit_log SET organization_id = (
        SELECT p.organization_id FROM programs p
        WHERE p.tenant_id = audit_log.tenant_id AND p.id = CAST(substr(audit_log.subject, 9) AS BIGINT))
    WHERE subject LIKE 'program:%';
UPDATE audit_log SET organization_id = (
        SELECT p.organization_id FROM study_groups g
        JOIN programs p ON p.tenant_id = g.tenant_id AND p.id = g.program_id
        WHERE g.tenant_id = audit_log.tenant_id AND g.id = CAST(substr(audit_log.subject, 7) AS BIGINT))
    WHERE subject LIKE 'group:%';
UPDATE audit_log SET organization_id = (
        SELECT t.organization_id FROM teachers t
        WHERE t.tenant_id = audit_log.tenant_id AND t.id = CAST(substr(audit_log.subject, 9) AS BIGINT))
    WHERE subject LIKE 'teacher:%';
CREATE INDEX audit_log_organization ON audit_log (tenant_id, organization_id, id);
