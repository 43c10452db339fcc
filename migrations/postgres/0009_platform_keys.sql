-- Nothing to change here: SQLite's platform_state and tenant_hosts were brought in line
-- with these tables (see the SQLite file of this migration).
SELECT 1;
