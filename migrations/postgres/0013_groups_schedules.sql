-- Groups as organizations keep them (issue 16): teachers from the organization's list, a
-- place of study from its profile, schedule rows instead of the free-text
-- `study_groups.schedule`, and a status: open or closed for enrollment, or archived.
--
-- The old columns are moved here, in SQL, so a database is never half-migrated (the
-- migration runs in one transaction, and no start-up step in Rust has to run before the
-- server may read groups). The schedule text was only ever written by
-- `Schedule::encode` ("1 15:00-16:30; 3 15:00-16:30"), which each dialect splits with
-- its own string functions; `db::migrations` tests the conversion against
-- `Schedule::parse`. Then the old columns are dropped, so nothing can read them stale.

-- The organization's list of teachers (педагоги).
CREATE TABLE teachers (
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    id              BIGINT NOT NULL,
    organization_id BIGINT NOT NULL,
    name            TEXT   NOT NULL,
    -- должность, e.g. «педагог дополнительного образования»; may be empty
    position        TEXT   NOT NULL DEFAULT '',
    created_at      TEXT   NOT NULL,
    updated_at      TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id)
);
CREATE INDEX teachers_organization ON teachers (tenant_id, organization_id, name);

-- A group has one or more teachers of its organization.
CREATE TABLE group_teachers (
    tenant_id  BIGINT NOT NULL REFERENCES tenants (id),
    group_id   BIGINT NOT NULL,
    teacher_id BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, group_id, teacher_id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES study_groups (tenant_id, id),
    FOREIGN KEY (tenant_id, teacher_id) REFERENCES teachers (tenant_id, id)
);
CREATE INDEX group_teachers_teacher ON group_teachers (tenant_id, teacher_id);

-- The weekly schedule: a row per session, in the order shown; optionally only between two
-- dates (YYYY-MM-DD) inside the group's study dates.
CREATE TABLE group_sessions (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    group_id  BIGINT NOT NULL,
    position  BIGINT NOT NULL,
    -- 1 = Monday … 7 = Sunday
    weekday   BIGINT NOT NULL,
    -- 'HH:MM', starts < ends
    starts    TEXT   NOT NULL,
    ends      TEXT   NOT NULL,
    date_from TEXT,
    date_to   TEXT,
    PRIMARY KEY (tenant_id, group_id, position),
    FOREIGN KEY (tenant_id, group_id) REFERENCES study_groups (tenant_id, id)
);

-- The place of study the group takes its address and point from. Nullable only because
-- SQLite cannot add a NOT NULL column without a default (nor a foreign key) to a table:
-- every writer sets it, and the rows below get theirs.
ALTER TABLE study_groups ADD COLUMN place_id BIGINT;
-- open (набор открыт) | closed (набор закрыт) | archived (в архиве: not shown)
ALTER TABLE study_groups ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
CREATE INDEX study_groups_place ON study_groups (tenant_id, place_id);
-- The group's ages, inside the program's (nullable like place_id, set by every writer);
-- existing groups take the program's.
ALTER TABLE study_groups ADD COLUMN age_min BIGINT;
ALTER TABLE study_groups ADD COLUMN age_max BIGINT;
UPDATE study_groups SET
    age_min = (SELECT p.age_min FROM programs p
               WHERE p.tenant_id = study_groups.tenant_id AND p.id = study_groups.program_id),
    age_max = (SELECT p.age_max FROM programs p
               WHERE p.tenant_id = study_groups.tenant_id AND p.id = study_groups.program_id);

-- Teachers: one per distinct name within an organization, numbered per region after any
-- id already taken.
INSERT INTO teachers (tenant_id, id, organization_id, name, position, created_at, updated_at)
SELECT t.tenant_id,
       COALESCE((SELECT s.next_id FROM id_sequences s
                 WHERE s.tenant_id = t.tenant_id AND s.name = 'teachers'), 1) - 1
         + ROW_NUMBER() OVER (PARTITION BY t.tenant_id ORDER BY t.organization_id, t.name),
       t.organization_id, t.name, '', o.updated_at, o.updated_at
FROM (SELECT DISTINCT g.tenant_id, p.organization_id, TRIM(g.teacher) AS name
      FROM study_groups g
      JOIN programs p ON p.tenant_id = g.tenant_id AND p.id = g.program_id
      WHERE TRIM(g.teacher) <> '') t
JOIN organizations o ON o.tenant_id = t.tenant_id AND o.id = t.organization_id;

