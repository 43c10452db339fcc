-- Statistics (issue 18). Two facts the dashboards need that no row kept yet, and the
-- indexes their period filters read by.
--
-- A child's ОВЗ (ограниченные возможности здоровья), told by the parent: охват reports
-- children with ОВЗ separately.
ALTER TABLE children ADD COLUMN ovz BIGINT NOT NULL DEFAULT 0;

-- When an organization first decided an application («Подтверждена» or «Отклонена») and
-- how many seconds after it was filed: written by the decision itself, so the median and
-- 90th percentile of the answer time are a GROUP BY over one table, not a join with the
-- history, at a million applications.
ALTER TABLE applications ADD COLUMN decided_at TEXT;
ALTER TABLE applications ADD COLUMN wait_seconds BIGINT;

UPDATE applications SET decided_at = (
    SELECT MIN(e.created_at) FROM application_events e
    WHERE e.tenant_id = applications.tenant_id AND e.application_id = applications.id
      AND e.status IN ('confirmed', 'rejected')
);
UPDATE applications
SET wait_seconds = CAST(ROUND((julianday(decided_at) - julianday(created_at)) * 86400) AS INTEGER)
WHERE decided_at IS NOT NULL;

CREATE INDEX applications_created ON applications (tenant_id, created_at);
CREATE INDEX applications_status_group ON applications (tenant_id, status, group_id);
