//! What the desk reads beyond the other capabilities' stores: a certificate by its number
//! in the whole region (a family may come to an organization of another municipality).

use sqlx::Row;

use crate::db::{Db, DbError};
use crate::tenant_id::TenantId;

/// The certificate with this number in the region: (certificate id, child id, parent id).
pub async fn certificate_by_number(
    db: &Db,
    tenant: TenantId,
    number: &str,
) -> Result<Option<(i64, i64, i64)>, DbError> {
    let row = sqlx::query(
        "SELECT id, child_id, parent_id FROM certificates WHERE tenant_id = $1 AND number = $2",
    )
    .bind(tenant)
    .bind(number)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| -> Result<_, DbError> { Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)) })
        .transpose()
}

/// Whether the organization works (the region's administrators have not deactivated it).
pub async fn organization_works(
    db: &Db,
    tenant: TenantId,
    organization: i64,
) -> Result<bool, DbError> {
    let row = sqlx::query(
        "SELECT COUNT(*) FROM organizations WHERE tenant_id = $1 AND id = $2 \
         AND deactivated_at IS NULL",
    )
    .bind(tenant)
    .bind(organization)
    .fetch_one(db.pool())
    .await?;
    Ok(row.try_get::<i64, _>(0)? > 0)
}