INSERT INTO group_teachers (tenant_id, group_id, teacher_id)
SELECT g.tenant_id, g.id, t.id
FROM study_groups g
JOIN programs p ON p.tenant_id = g.tenant_id AND p.id = g.program_id
JOIN teachers t ON t.tenant_id = g.tenant_id AND t.organization_id = p.organization_id
               AND t.name = TRIM(g.teacher);

-- Places: a group's address and point become the organization's place with the same
-- address and point, made when it has none.
INSERT INTO places (tenant_id, id, organization_id, address, lat, lon, created_at, updated_at)
SELECT d.tenant_id,
       COALESCE((SELECT s.next_id FROM id_sequences s
                 WHERE s.tenant_id = d.tenant_id AND s.name = 'places'), 1) - 1
         + ROW_NUMBER() OVER (PARTITION BY d.tenant_id
                              ORDER BY d.organization_id, d.address, d.lat, d.lon),
       d.organization_id, d.address, d.lat, d.lon, o.updated_at, o.updated_at
FROM (SELECT DISTINCT g.tenant_id, p.organization_id, g.address, g.lat, g.lon
      FROM study_groups g
      JOIN programs p ON p.tenant_id = g.tenant_id AND p.id = g.program_id
      WHERE NOT EXISTS (SELECT 1 FROM places pl
                        WHERE pl.tenant_id = g.tenant_id AND pl.organization_id = p.organization_id
                          AND pl.address = g.address AND pl.lat = g.lat AND pl.lon = g.lon)) d
JOIN organizations o ON o.tenant_id = d.tenant_id AND o.id = d.organization_id;

UPDATE study_groups SET place_id = (
    SELECT MIN(pl.id) FROM places pl, programs p
    WHERE p.tenant_id = study_groups.tenant_id AND p.id = study_groups.program_id
      AND pl.tenant_id = study_groups.tenant_id AND pl.organization_id = p.organization_id
      AND pl.address = study_groups.address AND pl.lat = study_groups.lat
      AND pl.lon = study_groups.lon);

-- The id sequences past the ids just taken.
UPDATE id_sequences SET next_id = (
    SELECT MAX(x.id) + 1 FROM places x WHERE x.tenant_id = id_sequences.tenant_id)
WHERE name = 'places'
  AND EXISTS (SELECT 1 FROM places x WHERE x.tenant_id = id_sequences.tenant_id);
INSERT INTO id_sequences (tenant_id, name, next_id)
SELECT x.tenant_id, 'places', MAX(x.id) + 1 FROM places x
WHERE NOT EXISTS (SELECT 1 FROM id_sequences s WHERE s.tenant_id = x.tenant_id AND s.name = 'places')
GROUP BY x.tenant_id;
INSERT INTO id_sequences (tenant_id, name, next_id)
SELECT x.tenant_id, 'teachers', MAX(x.id) + 1 FROM teachers x
WHERE NOT EXISTS (SELECT 1 FROM id_sequences s WHERE s.tenant_id = x.tenant_id AND s.name = 'teachers')
GROUP BY x.tenant_id;

-- Schedule rows: "1 15:00-16:30; 3 15:00-16:30" split on ';' into rows, each part
-- "D HH:MM-HH:MM" on its space and hyphen.
INSERT INTO group_sessions (tenant_id, group_id, position, weekday, starts, ends)
SELECT s.tenant_id, s.group_id,
       ROW_NUMBER() OVER (PARTITION BY s.tenant_id, s.group_id ORDER BY s.n) - 1,
       CAST(SPLIT_PART(s.part, ' ', 1) AS BIGINT),
       TRIM(SPLIT_PART(SUBSTR(s.part, STRPOS(s.part, ' ') + 1), '-', 1)),
       TRIM(SPLIT_PART(SUBSTR(s.part, STRPOS(s.part, ' ') + 1), '-', 2))
FROM (SELECT g.tenant_id, g.id AS group_id, p.n, TRIM(p.part) AS part
      FROM study_groups g,
           UNNEST(STRING_TO_ARRAY(g.schedule, ';')) WITH ORDINALITY AS p (part, n)) s
WHERE s.part <> '';

-- What the rows above replace.
ALTER TABLE study_groups DROP COLUMN schedule;
ALTER TABLE study_groups DROP COLUMN teacher;
ALTER TABLE study_groups DROP COLUMN address;
ALTER TABLE study_groups DROP COLUMN lat;
ALTER TABLE study_groups DROP COLUMN lon;
