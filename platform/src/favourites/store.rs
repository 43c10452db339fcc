//! The favourites' queries, each scoped to the region and the parent.

use sqlx::Row;

use crate::catalog::model::ProgramStatus;
use crate::db::{Db, DbError};
use crate::tenant_id::TenantId;

/// A kept program: its id, title, and whether it is in the catalog now.
#[derive(Debug, Clone)]
pub struct Kept {
    pub program_id: i64,
    pub title: String,
    pub published: bool,
}

/// Keeps `program`; true when it was not kept yet.
pub async fn add(
    db: &Db,
    tenant: TenantId,
    user: i64,
    program: i64,
    at: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "INSERT INTO favourites (tenant_id, user_id, program_id, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, user_id, program_id) DO NOTHING",
    )
    .bind(tenant)
    .bind(user)
    .bind(program)
    .bind(at)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn remove(db: &Db, tenant: TenantId, user: i64, program: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM favourites WHERE tenant_id = $1 AND user_id = $2 AND program_id = $3")
        .bind(tenant)
        .bind(user)
        .bind(program)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn count(db: &Db, tenant: TenantId, user: i64) -> Result<i64, DbError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM favourites WHERE tenant_id = $1 AND user_id = $2")
            .bind(tenant)
            .bind(user)
            .fetch_one(db.pool())
            .await?,
    )
}

pub async fn contains(db: &Db, tenant: TenantId, user: i64, program: i64) -> Result<bool, DbError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM favourites WHERE tenant_id = $1 AND user_id = $2 \
         AND program_id = $3",
    )
    .bind(tenant)
    .bind(user)
    .bind(program)
    .fetch_one(db.pool())
    .await?;
    Ok(n > 0)
}

/// The parent's kept programs, the latest kept first.
pub async fn of_user(db: &Db, tenant: TenantId, user: i64) -> Result<Vec<Kept>, DbError> {
    let rows = sqlx::query(
        "SELECT f.program_id, p.title, p.status FROM favourites f \
         JOIN programs p ON p.tenant_id = f.tenant_id AND p.id = f.program_id \
         WHERE f.tenant_id = $1 AND f.user_id = $2 \
         ORDER BY f.created_at DESC, f.program_id DESC",
    )
    .bind(tenant)
    .bind(user)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Kept {
                program_id: r.try_get("program_id")?,
                title: r.try_get("title")?,
                published: r.try_get::<String, _>("status")? == ProgramStatus::Published.code(),
            })
        })
        .collect()
}
