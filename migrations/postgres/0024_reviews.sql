-- Families' reviews of programs. A parent whose child was enrolled in a group of the program
-- writes one per child and program: 1–5 stars and a text, shown with the parent's first name
-- and the child's age at writing (kept here: the page never reads the family's rows).
CREATE TABLE reviews (
    tenant_id    BIGINT NOT NULL,
    id           BIGINT NOT NULL,
    program_id   BIGINT NOT NULL,
    child_id     BIGINT NOT NULL,
    author_id    BIGINT NOT NULL,
    stars        BIGINT NOT NULL CHECK (stars BETWEEN 1 AND 5),
    body         TEXT   NOT NULL,
    author_name  TEXT   NOT NULL,
    child_age    BIGINT NOT NULL,
    -- pending | published | rejected | hidden
    status       TEXT   NOT NULL,
    -- the moderator's reason for «Отклонить» or «Скрыть»
    reason       TEXT,
    moderated_by BIGINT,
    moderated_at TEXT,
    -- the organization's one public answer
    answer       TEXT,
    answered_by  BIGINT,
    answered_at  TEXT,
    created_at   TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX reviews_one_per_child ON reviews (tenant_id, program_id, child_id);
CREATE INDEX reviews_status ON reviews (tenant_id, status, created_at);
-- The published reviews' count and sum of stars, kept with the program so the catalog's
-- cards, sort and index read them with the program (changed in the review's transaction).
ALTER TABLE programs ADD COLUMN rating_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE programs ADD COLUMN rating_sum BIGINT NOT NULL DEFAULT 0;
