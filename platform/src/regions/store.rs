//! Queries on the platform's tenant tables. Tenants are the one thing not scoped by
//! tenant: these tables *are* the list of tenants.

use chrono::{DateTime, Utc};
use sqlx::Row;
use tenants::{LoadedRegion, Logo, RegionConfig};

use crate::db::{Db, DbError, Tx};
use crate::tenant_id::TenantId;
use crate::time;

use super::Tenant;

pub async fn registry_version(db: &Db) -> Result<i64, DbError> {
    let row = sqlx::query("SELECT registry_version FROM platform_state WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get(0)?)
}

/// Every tenant whose stored file still parses. One that no longer does (a stricter
/// validation in a newer release) is logged and left out rather than taking all down.
#[tracing::instrument(skip_all)]
pub async fn load_all(db: &Db) -> Result<Vec<Tenant>, DbError> {
    let rows = sqlx::query(
        "SELECT id, slug, source, logo_type, logo, revision FROM tenants ORDER BY code, slug",
    )
    .fetch_all(db.pool())
    .await?;
    let mut tenants = Vec::with_capacity(rows.len());
    for row in rows {
        let slug: String = row.try_get("slug")?;
        let source: String = row.try_get("source")?;
        let config = match RegionConfig::parse(&format!("{slug} (из базы)"), &source) {
            Ok(config) => config,
            Err(e) => {
                tracing::error!(%slug, error = %e, "stored region config no longer valid; region not served");
                continue;
            }
        };
        let logo_type: Option<String> = row.try_get("logo_type")?;
        let logo_bytes: Option<Vec<u8>> = row.try_get("logo")?;
        let logo = match (logo_type, logo_bytes) {
            (Some(content_type), Some(bytes)) => Some(Logo {
                content_type,
                bytes,
            }),
            _ => None,
        };
        tenants.push(Tenant {
            id: row.try_get("id")?,
            config,
            logo,
            revision: row.try_get("revision")?,
        });
    }
    Ok(tenants)
}

pub struct Existing {
    pub id: TenantId,
    pub source: String,
    pub logo_type: Option<String>,
    pub logo: Option<Vec<u8>>,
}

pub async fn find_by_slug(tx: &mut Tx, slug: &str) -> Result<Option<Existing>, DbError> {
    let row = sqlx::query("SELECT id, source, logo_type, logo FROM tenants WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|row| {
        Ok(Existing {
            id: row.try_get("id")?,
            source: row.try_get("source")?,
            logo_type: row.try_get("logo_type")?,
            logo: row.try_get("logo")?,
        })
    })
    .transpose()
}

/// Bumps and returns the registry version. The row lock also serializes concurrent applies.
pub async fn bump_registry_version(tx: &mut Tx) -> Result<i64, DbError> {
    let row = sqlx::query(
        "UPDATE platform_state SET registry_version = registry_version + 1 WHERE id = 1 \
         RETURNING registry_version",
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get(0)?)
}

/// Inserts or updates the tenant row and returns its id.
pub async fn upsert_tenant(
    tx: &mut Tx,
    region: &LoadedRegion,
    revision: i64,
    now: DateTime<Utc>,
) -> Result<TenantId, DbError> {
    let now = time::to_db(now);
    let (logo_type, logo) = match &region.logo {
        Some(l) => (Some(l.content_type.clone()), Some(l.bytes.clone())),
        None => (None, None),
    };
    let row = sqlx::query(
        "INSERT INTO tenants (slug, code, source, logo_type, logo, revision, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
         ON CONFLICT (slug) DO UPDATE SET code = excluded.code, source = excluded.source, \
           logo_type = excluded.logo_type, logo = excluded.logo, revision = excluded.revision, \
           updated_at = excluded.updated_at \
         RETURNING id",
    )
    .bind(region.config.slug.as_str())
    .bind(i64::from(region.config.code))
    .bind(&region.source)
    .bind(logo_type)
    .bind(logo)
    .bind(revision)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get(0)?)
}

/// What a region being applied is not compared with: itself, once it exists.
fn other_than(tenant: Option<TenantId>) -> i64 {
    // No tenant has a negative id.
    tenant.map_or(-1, TenantId::get)
}

