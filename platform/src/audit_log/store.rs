//! Reading the audit log within an administrator's scope, newest first, a page at a time by
//! id (no count of a log that only grows).

use sqlx::Row;

use crate::db::{Db, DbError};
use crate::tenant_id::TenantId;
use crate::time::to_db;

use super::AuditFilter;

/// One row with its actor as the log shows them.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub at: String,
    pub actor: Option<Actor>,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub ip: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    /// The short name of the actor's organization, for its staff.
    pub organization: Option<String>,
}

/// Up to `limit` rows matching `filter`, newest first; `municipality` limits them to what
/// concerns that municipality: rows about its organizations, and what its organizations'
/// staff and its own administrators did.
#[tracing::instrument(skip_all, fields(%tenant))]
pub async fn entries(
    db: &Db,
    tenant: TenantId,
    municipality: Option<&str>,
    filter: &AuditFilter,
    limit: i64,
) -> Result<Vec<Entry>, DbError> {
    let object_prefix = filter
        .object
        .as_ref()
        .filter(|o| !o.contains(':'))
        .map(|o| format!("{o}:%"));
    let who_email = filter.who.as_ref().map(|w| format!("%{w}%"));
    // Surnames are stored as typed («Иванова»); the filter is lower case, so the first letter
    // is put back up (SQLite's lower() knows no Cyrillic).
    let who_surname = filter.who.as_ref().map(|w| {
        let mut c = w.chars();
        c.next().map_or(String::new(), |f| {
            f.to_uppercase().chain(c).collect::<String>() + "%"
        })
    });
    let rows = sqlx::query(
        "SELECT a.id, a.at, a.actor_id, a.action, a.subject, a.detail, a.ip, \
                u.last_name, u.first_name, u.middle_name, u.email, u.role, o.short_name \
         FROM audit_log a \
         LEFT JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.actor_id \
         LEFT JOIN organizations o ON o.tenant_id = a.tenant_id AND o.id = u.organization_id \
         WHERE a.tenant_id = $1 \
           AND (CAST($2 AS TEXT) IS NULL OR a.action = $2) \
           AND (CAST($3 AS TEXT) IS NULL OR a.subject = $3 OR a.subject LIKE $4) \
           AND (CAST($5 AS TEXT) IS NULL OR a.at >= $5) \
           AND (CAST($6 AS TEXT) IS NULL OR a.at < $6) \
           AND (CAST($7 AS TEXT) IS NULL OR lower(u.email) LIKE $7 OR u.last_name LIKE $8) \
           AND (CAST($9 AS BIGINT) IS NULL OR a.id < $9) \
           AND (CAST($10 AS TEXT) IS NULL \
                OR o.municipality_id = $10 \
                OR (u.role = 'municipal' AND u.municipality_id = $10) \
                OR a.organization_id IN (SELECT m.id FROM organizations m \
                                         WHERE m.tenant_id = $1 AND m.municipality_id = $10)) \
         ORDER BY a.id DESC LIMIT $11",
    )
    .bind(tenant)
    .bind(filter.action.as_deref())
    .bind(filter.object.as_deref())
    .bind(object_prefix.as_deref().unwrap_or(""))
    .bind(filter.from.map(to_db))
    .bind(filter.until.map(to_db))
    .bind(who_email.as_deref())
    .bind(who_surname.as_deref().unwrap_or(""))
    .bind(filter.before)
    .bind(municipality)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            let actor_id: Option<i64> = r.try_get("actor_id")?;
            let last: Option<String> = r.try_get("last_name")?;
            let actor = match (actor_id, last) {
                (Some(id), Some(last)) => {
                    let first: String = r.try_get("first_name")?;
                    let middle: Option<String> = r.try_get("middle_name")?;
                    Some(Actor {
                        id,
                        name: match middle {
                            Some(m) => format!("{last} {first} {m}"),
                            None => format!("{last} {first}"),
                        },
                        email: r.try_get("email")?,
                        role: r.try_get("role")?,
                        organization: r.try_get("short_name")?,
                    })
                }
                _ => None,
            };
            Ok(Entry {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                actor,
                action: r.try_get("action")?,
                subject: r.try_get("subject")?,
                detail: r.try_get("detail")?,
                ip: r.try_get("ip")?,
            })
        })
        .collect()
}
