-- An organization the region's administrators deactivated (issue 18): the moment, or NULL
-- while it works. Its programs keep their status, so reactivation brings the published ones
-- back as they were; while it is set the catalog reads none of them (search, program page,
-- sitegen), and its staff cannot send programs to moderation. Its applications stay.
ALTER TABLE organizations ADD COLUMN deactivated_at TEXT;
