//! Queries of the administrators' registry. Every function takes the region first; the
//! municipality, where the admin's scope has one, is a condition of the query itself.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::catalog::model::{OrgKind, OrgType, ProgramStatus};
use crate::db::{next_ids, Db, DbError, Tx};
use crate::domain::LatLon;
use crate::organizations::store::Profile;
use crate::tenant_id::TenantId;
use crate::time::to_db;

/// An organization as the registry lists it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub name: String,
    pub short_name: String,
    pub inn: String,
    pub ogrn: Option<String>,
    pub org_type: OrgType,
    pub municipality_id: String,
    pub can_confirm: bool,
    /// Its programs published now (whether or not the catalog shows them: a deactivated
    /// organization's keep their status).
    pub published: i64,
    pub staff: i64,
    pub created_at: String,
    pub deactivated_at: Option<String>,
}

fn decode(what: String) -> DbError {
    DbError::Query(sqlx::Error::Decode(what.into()))
}

fn entry_from(row: &AnyRow) -> Result<Entry, DbError> {
    let org_type: String = row.try_get("org_type")?;
    Ok(Entry {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        short_name: row.try_get("short_name")?,
        inn: row.try_get("inn")?,
        ogrn: row.try_get("ogrn")?,
        org_type: OrgType::parse(&org_type)
            .ok_or_else(|| decode(format!("unknown org_type «{org_type}»")))?,
        municipality_id: row.try_get("municipality_id")?,
        can_confirm: row.try_get::<i64, _>("can_confirm")? != 0,
        published: row.try_get("published")?,
        staff: row.try_get("staff")?,
        created_at: row.try_get("created_at")?,
        deactivated_at: row.try_get("deactivated_at")?,
    })
}

const ENTRY: &str = "SELECT o.id, o.name, o.short_name, o.inn, o.ogrn, o.org_type, \
    o.municipality_id, o.can_confirm, o.created_at, o.deactivated_at, \
    (SELECT COUNT(*) FROM programs p WHERE p.tenant_id = o.tenant_id \
       AND p.organization_id = o.id AND p.status = $2) AS published, \
    (SELECT COUNT(*) FROM users u WHERE u.tenant_id = o.tenant_id \
       AND u.organization_id = o.id AND u.role = 'provider') AS staff \
    FROM organizations o WHERE o.tenant_id = $1";

/// The organizations of the region, or of `municipality`, by name. The text search and the
/// other filters are applied by the caller: SQLite's `LOWER` knows only ASCII, and a
/// region's few thousand organizations are read in one go anyway.
pub async fn entries(
    db: &Db,
    tenant: TenantId,
    municipality: Option<&str>,
) -> Result<Vec<Entry>, DbError> {
    let sql = match municipality {
        Some(_) => format!("{ENTRY} AND o.municipality_id = $3 ORDER BY o.name, o.id"),
        None => format!("{ENTRY} ORDER BY o.name, o.id"),
    };
    let mut query = sqlx::query(&sql)
        .bind(tenant)
        .bind(ProgramStatus::Published.code());
    if let Some(m) = municipality {
        query = query.bind(m);
    }
    query
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(entry_from)
        .collect()
}

/// One organization of the region as the registry lists it.
pub async fn entry_in(tx: &mut Tx, tenant: TenantId, id: i64) -> Result<Option<Entry>, DbError> {
    let sql = format!("{ENTRY} AND o.id = $3");
    let row = sqlx::query(&sql)
        .bind(tenant)
        .bind(ProgramStatus::Published.code())
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(entry_from).transpose()
}

/// One organization of the region as the registry lists it (outside a transaction).
pub async fn entry(db: &Db, tenant: TenantId, id: i64) -> Result<Option<Entry>, DbError> {
    let sql = format!("{ENTRY} AND o.id = $3");
    let row = sqlx::query(&sql)
        .bind(tenant)
        .bind(ProgramStatus::Published.code())
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(entry_from).transpose()
}

/// A new organization of `municipality`, at `address` (its point: `at`); returns its id. Its
/// row is new (`changed_in` NULL): the caller bumps the catalog version.
pub async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    profile: &Profile,
    municipality: &str,
    address: &str,
    at: LatLon,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let id = next_ids(tx, tenant, "organizations", 1).await?;
    let now = to_db(now);
    sqlx::query(
        "INSERT INTO organizations (tenant_id, id, name, short_name, kind, inn, municipality_id, \
         address, lat, lon, phone, email, website, description, can_confirm, created_at, \
         updated_at, org_type, ogrn) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0, $15, $15, $16, $17)",
    )
    .bind(tenant)
    .bind(id)
    .bind(&profile.name)
    .bind(&profile.short_name)
    .bind(profile.kind.code())
    .bind(&profile.inn)
    .bind(municipality)
    .bind(address)
    .bind(at.lat)
    .bind(at.lon)
    .bind(&profile.phone)
    .bind(&profile.email)
    .bind(&profile.website)
    .bind(&profile.description)
    .bind(&now)
    .bind(profile.org_type.code())
    .bind(&profile.ogrn)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// The kind a new organization of `org_type` gets (the catalog's grouping; its staff or
/// the admins keep the type, the kind follows it).
pub fn kind_of(org_type: OrgType) -> OrgKind {
    org_type.kind_from(OrgKind::Education)
}

/// Moves an organization to `municipality` and marks it changed for `sitegen`.
pub async fn set_municipality(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    municipality: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE organizations SET municipality_id = $3, updated_at = $4, changed_in = NULL \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(municipality)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deactivates (`Some(now)`) or reactivates (`None`) an organization, marking it and its
/// published programs changed (`changed_in`), so that the version bump that follows takes
/// them out of (or back into) the indexes and the static copy. `false` when it already was.
pub async fn set_deactivated(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let condition = if at.is_some() {
        "deactivated_at IS NULL"
    } else {
        "deactivated_at IS NOT NULL"
    };
    let done = sqlx::query(&format!(
        "UPDATE organizations SET deactivated_at = $3, updated_at = $4, changed_in = NULL \
         WHERE tenant_id = $1 AND id = $2 AND {condition}"
    ))
    .bind(tenant)
    .bind(id)
    .bind(at.map(to_db))
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE programs SET changed_in = NULL \
         WHERE tenant_id = $1 AND organization_id = $2 AND status = $3",
    )
    .bind(tenant)
    .bind(id)
    .bind(ProgramStatus::Published.code())
    .execute(&mut **tx)
    .await?;
    Ok(true)
}
