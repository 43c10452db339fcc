//! The timetable's queries, each scoped to the region (and the parent or the feed's token).

use sqlx::Row;

use crate::db::{Db, DbError};
use crate::tenant_id::TenantId;

/// A group a child is enrolled in.
#[derive(Debug, Clone)]
pub struct Enrollment {
    pub child_id: i64,
    pub group_id: i64,
    pub program_id: i64,
    /// The program's title.
    pub program: String,
}

/// The enrollments of the parent's children (of one child, when given).
pub async fn enrollments(
    db: &Db,
    tenant: TenantId,
    parent: i64,
    child: Option<i64>,
) -> Result<Vec<Enrollment>, DbError> {
    let rows = sqlx::query(
        "SELECT a.child_id, a.group_id, a.program_id, p.title FROM applications a \
         JOIN children c ON c.tenant_id = a.tenant_id AND c.id = a.child_id \
         JOIN programs p ON p.tenant_id = a.tenant_id AND p.id = a.program_id \
         WHERE a.tenant_id = $1 AND c.parent_id = $2 AND a.status = 'enrolled' \
         AND ($3 = 0 OR a.child_id = $3) ORDER BY a.child_id, a.group_id",
    )
    .bind(tenant)
    .bind(parent)
    .bind(child.unwrap_or(0))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Enrollment {
                child_id: r.try_get("child_id")?,
                group_id: r.try_get("group_id")?,
                program_id: r.try_get("program_id")?,
                program: r.try_get("title")?,
            })
        })
        .collect()
}

/// Sets the child's feed token (its digest), replacing the previous one.
pub async fn set_feed(
    db: &Db,
    tenant: TenantId,
    child: i64,
    digest: &str,
    at: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO calendar_feeds (tenant_id, child_id, token_digest, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, child_id) \
         DO UPDATE SET token_digest = excluded.token_digest, created_at = excluded.created_at",
    )
    .bind(tenant)
    .bind(child)
    .bind(digest)
    .bind(at)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn delete_feed(db: &Db, tenant: TenantId, child: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM calendar_feeds WHERE tenant_id = $1 AND child_id = $2")
        .bind(tenant)
        .bind(child)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The children of the parent with a feed, and when it was made.
pub async fn feeds_of(
    db: &Db,
    tenant: TenantId,
    parent: i64,
) -> Result<Vec<(i64, String)>, DbError> {
    let rows = sqlx::query(
        "SELECT f.child_id, f.created_at FROM calendar_feeds f \
         JOIN children c ON c.tenant_id = f.tenant_id AND c.id = f.child_id \
         WHERE f.tenant_id = $1 AND c.parent_id = $2",
    )
    .bind(tenant)
    .bind(parent)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("child_id")?, r.try_get("created_at")?)))
        .collect()
}

/// The child and parent a feed token's digest belongs to.
pub async fn feed_owner(
    db: &Db,
    tenant: TenantId,
    digest: &str,
) -> Result<Option<(i64, i64)>, DbError> {
    let row = sqlx::query(
        "SELECT f.child_id, c.parent_id FROM calendar_feeds f \
         JOIN children c ON c.tenant_id = f.tenant_id AND c.id = f.child_id \
         WHERE f.tenant_id = $1 AND f.token_digest = $2",
    )
    .bind(tenant)
    .bind(digest)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| Ok((r.try_get("child_id")?, r.try_get("parent_id")?)))
        .transpose()
}
