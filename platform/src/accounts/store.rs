//! Queries on accounts, their tokens and children, and the audit log. Every function
//! takes the tenant first and every query is filtered by it (tenant 0 holds the platform
//! operators).

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{next_ids, Db, DbError, Tx};
use crate::tenant_id::TenantId;
use crate::time::to_db;

use super::values::{ApplicationMail, Role};

#[derive(Debug, Clone)]
pub struct User {
    pub tenant_id: TenantId,
    pub id: i64,
    pub email: String,
    pub email_confirmed: bool,
    pub password_hash: Option<String>,
    pub role: Role,
    pub organization_id: Option<i64>,
    pub municipality_id: Option<String>,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub phone: Option<String>,
    pub birth_date: Option<String>,
    pub session_epoch: i64,
}

impl User {
    /// The organization of organization staff; `None` for any other role.
    pub fn staff_org(&self) -> Option<i64> {
        self.organization_id.filter(|_| self.role == Role::Provider)
    }

    /// The municipality of a municipal administrator; `None` for any other role.
    pub fn admin_municipality(&self) -> Option<&str> {
        self.municipality_id
            .as_deref()
            .filter(|_| self.role == Role::Municipal)
    }

    /// «Иванова Мария Петровна», as the header shows it.
    pub fn full_name(&self) -> String {
        let mut name = format!("{} {}", self.last_name, self.first_name);
        if let Some(m) = &self.middle_name {
            name.push(' ');
            name.push_str(m);
        }
        name
    }
}

const USER_COLUMNS: &str = "tenant_id, id, email, email_confirmed, password_hash, role, \
     organization_id, municipality_id, last_name, first_name, middle_name, phone, birth_date, \
     session_epoch";

fn user(row: AnyRow) -> Result<User, DbError> {
    let role: String = row.try_get("role")?;
    Ok(User {
        tenant_id: row.try_get("tenant_id")?,
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        email_confirmed: row.try_get::<i64, _>("email_confirmed")? != 0,
        password_hash: row.try_get("password_hash")?,
        role: Role::parse(&role).map_err(|e| DbError::Query(sqlx::Error::Decode(e.into())))?,
        organization_id: row.try_get("organization_id")?,
        municipality_id: row.try_get("municipality_id")?,
        last_name: row.try_get("last_name")?,
        first_name: row.try_get("first_name")?,
        middle_name: row.try_get("middle_name")?,
        phone: row.try_get("phone")?,
        birth_date: row.try_get("birth_date")?,
        session_epoch: row.try_get("session_epoch")?,
    })
}

/// The lower-case form under which an address is unique in a region.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

pub async fn user_by_id(db: &Db, tenant: TenantId, id: i64) -> Result<Option<User>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2");
    let row = sqlx::query(&sql)
        .bind(tenant)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.map(user).transpose()
}

pub async fn user_by_email(
    db: &Db,
    tenant: TenantId,
    email: &str,
) -> Result<Option<User>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 AND email_key = $2");
    let row = sqlx::query(&sql)
        .bind(tenant)
        .bind(email_key(email))
        .fetch_optional(db.pool())
        .await?;
    row.map(user).transpose()
}

/// `user_by_id` inside a transaction: a transaction must not wait for a second connection
/// of the pool (on SQLite the pool's connections may all be waiting for its lock).
pub async fn user_by_id_in(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
) -> Result<Option<User>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2");
    let row = sqlx::query(&sql)
        .bind(tenant)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(user).transpose()
}

pub async fn user_by_email_in(
    tx: &mut Tx,
    tenant: TenantId,
    email: &str,
) -> Result<Option<User>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 AND email_key = $2");
    let row = sqlx::query(&sql)
        .bind(tenant)
        .bind(email_key(email))
        .fetch_optional(&mut **tx)
        .await?;
    row.map(user).transpose()
}

