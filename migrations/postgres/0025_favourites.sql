-- «Избранное»: the programs a parent keeps to come back to. Rows of programs that left the
-- catalog stay (the program may come back); the tab lists them apart.
CREATE TABLE favourites (
    tenant_id  BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    program_id BIGINT NOT NULL,
    created_at TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, user_id, program_id)
);
