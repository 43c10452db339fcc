-- A child's timetable as an iCal feed phones subscribe to: a secret address per child, its
-- token stored as a digest (SHA-256) like every token; renewing it replaces the row, and the
-- old address stops working.
CREATE TABLE calendar_feeds (
    tenant_id    BIGINT NOT NULL,
    child_id     BIGINT NOT NULL,
    token_digest TEXT   NOT NULL,
    created_at   TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, child_id)
);
CREATE UNIQUE INDEX calendar_feeds_token ON calendar_feeds (tenant_id, token_digest);