pub async fn email_taken(tx: &mut Tx, tenant: TenantId, email: &str) -> Result<bool, DbError> {
    let row = sqlx::query("SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND email_key = $2")
        .bind(tenant)
        .bind(email_key(email))
        .fetch_one(&mut **tx)
        .await?;
    Ok(row.try_get::<i64, _>(0)? > 0)
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: Option<&'a str>,
    pub role: Role,
    pub organization_id: Option<i64>,
    pub municipality_id: Option<&'a str>,
    pub last_name: &'a str,
    pub first_name: &'a str,
    pub middle_name: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub birth_date: Option<String>,
}

/// Inserts an account; `None` when the address is taken in the region (the unique key
/// decides, so two concurrent registrations cannot both win).
pub async fn insert_user(
    tx: &mut Tx,
    tenant: TenantId,
    new: &NewUser<'_>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbError> {
    if email_taken(tx, tenant, new.email).await? {
        return Ok(None);
    }
    let id = if tenant.is_platform() {
        // Operators are few and made by the CLI only; the region sequences belong to regions.
        let row = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 FROM users WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(&mut **tx)
            .await?;
        row.try_get::<i64, _>(0)?
    } else {
        next_ids(tx, tenant, "users", 1).await?
    };
    let now = to_db(now);
    let result = sqlx::query(
        "INSERT INTO users (tenant_id, id, email, email_key, email_confirmed, password_hash, \
         role, organization_id, municipality_id, last_name, first_name, middle_name, phone, \
         birth_date, session_epoch, created_at, updated_at, staff_since) \
         VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $14, $14, $15) \
         ON CONFLICT (tenant_id, email_key) DO NOTHING",
    )
    .bind(tenant)
    .bind(id)
    .bind(new.email)
    .bind(email_key(new.email))
    .bind(new.password_hash)
    .bind(new.role.as_str())
    .bind(new.organization_id)
    .bind(new.municipality_id)
    .bind(new.last_name)
    .bind(new.first_name)
    .bind(new.middle_name)
    .bind(new.phone)
    .bind(new.birth_date.as_deref())
    .bind(now.as_str())
    // Staff of an organization have had access since their account was made.
    .bind((new.role == Role::Provider && new.organization_id.is_some()).then_some(now.as_str()))
    .execute(&mut **tx)
    .await?;
    Ok((result.rows_affected() == 1).then_some(id))
}

/// Sets a new password hash and ends every session of the account.
pub async fn set_password(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE users SET password_hash = $3, session_epoch = session_epoch + 1, \
         updated_at = $4 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(hash)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks `email` confirmed for the account, making it the account's address if it was a
/// new one awaiting confirmation. `false` when another account of the region took the
/// address in the meantime.
pub async fn confirm_email(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    email: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let taken = sqlx::query(
        "SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND email_key = $2 AND id <> $3",
    )
    .bind(tenant)
    .bind(email_key(email))
    .bind(id)
    .fetch_one(&mut **tx)
    .await?
    .try_get::<i64, _>(0)?;
    if taken > 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE users SET email = $3, email_key = $4, email_confirmed = 1, updated_at = $5 \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(email)
    .bind(email_key(email))
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

pub async fn set_phone(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    phone: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET phone = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(id)
        .bind(phone)
        .bind(to_db(now))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A staff member of an organization with a confirmed address: whom its mail goes to.
#[derive(Debug, Clone)]
pub struct StaffContact {
    pub user_id: i64,
    pub email: String,
    pub first_name: String,
    /// How they hear of new applications.
    pub application_mail: ApplicationMail,
}

/// The organization's staff with a confirmed address, in id order: who hears of its
/// programs' decisions and of its new applications.
pub async fn confirmed_staff(
    tx: &mut Tx,
    tenant: TenantId,
    organization: i64,
) -> Result<Vec<StaffContact>, DbError> {
    let rows = sqlx::query(
        "SELECT id, email, first_name, application_mail FROM users \
         WHERE tenant_id = $1 AND organization_id = $2 AND role = 'provider' \
         AND email_confirmed = 1 ORDER BY id",
    )
    .bind(tenant)
    .bind(organization)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StaffContact {
                user_id: r.try_get("id")?,
                email: r.try_get("email")?,
                first_name: r.try_get("first_name")?,
                application_mail: ApplicationMail::stored(
                    &r.try_get::<String, _>("application_mail")?,
                ),
            })
        })
        .collect()
}

