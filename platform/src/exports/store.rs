//! The rows of the administrators' tables, read a chunk at a time in id order (`id > after`),
//! so that an export of the whole region streams with one chunk in memory and no
//! connection held between chunks. Every query is scoped to the region and, for a municipal
//! admin, to the municipality (`municipality`): programs and applications by their
//! organization's municipality, certificates by the child's.

use sqlx::Row;

use crate::db::{Db, DbError};
use crate::tenant_id::TenantId;

use super::filter::ExportFilter;

/// A program with its organization and status.
#[derive(Debug, Clone)]
pub struct ProgramLine {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub direction: String,
    pub age_min: i64,
    pub age_max: i64,
    pub financing: String,
    pub price_kopecks: i64,
    pub organization: String,
    pub municipality: String,
    pub created_at: String,
    pub published_at: Option<String>,
}

/// An application with its child: personal data.
#[derive(Debug, Clone)]
pub struct ApplicationLine {
    pub id: i64,
    pub status: String,
    pub funding: String,
    pub created_at: String,
    pub program_id: i64,
    pub program: String,
    pub group: String,
    pub organization: String,
    pub municipality: String,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub birth_date: String,
    pub certificate: Option<String>,
}

/// A certificate with its child and its money over every period: personal data.
#[derive(Debug, Clone)]
pub struct CertificateLine {
    pub id: i64,
    pub number: String,
    pub status: String,
    pub municipality: String,
    pub created_at: String,
    pub confirmed_at: Option<String>,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub birth_date: String,
    pub credited: i64,
    pub committed: i64,
    pub spent: i64,
}

#[tracing::instrument(skip_all, fields(%tenant, after))]
pub async fn programs(
    db: &Db,
    tenant: TenantId,
    filter: &ExportFilter,
    after: i64,
    limit: i64,
) -> Result<Vec<ProgramLine>, DbError> {
    let rows = sqlx::query(
        "SELECT p.id, p.title, p.status, p.direction, p.age_min, p.age_max, p.financing, \
                p.price_kopecks, p.created_at, p.published_at, o.short_name, o.municipality_id \
         FROM programs p \
         JOIN organizations o ON o.tenant_id = p.tenant_id AND o.id = p.organization_id \
         WHERE p.tenant_id = $1 AND p.id > $2 \
           AND (CAST($3 AS TEXT) IS NULL OR o.municipality_id = $3) \
           AND (CAST($4 AS TEXT) IS NULL OR p.status = $4) \
           AND (CAST($5 AS BIGINT) IS NULL OR p.organization_id = $5) \
           AND (CAST($6 AS TEXT) IS NULL OR p.created_at >= $6) \
           AND (CAST($7 AS TEXT) IS NULL OR p.created_at < $7) \
         ORDER BY p.id LIMIT $8",
    )
    .bind(tenant)
    .bind(after)
    .bind(filter.municipality.as_deref())
    .bind(filter.status.as_deref())
    .bind(filter.organization)
    .bind(filter.from.as_deref())
    .bind(filter.until.as_deref())
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ProgramLine {
                id: r.try_get("id")?,
                title: r.try_get("title")?,
                status: r.try_get("status")?,
                direction: r.try_get("direction")?,
                age_min: r.try_get("age_min")?,
                age_max: r.try_get("age_max")?,
                financing: r.try_get("financing")?,
                price_kopecks: r.try_get("price_kopecks")?,
                organization: r.try_get("short_name")?,
                municipality: r.try_get("municipality_id")?,
                created_at: r.try_get("created_at")?,
                published_at: r.try_get("published_at")?,
            })
        })
        .collect()
}

