//! Queries on an organization's profile and its places of study. Every function takes the
//! region and the organization: staff reach only their own organization's rows.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::catalog::model::{OrgKind, OrgType};
use crate::db::{next_ids, Db, DbError, Tx};
use crate::domain::LatLon;
use crate::tenant_id::TenantId;
use crate::time::to_db;

/// What the profile form edits, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub id: i64,
    pub name: String,
    pub short_name: String,
    pub org_type: OrgType,
    pub kind: OrgKind,
    pub inn: String,
    pub ogrn: Option<String>,
    pub phone: String,
    pub email: String,
    pub website: Option<String>,
    pub description: String,
    /// The logo's stored file; set and removed by `photos`, not by the profile form.
    pub logo: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub id: i64,
    pub address: String,
    pub location: LatLon,
}

fn decode(what: String) -> DbError {
    DbError::Query(sqlx::Error::Decode(what.into()))
}

fn profile_from(row: &AnyRow) -> Result<Profile, DbError> {
    let org_type: String = row.try_get("org_type")?;
    let kind: String = row.try_get("kind")?;
    Ok(Profile {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        short_name: row.try_get("short_name")?,
        org_type: OrgType::parse(&org_type)
            .ok_or_else(|| decode(format!("unknown org_type «{org_type}»")))?,
        kind: OrgKind::parse(&kind).ok_or_else(|| decode(format!("unknown kind «{kind}»")))?,
        inn: row.try_get("inn")?,
        ogrn: row.try_get("ogrn")?,
        phone: row.try_get("phone")?,
        email: row.try_get("email")?,
        website: row.try_get("website")?,
        description: row.try_get("description")?,
        logo: row.try_get("logo")?,
    })
}

const PROFILE: &str = "SELECT id, name, short_name, org_type, kind, inn, ogrn, phone, email, \
    website, description, logo FROM organizations WHERE tenant_id = $1 AND id = $2";

pub async fn profile(db: &Db, tenant: TenantId, org: i64) -> Result<Option<Profile>, DbError> {
    let row = sqlx::query(PROFILE)
        .bind(tenant)
        .bind(org)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(profile_from).transpose()
}

/// The profile as the transaction sees it (to tell what a change changes).
pub async fn profile_in(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
) -> Result<Option<Profile>, DbError> {
    let row = sqlx::query(PROFILE)
        .bind(tenant)
        .bind(org)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(profile_from).transpose()
}

/// Writes the profile (`profile.id` names the organization) and marks the organization
/// changed for `sitegen` (`changed_in`); the caller bumps the catalog version.
pub async fn update_profile(
    tx: &mut Tx,
    tenant: TenantId,
    profile: &Profile,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE organizations SET name = $3, short_name = $4, org_type = $5, kind = $6, inn = $7, \
         ogrn = $8, phone = $9, email = $10, website = $11, description = $12, updated_at = $13, \
         changed_in = NULL WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(profile.id)
    .bind(&profile.name)
    .bind(&profile.short_name)
    .bind(profile.org_type.code())
    .bind(profile.kind.code())
    .bind(&profile.inn)
    .bind(&profile.ogrn)
    .bind(&profile.phone)
    .bind(&profile.email)
    .bind(&profile.website)
    .bind(&profile.description)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Marks the organization's public page changed (its places are on it).
pub async fn touch_organization(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE organizations SET updated_at = $3, changed_in = NULL \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(org)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn place_from(row: &AnyRow) -> Result<Place, DbError> {
    Ok(Place {
        id: row.try_get("id")?,
        address: row.try_get("address")?,
        location: LatLon {
            lat: row.try_get("lat")?,
            lon: row.try_get("lon")?,
        },
    })
}

/// The organization's places of study, in the order they were added.
pub async fn places(db: &Db, tenant: TenantId, org: i64) -> Result<Vec<Place>, DbError> {
    sqlx::query(
        "SELECT id, address, lat, lon FROM places \
         WHERE tenant_id = $1 AND organization_id = $2 ORDER BY id",
    )
    .bind(tenant)
    .bind(org)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(place_from)
    .collect()
}

/// One place of the organization (`None`: unknown, or another organization's).
pub async fn place_in(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
    id: i64,
) -> Result<Option<Place>, DbError> {
    let row = sqlx::query(
        "SELECT id, address, lat, lon FROM places \
         WHERE tenant_id = $1 AND organization_id = $2 AND id = $3",
    )
    .bind(tenant)
    .bind(org)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(place_from).transpose()
}

/// Adds a place; returns its id.
pub async fn insert_place(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
    address: &str,
    at: LatLon,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let id = next_ids(tx, tenant, "places", 1).await?;
    let now = to_db(now);
    sqlx::query(
        "INSERT INTO places (tenant_id, id, organization_id, address, lat, lon, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(tenant)
    .bind(id)
    .bind(org)
    .bind(address)
    .bind(at.lat)
    .bind(at.lon)
    .bind(&now)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Changes a place of the organization; `false` when it has none of that id.
pub async fn update_place(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
    id: i64,
    address: &str,
    at: LatLon,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE places SET address = $4, lat = $5, lon = $6, updated_at = $7 \
         WHERE tenant_id = $1 AND organization_id = $2 AND id = $3",
    )
    .bind(tenant)
    .bind(org)
    .bind(id)
    .bind(address)
    .bind(at.lat)
    .bind(at.lon)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Removes a place of the organization; `false` when it has none of that id.
pub async fn delete_place(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
    id: i64,
) -> Result<bool, DbError> {
    let done =
        sqlx::query("DELETE FROM places WHERE tenant_id = $1 AND organization_id = $2 AND id = $3")
            .bind(tenant)
            .bind(org)
            .bind(id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    Ok(done == 1)
}

/// The names of the groups that meet at a place (a place in use is not removed).
pub async fn groups_at_place(
    tx: &mut Tx,
    tenant: TenantId,
    place: i64,
) -> Result<Vec<String>, DbError> {
    sqlx::query(
        "SELECT name FROM study_groups WHERE tenant_id = $1 AND place_id = $2 ORDER BY name, id",
    )
    .bind(tenant)
    .bind(place)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| Ok(r.try_get(0)?))
    .collect()
}

/// Whether the region's administrators deactivated organization `org` (as `tx` sees it):
/// its staff then send nothing to moderation and nothing of it is published.
pub async fn deactivated_in(tx: &mut Tx, tenant: TenantId, org: i64) -> Result<bool, DbError> {
    let row =
        sqlx::query("SELECT deactivated_at FROM organizations WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(org)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(match row {
        Some(r) => r.try_get::<Option<String>, _>("deactivated_at")?.is_some(),
        None => false,
    })
}

/// The refusal of a step that would put a deactivated organization's program in the catalog.
pub const DEACTIVATED: &str = "Организация отключена администрацией региона: её программы не \
    публикуются в навигаторе и не отправляются на модерацию. Обратитесь в муниципалитет или \
    министерство, чтобы организацию снова включили.";
