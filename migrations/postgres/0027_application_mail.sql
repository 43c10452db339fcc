-- How each organization's staff member hears of new applications: 'each' (a mail per
-- application, the default: until now they heard of none), 'hourly' (one digest an hour)
-- or 'off'.
ALTER TABLE users ADD COLUMN application_mail TEXT NOT NULL DEFAULT 'each';

-- Applications waiting for a staff member's hourly digest, written with the application.
-- A digest is due an hour after its oldest item and takes the items it lists, in the
-- transaction that queues it: an application committed meanwhile waits for the next one,
-- none is listed twice or lost. `base_url` is the address the applying family used, for
-- the mail's links: the job that sends it has no request to take it from.
CREATE TABLE application_digest_items (
    tenant_id      BIGINT NOT NULL,
    user_id        BIGINT NOT NULL,
    application_id BIGINT NOT NULL,
    base_url       TEXT   NOT NULL,
    created_at     TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, user_id, application_id)
);
