//! Queries of the region settings: the stored region file, what uses a municipality, and
//! the writes of the profile dictionary (inside the catalog's write transaction, whose
//! `bump_version` then stamps the programs marked here).

use sqlx::Row;

use crate::catalog::model::Direction;
use crate::catalog::store::Profile;
use crate::db::{Db, DbError, Tx};
use crate::tenant_id::TenantId;

/// The region's file as last applied (from the web or by `navigator tenant apply`).
pub async fn source(db: &Db, tenant: TenantId) -> Result<Option<String>, DbError> {
    let row = sqlx::query("SELECT source FROM tenants WHERE id = $1")
        .bind(tenant)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// What still belongs to a municipality: it cannot leave the file while any of it is there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Uses {
    pub organizations: i64,
    pub accounts: i64,
    pub certificates: i64,
}

impl Uses {
    pub fn any(&self) -> bool {
        self.organizations + self.accounts + self.certificates > 0
    }
}

pub async fn municipality_uses(
    tx: &mut Tx,
    tenant: TenantId,
    municipality: &str,
) -> Result<Uses, DbError> {
    let mut counts = [0i64; 3];
    for (n, table) in ["organizations", "users", "certificates"]
        .iter()
        .enumerate()
    {
        let row = sqlx::query(&format!(
            "SELECT COUNT(*) FROM {table} WHERE tenant_id = $1 AND municipality_id = $2"
        ))
        .bind(tenant)
        .bind(municipality)
        .fetch_one(&mut **tx)
        .await?;
        counts[n] = row.try_get(0)?;
    }
    Ok(Uses {
        organizations: counts[0],
        accounts: counts[1],
        certificates: counts[2],
    })
}

/// How many programs (of any status) have each profile.
pub async fn programs_by_profile(db: &Db, tenant: TenantId) -> Result<Vec<(String, i64)>, DbError> {
    let rows = sqlx::query(
        "SELECT profile_id, COUNT(*) FROM programs WHERE tenant_id = $1 GROUP BY profile_id",
    )
    .bind(tenant)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// The region's profiles, read in a write transaction.
pub async fn profiles_in(tx: &mut Tx, tenant: TenantId) -> Result<Vec<Profile>, DbError> {
    let rows = sqlx::query(
        "SELECT id, direction, name FROM profiles WHERE tenant_id = $1 ORDER BY position, id",
    )
    .bind(tenant)
    .fetch_all(&mut **tx)
    .await?;
    let mut profiles = Vec::with_capacity(rows.len());
    for r in rows {
        let code: String = r.try_get("direction")?;
        profiles.push(Profile {
            id: r.try_get("id")?,
            direction: Direction::parse(&code).ok_or_else(|| {
                DbError::Query(sqlx::Error::Decode(
                    format!("unknown direction code «{code}» in the database").into(),
                ))
            })?,
            name: r.try_get("name")?,
        });
    }
    Ok(profiles)
}

/// Adds a profile at the end of the dictionary.
pub async fn insert_profile(tx: &mut Tx, tenant: TenantId, p: &Profile) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO profiles (tenant_id, id, direction, name, position) \
         VALUES ($1, $2, $3, $4, \
           (SELECT COALESCE(MAX(position), -1) + 1 FROM profiles WHERE tenant_id = $1))",
    )
    .bind(tenant)
    .bind(&p.id)
    .bind(p.direction.code())
    .bind(&p.name)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn rename_profile(
    tx: &mut Tx,
    tenant: TenantId,
    id: &str,
    name: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE profiles SET name = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(id)
        .bind(name)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Marks the programs of a profile changed: their pages and index entries show its name.
pub async fn stamp_programs_of(tx: &mut Tx, tenant: TenantId, id: &str) -> Result<u64, DbError> {
    let done = sqlx::query(
        "UPDATE programs SET changed_in = NULL WHERE tenant_id = $1 AND profile_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Moves every program of profile `from` to `to`, marked changed; returns their ids.
pub async fn move_programs(
    tx: &mut Tx,
    tenant: TenantId,
    from: &str,
    to: &str,
) -> Result<Vec<(i64, i64)>, DbError> {
    let rows = sqlx::query(
        "SELECT id, organization_id FROM programs WHERE tenant_id = $1 AND profile_id = $2 \
         ORDER BY id",
    )
    .bind(tenant)
    .bind(from)
    .fetch_all(&mut **tx)
    .await?;
    let moved: Vec<(i64, i64)> = rows
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, DbError>>()?;
    sqlx::query(
        "UPDATE programs SET profile_id = $3, changed_in = NULL \
         WHERE tenant_id = $1 AND profile_id = $2",
    )
    .bind(tenant)
    .bind(from)
    .bind(to)
    .execute(&mut **tx)
    .await?;
    Ok(moved)
}

/// Pending edits (`program_revisions.card`, JSON) that name profile `from` name `to`
/// instead, so publishing one later does not bring the retired profile back.
pub async fn move_revisions(
    tx: &mut Tx,
    tenant: TenantId,
    from: &str,
    to: &str,
) -> Result<(), DbError> {
    let rows = sqlx::query("SELECT program_id, card FROM program_revisions WHERE tenant_id = $1")
        .bind(tenant)
        .fetch_all(&mut **tx)
        .await?;
    for r in rows {
        let id: i64 = r.try_get(0)?;
        let card: String = r.try_get(1)?;
        let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&card) else {
            continue;
        };
        if value.get("profile_id").and_then(|v| v.as_str()) != Some(from) {
            continue;
        }
        value["profile_id"] = serde_json::Value::from(to);
        sqlx::query(
            "UPDATE program_revisions SET card = $3 WHERE tenant_id = $1 AND program_id = $2",
        )
        .bind(tenant)
        .bind(id)
        .bind(value.to_string())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub async fn delete_profile(tx: &mut Tx, tenant: TenantId, id: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM profiles WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// How many programs still have profile `id` (read in the write transaction).
pub async fn programs_of_profile(tx: &mut Tx, tenant: TenantId, id: &str) -> Result<i64, DbError> {
    let row = sqlx::query("SELECT COUNT(*) FROM programs WHERE tenant_id = $1 AND profile_id = $2")
        .bind(tenant)
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(row.try_get(0)?)
}
