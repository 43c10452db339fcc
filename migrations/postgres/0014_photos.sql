-- Photos: an organization's logo and a program's cover, each the key of a stored file
-- (`storage::Key`: the SHA-256 of the file's bytes and its extension), NULL when none. A
-- cover has two renditions: `cover` for the program's page, `cover_card` for the cards of
-- the catalog.
ALTER TABLE organizations ADD COLUMN logo TEXT;
ALTER TABLE programs ADD COLUMN cover TEXT;
ALTER TABLE programs ADD COLUMN cover_card TEXT;

-- The files each region stored. `/media/{key}` on a region's host serves only these: a key
-- reaches nothing but an image that region's staff uploaded.
CREATE TABLE media (
    tenant_id  BIGINT NOT NULL REFERENCES tenants (id),
    file_key   TEXT   NOT NULL,
    created_at TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, file_key)
);