/// How the staff member hears of new applications.
pub async fn application_mail(
    db: &Db,
    tenant: TenantId,
    id: i64,
) -> Result<ApplicationMail, DbError> {
    let code: Option<String> =
        sqlx::query_scalar("SELECT application_mail FROM users WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    Ok(code.map_or(ApplicationMail::Each, |c| ApplicationMail::stored(&c)))
}

/// Sets how the staff member hears of new applications. A digest under way is then sent at
/// once (it lists applications filed under the old choice, which no other mail tells of),
/// or, with the mail turned off, dropped.
pub async fn set_application_mail(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    choice: ApplicationMail,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE users SET application_mail = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(choice.code())
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Accounts of the region per role, for the administrators' overview.
pub async fn count_by_role(db: &Db, tenant: TenantId) -> Result<Vec<(Role, i64)>, DbError> {
    let rows = sqlx::query(
        "SELECT role, COUNT(*) AS n FROM users WHERE tenant_id = $1 GROUP BY role ORDER BY role",
    )
    .bind(tenant)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .filter_map(|r| {
            let role: String = r.try_get("role").ok()?;
            Some(Role::parse(&role).ok().map(|role| (role, r.try_get("n"))))
        })
        .flatten()
        .map(|(role, n)| Ok((role, n?)))
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    ConfirmEmail,
    ResetPassword,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::ConfirmEmail => "confirm_email",
            TokenPurpose::ResetPassword => "reset_password",
        }
    }
}

/// A token to store: only its digest, never the token.
pub struct NewToken<'a> {
    pub hash: &'a str,
    pub purpose: TokenPurpose,
    pub user_id: i64,
    pub email: &'a str,
    pub expires: DateTime<Utc>,
}

pub async fn insert_token(
    tx: &mut Tx,
    tenant: TenantId,
    token: &NewToken<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO user_tokens (tenant_id, hash, purpose, user_id, email, expires_at, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tenant)
    .bind(token.hash)
    .bind(token.purpose.as_str())
    .bind(token.user_id)
    .bind(token.email)
    .bind(to_db(token.expires))
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug)]
pub struct TokenUse {
    pub user_id: i64,
    pub email: String,
    /// The token had been used before this call.
    pub already_used: bool,
}

