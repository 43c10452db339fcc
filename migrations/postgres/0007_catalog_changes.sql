-- Which catalog version last changed a row, so the static site generator (sitegen) can
-- re-render only what changed since its previous run. A writer sets `changed_in` to NULL
-- when it changes what a public page shows; `bump_version`, in the same transaction,
-- stamps those rows with the new version. Rows from before this migration are NULL and so
-- count as changed once.
ALTER TABLE organizations ADD COLUMN changed_in BIGINT;
ALTER TABLE programs ADD COLUMN changed_in BIGINT;
ALTER TABLE study_groups ADD COLUMN changed_in BIGINT;
CREATE INDEX organizations_changed ON organizations (tenant_id, changed_in);
CREATE INDEX programs_changed ON programs (tenant_id, changed_in);
CREATE INDEX study_groups_changed ON study_groups (tenant_id, changed_in);
