-- The administrators' audit log is filtered by action (a child's views of its personal data
-- are one action on one subject; the subject has its index since 0012) and read newest
-- first, a page at a time by id.
CREATE INDEX audit_log_action ON audit_log (tenant_id, action, id);
