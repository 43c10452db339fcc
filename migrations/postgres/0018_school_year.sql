-- «Новый учебный год» copies an organization's programs with their groups into the next
-- school year. A copy remembers which program it was made from and for which school year
-- (its first calendar year: 2027 for 2027/28), so that the same program is not copied
-- twice for one year by a form sent again or a retried API call.
ALTER TABLE programs ADD COLUMN copy_of BIGINT;
ALTER TABLE programs ADD COLUMN study_year BIGINT;
-- NULLs are distinct in both databases: programs that are no such copy never collide.
CREATE UNIQUE INDEX programs_year_copy ON programs (tenant_id, copy_of, study_year);