/// Uses a token: marks it used and returns whose it is. `None` when it does not exist (in
/// this region, for this purpose) or has expired. A used token is reported as such and
/// stays used.
pub async fn use_token(
    tx: &mut Tx,
    tenant: TenantId,
    hash: &str,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<Option<TokenUse>, DbError> {
    let row = sqlx::query(
        "SELECT user_id, email, expires_at, used_at FROM user_tokens \
         WHERE tenant_id = $1 AND hash = $2 AND purpose = $3",
    )
    .bind(tenant)
    .bind(hash)
    .bind(purpose.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let expires: String = row.try_get("expires_at")?;
    let used: Option<String> = row.try_get("used_at")?;
    if used.is_none() && expires < to_db(now) {
        return Ok(None);
    }
    // The conditional update makes the first of two concurrent uses the only one.
    let claimed = sqlx::query(
        "UPDATE user_tokens SET used_at = $3 WHERE tenant_id = $1 AND hash = $2 \
         AND used_at IS NULL",
    )
    .bind(tenant)
    .bind(hash)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    Ok(Some(TokenUse {
        user_id: row.try_get("user_id")?,
        email: row.try_get("email")?,
        already_used: !claimed,
    }))
}

/// Ends the unused tokens of one purpose (a new reset link voids the older ones).
pub async fn void_tokens(
    tx: &mut Tx,
    tenant: TenantId,
    user_id: i64,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE user_tokens SET used_at = $4 WHERE tenant_id = $1 AND user_id = $2 \
         AND purpose = $3 AND used_at IS NULL",
    )
    .bind(tenant)
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One line of the audit log: who did what to whom, from where, when.
pub struct Audit<'a> {
    pub actor: Option<i64>,
    pub action: &'a str,
    pub subject: &'a str,
    pub detail: &'a str,
    pub ip: Option<&'a str>,
    /// The organization whose program, group, teacher or profile it is about (its change
    /// list reads these rows); none for the rest.
    pub organization: Option<i64>,
    pub at: DateTime<Utc>,
}

/// One audit row: who (`actor`, none for an anonymous attempt) did `action` to `subject`.
pub async fn audit(tx: &mut Tx, tenant: TenantId, entry: &Audit<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO audit_log (tenant_id, at, actor_id, action, subject, detail, ip, \
         organization_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(tenant)
    .bind(to_db(entry.at))
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.subject)
    .bind(entry.detail)
    .bind(entry.ip)
    .bind(entry.organization)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct AuditRow {
    pub at: String,
    pub actor_id: Option<i64>,
    pub action: String,
    pub subject: String,
    pub detail: String,
    /// The client's address, for what was done in a request.
    pub ip: Option<String>,
}

/// The region's latest audit rows, newest first.
pub async fn audit_rows(db: &Db, tenant: TenantId, limit: i64) -> Result<Vec<AuditRow>, DbError> {
    let rows = sqlx::query(
        "SELECT at, actor_id, action, subject, detail, ip FROM audit_log WHERE tenant_id = $1 \
         ORDER BY id DESC LIMIT $2",
    )
    .bind(tenant)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(AuditRow {
                at: r.try_get("at")?,
                actor_id: r.try_get("actor_id")?,
                action: r.try_get("action")?,
                subject: r.try_get("subject")?,
                detail: r.try_get("detail")?,
                ip: r.try_get("ip")?,
            })
        })
        .collect()
}

/// Whether a token exists, is unused and unexpired (without using it).
pub async fn token_usable(
    db: &Db,
    tenant: TenantId,
    hash: &str,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let row = sqlx::query(
        "SELECT COUNT(*) FROM user_tokens WHERE tenant_id = $1 AND hash = $2 AND purpose = $3 \
         AND used_at IS NULL AND expires_at >= $4",
    )
    .bind(tenant)
    .bind(hash)
    .bind(purpose.as_str())
    .bind(to_db(now))
    .fetch_one(db.pool())
    .await?;
    Ok(row.try_get::<i64, _>(0)? > 0)
}

