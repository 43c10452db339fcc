-- The program card as organizations author it (the fields of the incumbent navigators and
-- of the federal exchange model, ЕАИС ДО), its moderation, and pending edits of published
-- programs.
--
-- `title` is the full name and `description` the detailed description; `financing` becomes a
-- set of codes separated by commas («certificate,paid»): a single code, as every row holds
-- today, is a set of one. `ovz_kinds` likewise lists the kinds of disability (ОВЗ) a program
-- is adapted to; `ovz` stays as «adapted to at least one», which the catalog filters on.
ALTER TABLE programs ADD COLUMN short_title TEXT NOT NULL DEFAULT '';
ALTER TABLE programs ADD COLUMN announce TEXT NOT NULL DEFAULT '';
ALTER TABLE programs ADD COLUMN goals TEXT NOT NULL DEFAULT '';
ALTER TABLE programs ADD COLUMN results TEXT NOT NULL DEFAULT '';
ALTER TABLE programs ADD COLUMN program_type TEXT NOT NULL DEFAULT 'general';
ALTER TABLE programs ADD COLUMN study_form TEXT NOT NULL DEFAULT 'full_time';
ALTER TABLE programs ADD COLUMN ovz_kinds TEXT NOT NULL DEFAULT '';
ALTER TABLE programs ADD COLUMN group_min BIGINT NOT NULL DEFAULT 1;
ALTER TABLE programs ADD COLUMN group_max BIGINT NOT NULL DEFAULT 15;
-- The moderator's last comment («Ожидает правки») and when the card was sent to moderation.
ALTER TABLE programs ADD COLUMN moderator_comment TEXT;
ALTER TABLE programs ADD COLUMN submitted_at TEXT;

-- An edit of a published program waits here while families keep seeing the published row:
-- the whole card as JSON, its own state (draft | moderation | needs_changes) and the
-- moderator's comment. At most one per program; publishing it copies the card into the row.
CREATE TABLE program_revisions (
    tenant_id         BIGINT NOT NULL REFERENCES tenants (id),
    program_id        BIGINT NOT NULL,
    card              TEXT   NOT NULL,
    state             TEXT   NOT NULL,
    moderator_comment TEXT,
    author_id         BIGINT,
    created_at        TEXT   NOT NULL,
    updated_at        TEXT   NOT NULL,
    submitted_at      TEXT,
    PRIMARY KEY (tenant_id, program_id),
    FOREIGN KEY (tenant_id, program_id) REFERENCES programs (tenant_id, id)
);
CREATE INDEX program_revisions_state ON program_revisions (tenant_id, state);

-- The history of a program, group or profile is its audit rows (subject `program:42`).
CREATE INDEX audit_log_subject ON audit_log (tenant_id, subject, id);
