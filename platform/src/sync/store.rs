//! The organizations' external ids and their change lists.

use std::collections::HashMap;

use sqlx::Row;

use crate::db::{Db, DbError, Tx};
use crate::tenant_id::TenantId;

use super::external::{ExternalId, Kind};

/// The object the organization's id names, if any.
#[tracing::instrument(skip(conn))]
pub async fn find(
    conn: &mut sqlx::AnyConnection,
    tenant: TenantId,
    org: i64,
    kind: Kind,
    id: &ExternalId,
) -> Result<Option<i64>, DbError> {
    let row = sqlx::query(
        "SELECT object_id FROM external_ids WHERE tenant_id = $1 AND organization_id = $2 \
         AND kind = $3 AND external_id = $4",
    )
    .bind(tenant)
    .bind(org)
    .bind(kind.as_str())
    .bind(id.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// Ties a new object to the organization's id. An id whose group was deleted keeps naming
/// it (so the change list can say which of the organization's groups went) until it is
/// given to a new one.
#[tracing::instrument(skip(tx))]
pub async fn bind(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
    kind: Kind,
    id: &ExternalId,
    object: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO external_ids (tenant_id, organization_id, kind, external_id, object_id) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (tenant_id, organization_id, kind, external_id) \
         DO UPDATE SET object_id = excluded.object_id",
    )
    .bind(tenant)
    .bind(org)
    .bind(kind.as_str())
    .bind(id.as_str())
    .bind(object)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Every external id of the organization, by what it names.
#[tracing::instrument(skip(db))]
pub async fn all_of(
    db: &Db,
    tenant: TenantId,
    org: i64,
) -> Result<HashMap<(Kind, i64), String>, DbError> {
    let rows = sqlx::query(
        "SELECT kind, object_id, external_id FROM external_ids \
         WHERE tenant_id = $1 AND organization_id = $2",
    )
    .bind(tenant)
    .bind(org)
    .fetch_all(db.pool())
    .await?;
    let mut ids = HashMap::new();
    for r in rows {
        let kind = match r.try_get::<String, _>(0)?.as_str() {
            "program" => Kind::Program,
            _ => Kind::Group,
        };
        ids.insert((kind, r.try_get(1)?), r.try_get(2)?);
    }
    Ok(ids)
}

/// One row of an organization's change list: an audit row about one of its things.
#[derive(Debug, Clone)]
pub struct ChangeRow {
    pub cursor: i64,
    pub at: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub actor_role: Option<String>,
    pub actor_name: Option<String>,
}

/// The catalog's audit rows of the organization after `since`, oldest first (what staff,
/// moderators and the operator did to its programs, groups, teachers and profile; not
/// access and tokens).
#[tracing::instrument(skip(db))]
pub async fn changes(
    db: &Db,
    tenant: TenantId,
    org: i64,
    since: i64,
    limit: i64,
) -> Result<Vec<ChangeRow>, DbError> {
    let rows = sqlx::query(
        "SELECT a.id, a.at, a.action, a.subject, a.detail, u.role, u.last_name, u.first_name \
         FROM audit_log a LEFT JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.actor_id \
         WHERE a.tenant_id = $1 AND a.organization_id = $2 AND a.id > $3 \
         AND (a.action LIKE 'program.%' OR a.action LIKE 'group.%' \
              OR a.action LIKE 'teacher.%' OR a.action LIKE 'organization.%' \
              OR a.action IN ('sheet.import', 'school_year.copy')) \
         ORDER BY a.id LIMIT $4",
    )
    .bind(tenant)
    .bind(org)
    .bind(since)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            let last: Option<String> = r.try_get(6)?;
            let first: Option<String> = r.try_get(7)?;
            Ok(ChangeRow {
                cursor: r.try_get(0)?,
                at: r.try_get(1)?,
                action: r.try_get(2)?,
                subject: r.try_get(3)?,
                detail: r.try_get(4)?,
                actor_role: r.try_get(5)?,
                actor_name: last.map(|l| format!("{l} {}", first.unwrap_or_default())),
            })
        })
        .collect()
}
