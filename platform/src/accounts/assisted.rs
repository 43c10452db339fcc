//! Accounts created at an organization's desk («Приём заявителя»): which organization made
//! the account, on which paper consent, and whether the parent has taken it over. Every
//! query names the region; the organization's own list names the organization too.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{Db, DbError, Tx};
use crate::tenant_id::TenantId;
use crate::time::to_db;

use super::store::{email_key, user_by_id, User};

/// The paper consent a family signed at the desk.
#[derive(Debug, Clone)]
pub struct Consent<'a> {
    pub number: &'a str,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub taken_by: &'a str,
}

/// An account made at a desk, as its row says.
#[derive(Debug, Clone)]
pub struct Assisted {
    pub user_id: i64,
    pub organization_id: i64,
    pub staff_id: i64,
    pub consent_number: String,
    pub consent_date: String,
    pub consent_taken_by: String,
    pub created_at: String,
    /// When the parent set their password from the mailed link: from then on the account
    /// is theirs alone.
    pub taken_over_at: Option<String>,
}

const COLUMNS: &str = "user_id, organization_id, staff_id, consent_number, consent_date, \
     consent_taken_by, created_at, taken_over_at";

fn assisted(row: &AnyRow) -> Result<Assisted, DbError> {
    Ok(Assisted {
        user_id: row.try_get("user_id")?,
        organization_id: row.try_get("organization_id")?,
        staff_id: row.try_get("staff_id")?,
        consent_number: row.try_get("consent_number")?,
        consent_date: row.try_get("consent_date")?,
        consent_taken_by: row.try_get("consent_taken_by")?,
        created_at: row.try_get("created_at")?,
        taken_over_at: row.try_get("taken_over_at")?,
    })
}

pub async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    user: i64,
    organization: i64,
    staff: i64,
    consent: &Consent<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO assisted_accounts (tenant_id, user_id, organization_id, staff_id, \
         consent_number, consent_date, consent_taken_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(tenant)
    .bind(user)
    .bind(organization)
    .bind(staff)
    .bind(consent.number)
    .bind(&consent.date)
    .bind(consent.taken_by)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The desk row of an account, if a desk made it.
pub async fn of_user(db: &Db, tenant: TenantId, user: i64) -> Result<Option<Assisted>, DbError> {
    let sql =
        format!("SELECT {COLUMNS} FROM assisted_accounts WHERE tenant_id = $1 AND user_id = $2");
    let row = sqlx::query(&sql)
        .bind(tenant)
        .bind(user)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(assisted).transpose()
}

/// The accounts an organization made, newest first, with their owners.
pub async fn of_organization(
    db: &Db,
    tenant: TenantId,
    organization: i64,
    limit: i64,
) -> Result<Vec<(Assisted, User)>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM assisted_accounts WHERE tenant_id = $1 AND organization_id = $2 \
         ORDER BY created_at DESC, user_id DESC LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(tenant)
        .bind(organization)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let a = assisted(row)?;
        if let Some(user) = user_by_id(db, tenant, a.user_id).await? {
            out.push((a, user));
        }
    }
    Ok(out)
}

/// The parent has set a password from the mailed link: the account is theirs from now on.
pub async fn take_over(
    tx: &mut Tx,
    tenant: TenantId,
    user: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE assisted_accounts SET taken_over_at = $3 \
         WHERE tenant_id = $1 AND user_id = $2 AND taken_over_at IS NULL",
    )
    .bind(tenant)
    .bind(user)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether an account of the region has this mobile number (E.164), other than `except`.
pub async fn phone_owner(
    tx: &mut Tx,
    tenant: TenantId,
    phone: &str,
    except: Option<i64>,
) -> Result<Option<i64>, DbError> {
    let row = sqlx::query(
        "SELECT id FROM users WHERE tenant_id = $1 AND phone = $2 AND id <> $3 ORDER BY id LIMIT 1",
    )
    .bind(tenant)
    .bind(phone)
    .bind(except.unwrap_or(0))
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| r.try_get::<i64, _>(0))
        .transpose()
        .map_err(Into::into)
}

/// What the desk may change of an account it made, while the parent has not taken it over.
pub struct VisitorData<'a> {
    pub email: &'a str,
    pub municipality_id: &'a str,
    pub last_name: &'a str,
    pub first_name: &'a str,
    pub middle_name: Option<&'a str>,
    pub phone: &'a str,
}

/// Changes an account made at a desk; `false` when the parent took it over in the meantime
/// (the condition is in the statement, so a takeover and an edit never interleave).
pub async fn update_visitor(
    tx: &mut Tx,
    tenant: TenantId,
    user: i64,
    data: &VisitorData<'_>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let result = sqlx::query(
        "UPDATE users SET email = $3, email_key = $4, municipality_id = $5, last_name = $6, \
         first_name = $7, middle_name = $8, phone = $9, updated_at = $10 \
         WHERE tenant_id = $1 AND id = $2 AND password_hash IS NULL AND EXISTS (\
         SELECT 1 FROM assisted_accounts a WHERE a.tenant_id = $1 AND a.user_id = $2 \
         AND a.taken_over_at IS NULL)",
    )
    .bind(tenant)
    .bind(user)
    .bind(data.email)
    .bind(email_key(data.email))
    .bind(data.municipality_id)
    .bind(data.last_name)
    .bind(data.first_name)
    .bind(data.middle_name)
    .bind(data.phone)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() == 1)
}