/// The slug of another tenant than `except` that already has this region code, if any.
pub async fn code_owner(
    tx: &mut Tx,
    except: Option<TenantId>,
    code: u8,
) -> Result<Option<String>, DbError> {
    let row = sqlx::query("SELECT slug FROM tenants WHERE code = $1 AND id <> $2")
        .bind(i64::from(code))
        .bind(other_than(except))
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// The slug of another tenant than `except` that already has `host`, if any.
pub async fn host_owner(
    tx: &mut Tx,
    except: Option<TenantId>,
    host: &str,
) -> Result<Option<String>, DbError> {
    let row = sqlx::query(
        "SELECT t.slug FROM tenant_hosts h JOIN tenants t ON t.id = h.tenant_id \
         WHERE h.host = $1 AND h.tenant_id <> $2",
    )
    .bind(host)
    .bind(other_than(except))
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

pub async fn replace_hosts(
    tx: &mut Tx,
    tenant_id: TenantId,
    hosts: &[String],
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM tenant_hosts WHERE tenant_id = $1")
        .bind(tenant_id)
        .execute(&mut **tx)
        .await?;
    for host in hosts {
        sqlx::query("INSERT INTO tenant_hosts (host, tenant_id) VALUES ($1, $2)")
            .bind(host)
            .bind(tenant_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Makes the municipalities table match the config: upserts every listed one, removes the rest.
pub async fn sync_municipalities(
    tx: &mut Tx,
    tenant_id: TenantId,
    config: &RegionConfig,
) -> Result<(), DbError> {
    for (position, m) in config.municipalities.iter().enumerate() {
        sqlx::query(
            "INSERT INTO municipalities \
               (tenant_id, id, name, population_5_18, lat, lon, nominal_kopecks, position) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, \
               population_5_18 = excluded.population_5_18, lat = excluded.lat, lon = excluded.lon, \
               nominal_kopecks = excluded.nominal_kopecks, position = excluded.position",
        )
        .bind(tenant_id)
        .bind(m.id.as_str())
        .bind(&m.name)
        .bind(i64::from(m.population_5_18))
        .bind(m.center.lat)
        .bind(m.center.lon)
        .bind(i64::from(config.nominal_rub(m)) * 100)
        .bind(position as i64)
        .execute(&mut **tx)
        .await?;
    }
    let keep: Vec<&str> = config
        .municipalities
        .iter()
        .map(|m| m.id.as_str())
        .collect();
    let existing = sqlx::query("SELECT id FROM municipalities WHERE tenant_id = $1")
        .bind(tenant_id)
        .fetch_all(&mut **tx)
        .await?;
    for row in existing {
        let id: String = row.try_get(0)?;
        if !keep.contains(&id.as_str()) {
            sqlx::query("DELETE FROM municipalities WHERE tenant_id = $1 AND id = $2")
                .bind(tenant_id)
                .bind(&id)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// One line of `navigator tenant list`.
#[derive(Debug, Clone)]
pub struct TenantSummary {
    pub slug: String,
    pub code: i64,
    pub name: String,
    pub hosts: Vec<String>,
    pub municipalities: i64,
    pub revision: i64,
    pub updated_at: String,
}

#[tracing::instrument(skip_all)]
pub async fn list_summaries(db: &Db) -> Result<Vec<TenantSummary>, DbError> {
    let rows = sqlx::query(
        "SELECT t.slug, t.code, t.source, t.revision, t.updated_at, \
           (SELECT COUNT(*) FROM municipalities m WHERE m.tenant_id = t.id) AS municipalities \
         FROM tenants t ORDER BY t.code, t.slug",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let slug: String = row.try_get("slug")?;
            let source: String = row.try_get("source")?;
            let (name, hosts) = match RegionConfig::parse(&slug, &source) {
                Ok(c) => (c.name, c.hosts.iter().map(|h| h.to_string()).collect()),
                Err(e) => (
                    format!("(сохранённый файл больше не проходит проверку: {e})"),
                    vec![],
                ),
            };
            Ok(TenantSummary {
                slug,
                code: row.try_get("code")?,
                name,
                hosts,
                municipalities: row.try_get("municipalities")?,
                revision: row.try_get("revision")?,
                updated_at: row.try_get("updated_at")?,
            })
        })
        .collect()
}
