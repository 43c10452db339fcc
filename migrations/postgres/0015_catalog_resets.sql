-- The catalog version whose change replaced the region's catalog wholesale
-- (`store::delete_catalog`: the demo generator, test fixtures). Rows deleted that way leave
-- no `changed_in` behind, so a search index older than this version is built afresh
-- rather than patched with the changes since. 0: never.
ALTER TABLE catalog_versions ADD COLUMN reset_in BIGINT NOT NULL DEFAULT 0;
