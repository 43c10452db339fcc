//! Queries on an organization's staff and tokens. Every function takes the tenant first;
//! the accounts' own rows are written by `accounts::store`.

use sqlx::Row;

use crate::db::{Db, DbError, Tx};
use crate::tenant_id::TenantId;

/// A staff account of the organization, as its list shows it.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: i64,
    pub full_name: String,
    pub email: String,
    /// Whether the set-password link has been followed (or a password set since).
    pub has_password: bool,
    /// Stored time access was granted; the account's creation for older accounts.
    pub since: String,
    /// Stored time of the latest successful login, from the audit log.
    pub last_login: Option<String>,
}

/// The organization's staff, by name, with their latest logins.
#[tracing::instrument(skip(db))]
pub async fn members(db: &Db, tenant: TenantId, organization: i64) -> Result<Vec<Member>, DbError> {
    let rows = sqlx::query(
        "SELECT id, email, password_hash, last_name, first_name, middle_name, staff_since, \
         created_at FROM users WHERE tenant_id = $1 AND role = 'provider' \
         AND organization_id = $2 ORDER BY last_name, first_name, id",
    )
    .bind(tenant)
    .bind(organization)
    .fetch_all(db.pool())
    .await?;
    let mut members = Vec::with_capacity(rows.len());
    for r in &rows {
        let last: String = r.try_get("last_name")?;
        let first: String = r.try_get("first_name")?;
        let middle: Option<String> = r.try_get("middle_name")?;
        let hash: Option<String> = r.try_get("password_hash")?;
        let since: Option<String> = r.try_get("staff_since")?;
        members.push(Member {
            id: r.try_get("id")?,
            full_name: [Some(last), Some(first), middle]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            email: r.try_get("email")?,
            has_password: hash.is_some(),
            since: since.map_or_else(|| r.try_get("created_at"), Ok)?,
            last_login: None,
        });
    }
    let logins = last_logins(db, tenant, &members).await?;
    for m in &mut members {
        m.last_login = logins
            .iter()
            .find(|(subject, _)| *subject == format!("user:{}", m.id))
            .map(|(_, at)| at.clone());
    }
    Ok(members)
}

/// The latest `login` audit row of each member (the index on subject finds them).
async fn last_logins(
    db: &Db,
    tenant: TenantId,
    members: &[Member],
) -> Result<Vec<(String, String)>, DbError> {
    if members.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (0..members.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT subject, MAX(at) AS at FROM audit_log WHERE tenant_id = $1 \
         AND action = 'login' AND subject IN ({}) GROUP BY subject",
        list.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(tenant);
    for m in members {
        query = query.bind(format!("user:{}", m.id));
    }
    let rows = query.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("subject")?, r.try_get("at")?)))
        .collect()
}

/// How many staff accounts the organization has, inside the transaction that removes one
/// (under the region's write lock, so two colleagues removing each other at once cannot
/// leave it with none).
pub async fn count_in(tx: &mut Tx, tenant: TenantId, organization: i64) -> Result<i64, DbError> {
    let row = sqlx::query(
        "SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND role = 'provider' \
         AND organization_id = $2",
    )
    .bind(tenant)
    .bind(organization)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get::<i64, _>(0)?)
}

/// An API token of the organization, as the cabinet lists it (never the token itself).
#[derive(Debug, Clone)]
pub struct Token {
    pub id: i64,
    pub name: String,
    /// Whose account the token acts as.
    pub owner: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

const TOKEN_SELECT: &str = "SELECT t.id, t.name, t.created_at, t.last_used_at, t.revoked_at, \
     u.last_name, u.first_name FROM api_tokens t \
     JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id \
     WHERE t.tenant_id = $1 AND u.role = 'provider' AND u.organization_id = $2";

fn token(r: &sqlx::any::AnyRow) -> Result<Token, DbError> {
    let last: String = r.try_get("last_name")?;
    let first: String = r.try_get("first_name")?;
    Ok(Token {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        owner: format!("{last} {first}"),
        created_at: r.try_get("created_at")?,
        last_used_at: r.try_get("last_used_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

/// The tokens of the organization's staff, newest first.
#[tracing::instrument(skip(db))]
pub async fn tokens(db: &Db, tenant: TenantId, organization: i64) -> Result<Vec<Token>, DbError> {
    let rows = sqlx::query(&format!("{TOKEN_SELECT} ORDER BY t.id DESC"))
        .bind(tenant)
        .bind(organization)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(token).collect()
}

/// Token `id` if it is one of the organization's.
pub async fn token_in(
    tx: &mut Tx,
    tenant: TenantId,
    organization: i64,
    id: i64,
) -> Result<Option<Token>, DbError> {
    let row = sqlx::query(&format!("{TOKEN_SELECT} AND t.id = $3"))
        .bind(tenant)
        .bind(organization)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(token).transpose()
}

/// Revokes token `id`; `false` when it was revoked already.
pub async fn revoke_token(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    now: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 \
         AND revoked_at IS NULL",
    )
    .bind(tenant)
    .bind(id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
