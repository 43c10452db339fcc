//! A parent's children: their rows, read and written only with the parent's id, so one
//! parent never reaches another's child.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{next_ids, Db, DbError, Tx};
use crate::tenant_id::TenantId;
use crate::time::to_db;

#[derive(Debug, Clone)]
pub struct Child {
    pub id: i64,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub birth_date: String,
    pub sex: String,
    pub snils: Option<String>,
    /// The parent says the child has ОВЗ (ограниченные возможности здоровья).
    pub ovz: bool,
}

impl Child {
    /// «Петров Егор Иванович», the parts there are.
    pub fn full_name(&self) -> String {
        [
            Some(self.last_name.as_str()),
            Some(self.first_name.as_str()),
            self.middle_name.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
    }

    /// The СНИЛС as people read it, `XXX-XXX-XXX YY`, when there is one.
    pub fn snils_shown(&self) -> Option<String> {
        self.snils
            .as_deref()
            .and_then(|s| crate::accounts::values::Snils::parse(s).ok())
            .map(|s| s.display())
    }
}

pub struct ChildData<'a> {
    pub last_name: &'a str,
    pub first_name: &'a str,
    pub middle_name: Option<&'a str>,
    pub birth_date: String,
    pub sex: &'a str,
    pub snils: Option<&'a str>,
    pub ovz: bool,
}

fn child(row: AnyRow) -> Result<Child, DbError> {
    Ok(Child {
        id: row.try_get("id")?,
        last_name: row.try_get("last_name")?,
        first_name: row.try_get("first_name")?,
        middle_name: row.try_get("middle_name")?,
        birth_date: row.try_get("birth_date")?,
        sex: row.try_get("sex")?,
        snils: row.try_get("snils")?,
        ovz: row.try_get::<i64, _>("ovz")? != 0,
    })
}

const CHILD_COLUMNS: &str = "id, last_name, first_name, middle_name, birth_date, sex, snils, ovz";

/// The children of one parent; nobody else's.
pub async fn children(db: &Db, tenant: TenantId, parent: i64) -> Result<Vec<Child>, DbError> {
    let sql = format!(
        "SELECT {CHILD_COLUMNS} FROM children WHERE tenant_id = $1 AND parent_id = $2 ORDER BY id"
    );
    let rows = sqlx::query(&sql)
        .bind(tenant)
        .bind(parent)
        .fetch_all(db.pool())
        .await?;
    rows.into_iter().map(child).collect()
}

/// One child, if it is this parent's.
pub async fn child_of(
    db: &Db,
    tenant: TenantId,
    parent: i64,
    id: i64,
) -> Result<Option<Child>, DbError> {
    let sql = format!(
        "SELECT {CHILD_COLUMNS} FROM children WHERE tenant_id = $1 AND parent_id = $2 AND id = $3"
    );
    let row = sqlx::query(&sql)
        .bind(tenant)
        .bind(parent)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.map(child).transpose()
}

pub async fn insert_child(
    tx: &mut Tx,
    tenant: TenantId,
    parent: i64,
    data: &ChildData<'_>,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let id = next_ids(tx, tenant, "children", 1).await?;
    let now = to_db(now);
    sqlx::query(
        "INSERT INTO children (tenant_id, id, parent_id, last_name, first_name, middle_name, \
         birth_date, sex, snils, ovz, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, $10, $10)",
    )
    .bind(tenant)
    .bind(id)
    .bind(parent)
    .bind(data.last_name)
    .bind(data.first_name)
    .bind(data.middle_name)
    .bind(data.birth_date.as_str())
    .bind(data.sex)
    .bind(data.snils)
    .bind(now)
    .bind(i64::from(data.ovz))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Whether an organization has confirmed this child's data against documents (read after
/// `lock_child`, in the edit's transaction).
pub async fn child_data_confirmed(tx: &mut Tx, tenant: TenantId, id: i64) -> Result<bool, DbError> {
    let confirmed: Option<String> =
        sqlx::query("SELECT data_confirmed_at FROM children WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .map(|row| row.try_get(0))
            .transpose()?
            .flatten();
    Ok(confirmed.is_some())
}

/// Locks a child's row of this parent for an edit; `false` when there is no such child.
pub async fn lock_child(
    tx: &mut Tx,
    tenant: TenantId,
    parent: i64,
    id: i64,
) -> Result<bool, DbError> {
    Ok(sqlx::query(
        "UPDATE children SET updated_at = updated_at \
         WHERE tenant_id = $1 AND parent_id = $2 AND id = $3",
    )
    .bind(tenant)
    .bind(parent)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Updates a child of this parent; `false` when there is no such child of theirs.
pub async fn update_child(
    tx: &mut Tx,
    tenant: TenantId,
    parent: i64,
    id: i64,
    data: &ChildData<'_>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let result = sqlx::query(
        "UPDATE children SET last_name = $4, first_name = $5, middle_name = $6, \
         birth_date = $7, sex = $8, snils = $9, updated_at = $10, ovz = $11 \
         WHERE tenant_id = $1 AND parent_id = $2 AND id = $3",
    )
    .bind(tenant)
    .bind(parent)
    .bind(id)
    .bind(data.last_name)
    .bind(data.first_name)
    .bind(data.middle_name)
    .bind(data.birth_date.as_str())
    .bind(data.sex)
    .bind(data.snils)
    .bind(to_db(now))
    .bind(i64::from(data.ovz))
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// The parent whose child has this СНИЛС (digits) in the region, other than child `except`.
pub async fn snils_owner(
    tx: &mut Tx,
    tenant: TenantId,
    snils: &str,
    except: Option<i64>,
) -> Result<Option<i64>, DbError> {
    let row = sqlx::query(
        "SELECT parent_id FROM children WHERE tenant_id = $1 AND snils = $2 AND id <> $3 \
         ORDER BY id LIMIT 1",
    )
    .bind(tenant)
    .bind(snils)
    .bind(except.unwrap_or(0))
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| r.try_get::<i64, _>(0)).transpose()?)
}
