-- «Приём заявителя»: an organization registers a family that came in person. The account is
-- the parent's from the start (no password until they follow the mailed link); this row says
-- which organization created it, on what paper consent, and when the parent took it over —
-- from then on the staff can no longer change it.
CREATE TABLE assisted_accounts (
    tenant_id        BIGINT NOT NULL,
    user_id          BIGINT NOT NULL,
    organization_id  BIGINT NOT NULL,
    staff_id         BIGINT NOT NULL,
    -- the paper consent to the privacy policy and terms: its number, date (YYYY-MM-DD) and who took it
    consent_number   TEXT   NOT NULL,
    consent_date     TEXT   NOT NULL,
    consent_taken_by TEXT   NOT NULL,
    created_at       TEXT   NOT NULL,
    taken_over_at    TEXT,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX assisted_accounts_organization ON assisted_accounts (tenant_id, organization_id, created_at);
-- The duplicate checks of the desk look a phone and a child's СНИЛС up in the region.
CREATE INDEX users_phone ON users (tenant_id, phone);
CREATE INDEX children_snils ON children (tenant_id, snils);
-- How an application came: 'online' (the parent, in the navigator) or 'in_person' («Личное
-- обращение», recorded by the organization's staff member in recorded_by).
ALTER TABLE applications ADD COLUMN channel TEXT NOT NULL DEFAULT 'online';
ALTER TABLE applications ADD COLUMN recorded_by BIGINT;