#[tracing::instrument(skip_all, fields(%tenant, after))]
pub async fn applications(
    db: &Db,
    tenant: TenantId,
    filter: &ExportFilter,
    after: i64,
    limit: i64,
) -> Result<Vec<ApplicationLine>, DbError> {
    let rows = sqlx::query(
        "SELECT a.id, a.status, a.funding, a.created_at, a.program_id, p.title, \
                g.name AS group_name, o.short_name, o.municipality_id, \
                c.last_name, c.first_name, c.middle_name, c.birth_date, s.number \
         FROM applications a \
         JOIN organizations o ON o.tenant_id = a.tenant_id AND o.id = a.organization_id \
         JOIN programs p ON p.tenant_id = a.tenant_id AND p.id = a.program_id \
         JOIN study_groups g ON g.tenant_id = a.tenant_id AND g.id = a.group_id \
         JOIN children c ON c.tenant_id = a.tenant_id AND c.id = a.child_id \
         LEFT JOIN certificates s ON s.tenant_id = a.tenant_id AND s.child_id = a.child_id \
         WHERE a.tenant_id = $1 AND a.id > $2 \
           AND (CAST($3 AS TEXT) IS NULL OR o.municipality_id = $3) \
           AND (CAST($4 AS TEXT) IS NULL OR a.status = $4) \
           AND (CAST($5 AS BIGINT) IS NULL OR a.organization_id = $5) \
           AND (CAST($6 AS TEXT) IS NULL OR a.created_at >= $6) \
           AND (CAST($7 AS TEXT) IS NULL OR a.created_at < $7) \
         ORDER BY a.id LIMIT $8",
    )
    .bind(tenant)
    .bind(after)
    .bind(filter.municipality.as_deref())
    .bind(filter.status.as_deref())
    .bind(filter.organization)
    .bind(filter.from.as_deref())
    .bind(filter.until.as_deref())
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ApplicationLine {
                id: r.try_get("id")?,
                status: r.try_get("status")?,
                funding: r.try_get("funding")?,
                created_at: r.try_get("created_at")?,
                program_id: r.try_get("program_id")?,
                program: r.try_get("title")?,
                group: r.try_get("group_name")?,
                organization: r.try_get("short_name")?,
                municipality: r.try_get("municipality_id")?,
                last_name: r.try_get("last_name")?,
                first_name: r.try_get("first_name")?,
                middle_name: r.try_get("middle_name")?,
                birth_date: r.try_get("birth_date")?,
                certificate: r.try_get("number")?,
            })
        })
        .collect()
}

#[tracing::instrument(skip_all, fields(%tenant, after))]
pub async fn certificates(
    db: &Db,
    tenant: TenantId,
    filter: &ExportFilter,
    after: i64,
    limit: i64,
) -> Result<Vec<CertificateLine>, DbError> {
    // `funded` is a status of its own in the filter: money was credited in some period.
    // (PostgreSQL sums BIGINT as NUMERIC: the sums are cast back.)
    let (status, funded) = match filter.status.as_deref() {
        Some("funded") => (None, true),
        other => (other, false),
    };
    let rows = sqlx::query(
        "SELECT s.id, s.number, s.status, s.municipality_id, s.created_at, s.confirmed_at, \
                c.last_name, c.first_name, c.middle_name, c.birth_date, \
                CAST(COALESCE((SELECT SUM(b.credited) FROM certificate_balances b \
                          WHERE b.tenant_id = s.tenant_id AND b.certificate_id = s.id), 0) \
                     AS BIGINT) AS credited, \
                CAST(COALESCE((SELECT SUM(b.committed) FROM certificate_balances b \
                          WHERE b.tenant_id = s.tenant_id AND b.certificate_id = s.id), 0) \
                     AS BIGINT) AS committed, \
                CAST(COALESCE((SELECT SUM(b.spent) FROM certificate_balances b \
                          WHERE b.tenant_id = s.tenant_id AND b.certificate_id = s.id), 0) \
                     AS BIGINT) AS spent \
         FROM certificates s \
         JOIN children c ON c.tenant_id = s.tenant_id AND c.id = s.child_id \
         WHERE s.tenant_id = $1 AND s.id > $2 \
           AND (CAST($3 AS TEXT) IS NULL OR s.municipality_id = $3) \
           AND (CAST($4 AS TEXT) IS NULL OR s.status = $4) \
           AND ($5 = 0 OR EXISTS (SELECT 1 FROM certificate_balances f \
                                  WHERE f.tenant_id = s.tenant_id AND f.certificate_id = s.id \
                                    AND f.credited > 0)) \
           AND (CAST($6 AS TEXT) IS NULL OR s.created_at >= $6) \
           AND (CAST($7 AS TEXT) IS NULL OR s.created_at < $7) \
         ORDER BY s.id LIMIT $8",
    )
    .bind(tenant)
    .bind(after)
    .bind(filter.municipality.as_deref())
    .bind(status)
    .bind(i64::from(funded))
    .bind(filter.from.as_deref())
    .bind(filter.until.as_deref())
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(CertificateLine {
                id: r.try_get("id")?,
                number: r.try_get("number")?,
                status: r.try_get("status")?,
                municipality: r.try_get("municipality_id")?,
                created_at: r.try_get("created_at")?,
                confirmed_at: r.try_get("confirmed_at")?,
                last_name: r.try_get("last_name")?,
                first_name: r.try_get("first_name")?,
                middle_name: r.try_get("middle_name")?,
                birth_date: r.try_get("birth_date")?,
                credited: r.try_get("credited")?,
                committed: r.try_get("committed")?,
                spent: r.try_get("spent")?,
            })
        })
        .collect()
}
