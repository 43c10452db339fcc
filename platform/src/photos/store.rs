//! Queries of the photos: which file is an organization's logo and a program's cover, and
//! which files a region stored. Every query is filtered by the region, and the writes by
//! the organization too: staff reach only their own organization's rows.

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::db::{Db, DbError, Tx};
use crate::storage::Key;
use crate::tenant_id::TenantId;
use crate::time::to_db;

/// A program of the organization, whatever its status, with its cover's files.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramCover {
    pub id: i64,
    pub title: String,
    /// The page's rendition.
    pub cover: Option<String>,
    /// The card's rendition.
    pub cover_card: Option<String>,
}

/// The program `id` of organization `org`; `None`: unknown, or another organization's.
pub async fn program_cover(
    db: &Db,
    tenant: TenantId,
    org: i64,
    id: i64,
) -> Result<Option<ProgramCover>, DbError> {
    let row = sqlx::query(
        "SELECT id, title, cover, cover_card FROM programs \
         WHERE tenant_id = $1 AND organization_id = $2 AND id = $3",
    )
    .bind(tenant)
    .bind(org)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| {
        Ok(ProgramCover {
            id: r.try_get("id")?,
            title: r.try_get("title")?,
            cover: r.try_get("cover")?,
            cover_card: r.try_get("cover_card")?,
        })
    })
    .transpose()
}

/// Sets (`Some((page, card))`) or removes the cover of the organization's program, and
/// marks the program changed for `sitegen`; `false` when the organization has no such
/// program. The caller bumps the catalog version.
pub async fn set_cover(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
    id: i64,
    cover: Option<(&Key, &Key)>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE programs SET cover = $4, cover_card = $5, updated_at = $6, changed_in = NULL \
         WHERE tenant_id = $1 AND organization_id = $2 AND id = $3",
    )
    .bind(tenant)
    .bind(org)
    .bind(id)
    .bind(cover.map(|(page, _)| page.as_str()))
    .bind(cover.map(|(_, card)| card.as_str()))
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// The organization's logo as the transaction sees it: `None` when there is no such
/// organization, `Some(None)` when it has no logo.
pub async fn logo_in(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
) -> Result<Option<Option<String>>, DbError> {
    let row = sqlx::query("SELECT logo FROM organizations WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(org)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|r| r.try_get("logo"))
        .transpose()
        .map_err(Into::into)
}

/// Sets or removes the organization's logo and marks it changed for `sitegen` (its page and
/// its programs' pages show it); `false` when there is no such organization.
pub async fn set_logo(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
    logo: Option<&Key>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE organizations SET logo = $3, updated_at = $4, changed_in = NULL \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(org)
    .bind(logo.map(Key::as_str))
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Records that the region stored the file `key` (again: nothing changes).
pub async fn add_media(
    tx: &mut Tx,
    tenant: TenantId,
    key: &Key,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO media (tenant_id, file_key, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (tenant_id, file_key) DO NOTHING",
    )
    .bind(tenant)
    .bind(key.as_str())
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether the region stored the file `key`.
pub async fn has_media(db: &Db, tenant: TenantId, key: &Key) -> Result<bool, DbError> {
    let row = sqlx::query("SELECT 1 FROM media WHERE tenant_id = $1 AND file_key = $2")
        .bind(tenant)
        .bind(key.as_str())
        .fetch_optional(db.pool())
        .await?;
    Ok(row.is_some())
}
