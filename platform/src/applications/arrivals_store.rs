//! Queries behind the mail of new applications: the hourly digests under way and the
//! applications a digest lists (whom to tell is `accounts::store::confirmed_staff`). Tenant
//! first in every query.

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::accounts::values::ApplicationMail;
use crate::db::{Db, DbError, Tx};
use crate::tenant_id::TenantId;
use crate::time::to_db;

/// Puts application `application` in the staff member's next digest.
pub async fn hold_for_digest(
    tx: &mut Tx,
    tenant: TenantId,
    user: i64,
    application: i64,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO application_digest_items \
         (tenant_id, user_id, application_id, base_url, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant)
    .bind(user)
    .bind(application)
    .bind(base_url)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A staff member's digest that is due.
#[derive(Debug, Clone)]
pub struct DueDigest {
    pub tenant: TenantId,
    pub user_id: i64,
    pub base_url: String,
    /// The staff member's choice now.
    pub choice: ApplicationMail,
}

/// Digests of every region due at `now`, at most `limit`: those whose oldest application
/// waited since `cutoff`, and those of staff who no longer want a digest (what waits is sent
/// at once: no other mail tells of it).
pub async fn due(db: &Db, cutoff: DateTime<Utc>, limit: i64) -> Result<Vec<DueDigest>, DbError> {
    let rows = sqlx::query(
        "SELECT i.tenant_id, i.user_id, u.application_mail, MAX(i.base_url) AS base_url \
         FROM application_digest_items i \
         JOIN users u ON u.tenant_id = i.tenant_id AND u.id = i.user_id \
         GROUP BY i.tenant_id, i.user_id, u.application_mail \
         HAVING MIN(i.created_at) <= $1 OR u.application_mail <> $2 \
         ORDER BY MIN(i.created_at) LIMIT $3",
    )
    .bind(to_db(cutoff))
    .bind(ApplicationMail::Hourly.code())
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DueDigest {
                tenant: r.try_get("tenant_id")?,
                user_id: r.try_get("user_id")?,
                base_url: r.try_get("base_url")?,
                choice: ApplicationMail::stored(&r.try_get::<String, _>("application_mail")?),
            })
        })
        .collect()
}

/// Takes the listed applications out of the staff member's digest; `false` when another
/// process took some first (then the digest is that one's to send).
pub async fn take(
    tx: &mut Tx,
    tenant: TenantId,
    user: i64,
    applications: &[i64],
) -> Result<bool, DbError> {
    let mut taken = 0;
    for id in applications {
        taken += sqlx::query(
            "DELETE FROM application_digest_items \
             WHERE tenant_id = $1 AND user_id = $2 AND application_id = $3",
        )
        .bind(tenant)
        .bind(user)
        .bind(*id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    Ok(taken == applications.len() as u64)
}

/// An application as a digest lists it.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub id: i64,
    pub organization_id: i64,
    pub status: String,
    pub created_at: String,
    pub program: String,
    pub group: String,
    pub child: String,
}

/// Every item of the staff member's digest, in order: its application's number, and the
/// application as listed when it is still there with its program, group and child (an item
/// whose application went, with a replaced demo or catalog, is taken all the same).
pub async fn waiting(
    tx: &mut Tx,
    tenant: TenantId,
    user: i64,
) -> Result<Vec<(i64, Option<Arrival>)>, DbError> {
    let rows = sqlx::query(
        "SELECT i.application_id, a.organization_id, a.status, a.created_at, p.title, \
         g.name, c.last_name, c.first_name \
         FROM application_digest_items i \
         LEFT JOIN applications a ON a.tenant_id = i.tenant_id AND a.id = i.application_id \
         LEFT JOIN programs p ON p.tenant_id = a.tenant_id AND p.id = a.program_id \
         LEFT JOIN study_groups g ON g.tenant_id = a.tenant_id AND g.id = a.group_id \
         LEFT JOIN children c ON c.tenant_id = a.tenant_id AND c.id = a.child_id \
         WHERE i.tenant_id = $1 AND i.user_id = $2 ORDER BY i.application_id",
    )
    .bind(tenant)
    .bind(user)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get("application_id")?;
            let parts = (
                r.try_get::<Option<i64>, _>("organization_id")?,
                r.try_get::<Option<String>, _>("status")?,
                r.try_get::<Option<String>, _>("created_at")?,
                r.try_get::<Option<String>, _>("title")?,
                r.try_get::<Option<String>, _>("name")?,
                r.try_get::<Option<String>, _>("last_name")?,
                r.try_get::<Option<String>, _>("first_name")?,
            );
            let arrival = match parts {
                (
                    Some(org),
                    Some(status),
                    Some(at),
                    Some(program),
                    Some(group),
                    Some(l),
                    Some(f),
                ) => Some(Arrival {
                    id,
                    organization_id: org,
                    status,
                    created_at: at,
                    program,
                    group,
                    child: format!("{l} {f}"),
                }),
                _ => None,
            };
            Ok((id, arrival))
        })
        .collect()
}
