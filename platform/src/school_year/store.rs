//! The queries of «Новый учебный год»: which program a copy was made from and for which
//! school year (`programs.copy_of`, `programs.study_year`, migration 0018, written only
//! here), and what the page lists about each program's groups.

use chrono::NaiveDate;
use sqlx::Row;

use crate::db::{Db, DbError, Tx};
use crate::tenant_id::TenantId;

use super::year::StudyYear;

/// The copy of program `of` made for `year`, if there is one.
#[tracing::instrument(skip(tx))]
pub async fn copy_for(
    tx: &mut Tx,
    tenant: TenantId,
    of: i64,
    year: StudyYear,
) -> Result<Option<i64>, DbError> {
    let row = sqlx::query(
        "SELECT id FROM programs WHERE tenant_id = $1 AND copy_of = $2 AND study_year = $3",
    )
    .bind(tenant)
    .bind(of)
    .bind(i64::from(year.0))
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| r.try_get(0)).transpose().map_err(DbError::from)
}

/// Records that program `id` is the copy of `of` for `year`.
#[tracing::instrument(skip(tx))]
pub async fn mark_copy(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    of: i64,
    year: StudyYear,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE programs SET copy_of = $3, study_year = $4 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(of)
    .bind(i64::from(year.0))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The copies made of the organization's programs: (copy of, school year, copy).
#[tracing::instrument(skip(db))]
pub async fn copies(
    db: &Db,
    tenant: TenantId,
    org: i64,
) -> Result<Vec<(i64, StudyYear, i64)>, DbError> {
    sqlx::query(
        "SELECT copy_of, study_year, id FROM programs \
         WHERE tenant_id = $1 AND organization_id = $2 AND copy_of IS NOT NULL ORDER BY id",
    )
    .bind(tenant)
    .bind(org)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let year: i64 = r.try_get(1)?;
        Ok((
            r.try_get(0)?,
            StudyYear(i32::try_from(year).unwrap_or(i32::MAX)),
            r.try_get(2)?,
        ))
    })
    .collect()
}

/// For each program of the organization with groups that are not archived (the groups a
/// copy takes): (program, how many, the first study start).
#[tracing::instrument(skip(db))]
pub async fn live_groups(
    db: &Db,
    tenant: TenantId,
    org: i64,
) -> Result<Vec<(i64, i64, NaiveDate)>, DbError> {
    sqlx::query(
        "SELECT g.program_id, COUNT(*), MIN(g.study_from) FROM study_groups g \
         JOIN programs p ON p.tenant_id = g.tenant_id AND p.id = g.program_id \
         WHERE g.tenant_id = $1 AND p.organization_id = $2 AND g.status <> 'archived' \
         GROUP BY g.program_id",
    )
    .bind(tenant)
    .bind(org)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let first: String = r.try_get(2)?;
        let first = first.parse().map_err(|_| {
            DbError::Query(sqlx::Error::Decode(format!("study_from: «{first}»").into()))
        })?;
        Ok((r.try_get(0)?, r.try_get(1)?, first))
    })
    .collect()
}