/// Stores a new API token (its digest only) of staff account `user_id`; returns its number.
pub async fn insert_api_token(
    tx: &mut Tx,
    tenant: TenantId,
    hash: &str,
    user_id: i64,
    name: &str,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let id = next_ids(tx, tenant, "api_tokens", 1).await?;
    sqlx::query(
        "INSERT INTO api_tokens (tenant_id, id, hash, user_id, name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(tenant)
    .bind(id)
    .bind(hash)
    .bind(user_id)
    .bind(name)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// A token that is not revoked, with the account it acts as.
#[derive(Debug)]
pub struct ApiTokenUse {
    pub user: User,
    pub token_id: i64,
    pub last_used_at: Option<String>,
}

/// The account an API token acts as, unless the token is unknown here or revoked.
#[tracing::instrument(skip(db, hash))]
pub async fn user_of_api_token(
    db: &Db,
    tenant: TenantId,
    hash: &str,
) -> Result<Option<ApiTokenUse>, DbError> {
    let sql = format!(
        "SELECT {}, t.id AS token_id, t.last_used_at FROM users u \
         JOIN api_tokens t ON t.tenant_id = u.tenant_id AND t.user_id = u.id \
         WHERE t.tenant_id = $1 AND t.hash = $2 AND t.revoked_at IS NULL",
        USER_COLUMNS
            .split(", ")
            .map(|c| format!("u.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let row = sqlx::query(&sql)
        .bind(tenant)
        .bind(hash)
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    let token_id = row.try_get("token_id")?;
    let last_used_at = row.try_get("last_used_at")?;
    Ok(Some(ApiTokenUse {
        user: user(row)?,
        token_id,
        last_used_at,
    }))
}

/// Records that token `id` was used at `now`.
#[tracing::instrument(skip(db))]
pub async fn touch_api_token(
    db: &Db,
    tenant: TenantId,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(id)
        .bind(to_db(now))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Revokes every token of account `user_id` still in force; returns how many.
pub async fn revoke_api_tokens_of(
    tx: &mut Tx,
    tenant: TenantId,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND user_id = $2 \
         AND revoked_at IS NULL",
    )
    .bind(tenant)
    .bind(user_id)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Gives a former staff account (role provider, no organization) access to `organization`
/// again; `false` when the account is not such an account.
pub async fn grant_organization(
    tx: &mut Tx,
    tenant: TenantId,
    user_id: i64,
    organization: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE users SET organization_id = $3, staff_since = $4, updated_at = $4 \
         WHERE tenant_id = $1 AND id = $2 AND role = 'provider' AND organization_id IS NULL",
    )
    .bind(tenant)
    .bind(user_id)
    .bind(organization)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes access to `organization` away from staff account `user_id`: no organization, no
/// password (an old one must not let them in again), and a new session epoch, which ends
/// every session of the account at its next request. `false` when the account is not
/// staff of that organization.
pub async fn withdraw_organization(
    tx: &mut Tx,
    tenant: TenantId,
    user_id: i64,
    organization: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE users SET organization_id = NULL, password_hash = NULL, staff_since = NULL, \
         session_epoch = session_epoch + 1, updated_at = $4 \
         WHERE tenant_id = $1 AND id = $2 AND role = 'provider' AND organization_id = $3",
    )
    .bind(tenant)
    .bind(user_id)
    .bind(organization)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a former staff account (role provider, no organization: access removed) the role of
/// an administrator again; `false` when the account is not such an account.
pub async fn regrant_admin(
    tx: &mut Tx,
    tenant: TenantId,
    user_id: i64,
    role: Role,
    municipality: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE users SET role = $3, municipality_id = $4, updated_at = $5 \
         WHERE tenant_id = $1 AND id = $2 AND role = 'provider' AND organization_id IS NULL",
    )
    .bind(tenant)
    .bind(user_id)
    .bind(role.as_str())
    .bind(municipality)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes an administrator's access away (`role` is theirs: municipal or regional): the
/// account becomes a former staff member's (role provider, no organization, no
/// municipality), with no password and a new session epoch, which ends every session at its
/// next request. `false` when the account is not such an administrator.
pub async fn withdraw_admin(
    tx: &mut Tx,
    tenant: TenantId,
    user_id: i64,
    role: Role,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE users SET role = 'provider', organization_id = NULL, municipality_id = NULL, \
         password_hash = NULL, staff_since = NULL, session_epoch = session_epoch + 1, \
         updated_at = $4 WHERE tenant_id = $1 AND id = $2 AND role = $3",
    )
    .bind(tenant)
    .bind(user_id)
    .bind(role.as_str())
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The region's administrators (municipal and regional), by role, then name.
pub async fn admins(db: &Db, tenant: TenantId) -> Result<Vec<User>, DbError> {
    sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 \
         AND role IN ('municipal', 'regional') ORDER BY role DESC, last_name, first_name, id"
    ))
    .bind(tenant)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(user)
    .collect()
}

/// How many regional administrators the region has, as `tx` sees it.
pub async fn count_regional_in(tx: &mut Tx, tenant: TenantId) -> Result<i64, DbError> {
    let row =
        sqlx::query("SELECT COUNT(*) AS n FROM users WHERE tenant_id = $1 AND role = 'regional'")
            .bind(tenant)
            .fetch_one(&mut **tx)
            .await?;
    Ok(row.try_get("n")?)
}
