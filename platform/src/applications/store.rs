//! Queries on applications, their history, contracts and monthly charges. Tenant first in
//! every query; seats are taken and given back by conditional updates of the group.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{next_ids, Db, DbError, Tx};
use crate::tenant_id::TenantId;
use crate::time::to_db;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Confirmed,
    Rejected,
    Enrolled,
    Cancelled,
    Waitlisted,
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::New,
        Status::Confirmed,
        Status::Rejected,
        Status::Enrolled,
        Status::Cancelled,
        Status::Waitlisted,
        Status::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Confirmed => "confirmed",
            Status::Rejected => "rejected",
            Status::Enrolled => "enrolled",
            Status::Cancelled => "cancelled",
            Status::Waitlisted => "waitlisted",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Status::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// As the seeds name them.
    pub fn label(self) -> &'static str {
        match self {
            Status::New => "Новая",
            Status::Confirmed => "Подтверждена",
            Status::Rejected => "Отклонена",
            Status::Enrolled => "Зачислен",
            Status::Cancelled => "Отменена",
            Status::Waitlisted => "В очереди",
            Status::Withdrawn => "Отчислен",
        }
    }

    /// Holds a seat in the group.
    pub fn holds_seat(self) -> bool {
        matches!(self, Status::Confirmed | Status::Enrolled)
    }
}

#[derive(Debug, Clone)]
pub struct Application {
    pub id: i64,
    pub child_id: i64,
    pub parent_id: i64,
    pub group_id: i64,
    pub program_id: i64,
    pub organization_id: i64,
    pub status: Status,
    pub funding: String,
    pub comment: Option<String>,
    pub created_at: String,
    /// Recorded at the organization's desk («Личное обращение»), not sent online.
    pub in_person: bool,
}

/// The channel of an application recorded at the desk.
pub const IN_PERSON: &str = "in_person";

const COLUMNS: &str = "a.id, a.child_id, a.parent_id, a.group_id, a.program_id, \
     a.organization_id, a.status, a.funding, a.comment, a.created_at, a.channel";

fn application(row: &AnyRow) -> Result<Application, DbError> {
    let status: String = row.try_get("status")?;
    Ok(Application {
        id: row.try_get("id")?,
        child_id: row.try_get("child_id")?,
        parent_id: row.try_get("parent_id")?,
        group_id: row.try_get("group_id")?,
        program_id: row.try_get("program_id")?,
        organization_id: row.try_get("organization_id")?,
        status: Status::parse(&status).unwrap_or(Status::New),
        funding: row.try_get("funding")?,
        comment: row.try_get("comment")?,
        created_at: row.try_get("created_at")?,
        in_person: row.try_get::<String, _>("channel")? == IN_PERSON,
    })
}

pub async fn by_id(db: &Db, tenant: TenantId, id: i64) -> Result<Option<Application>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM applications a WHERE a.tenant_id = $1 AND a.id = $2"
    ))
    .bind(tenant)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(application).transpose()
}

pub async fn of_parent(
    db: &Db,
    tenant: TenantId,
    parent: i64,
) -> Result<Vec<Application>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM applications a WHERE a.tenant_id = $1 AND a.parent_id = $2 ORDER BY a.id DESC"
    ))
    .bind(tenant)
    .bind(parent)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(application).collect()
}

/// Whether the child has a live application or enrollment in the group.
pub async fn live_exists(
    tx: &mut Tx,
    tenant: TenantId,
    child: i64,
    group: i64,
) -> Result<bool, DbError> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) FROM applications WHERE tenant_id = $1 AND child_id = $2 AND group_id = $3 \
         AND status IN ('new', 'confirmed', 'enrolled', 'waitlisted')",
    )
    .bind(tenant)
    .bind(child)
    .bind(group)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    Ok(n > 0)
}

pub struct NewApplication<'a> {
    pub child_id: i64,
    pub parent_id: i64,
    pub group_id: i64,
    pub program_id: i64,
    pub organization_id: i64,
    pub status: Status,
    pub funding: &'a str,
    /// The staff member who recorded it at the desk («Личное обращение»); `None` online.
    pub recorded_by: Option<i64>,
}

pub async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    new: &NewApplication<'_>,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let id = next_ids(tx, tenant, "applications", 1).await?;
    let now = to_db(now);
    sqlx::query(
        "INSERT INTO applications (tenant_id, id, child_id, parent_id, group_id, program_id, \
         organization_id, status, funding, created_at, updated_at, channel, recorded_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12)",
    )
    .bind(tenant)
    .bind(id)
    .bind(new.child_id)
    .bind(new.parent_id)
    .bind(new.group_id)
    .bind(new.program_id)
    .bind(new.organization_id)
    .bind(new.status.as_str())
    .bind(new.funding)
    .bind(&now)
    .bind(if new.recorded_by.is_some() {
        IN_PERSON
    } else {
        "online"
    })
    .bind(new.recorded_by)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO application_events (tenant_id, application_id, status, actor_id, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant)
    .bind(id)
    .bind(new.status.as_str())
    .bind(new.recorded_by.unwrap_or(new.parent_id))
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Moves an application from `from` to `to` (a conditional update: of two concurrent
/// decisions only one applies) and writes the history row. `false` if it was not in `from`.
/// The organization's first decision on an application: when, and how many seconds after it
/// was filed (the statistics' answer times read these, not the history).
async fn mark_decided(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let filed: Option<String> = sqlx::query_scalar(
        "SELECT created_at FROM applications WHERE tenant_id = $1 AND id = $2 AND decided_at IS NULL",
    )
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(filed) = filed else {
        return Ok(());
    };
    let wait = DateTime::parse_from_rfc3339(&filed)
        .map(|t| (now - t.with_timezone(&Utc)).num_seconds().max(0))
        .unwrap_or(0);
    sqlx::query(
        "UPDATE applications SET decided_at = $3, wait_seconds = $4 \
         WHERE tenant_id = $1 AND id = $2 AND decided_at IS NULL",
    )
    .bind(tenant)
    .bind(id)
    .bind(to_db(now))
    .bind(wait)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub async fn transition(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    from: &[Status],
    to: Status,
    comment: Option<&str>,
    actor: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let allowed: Vec<String> = from.iter().map(|s| format!("'{}'", s.as_str())).collect();
    let decided = now;
    let now = to_db(now);
    let updated = sqlx::query(&format!(
        "UPDATE applications SET status = $3, comment = COALESCE($4, comment), updated_at = $5 \
         WHERE tenant_id = $1 AND id = $2 AND status IN ({})",
        allowed.join(", ")
    ))
    .bind(tenant)
    .bind(id)
    .bind(to.as_str())
    .bind(comment)
    .bind(&now)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if updated && matches!(to, Status::Confirmed | Status::Rejected) {
        mark_decided(tx, tenant, id, decided).await?;
    }
    if updated {
        sqlx::query(
            "INSERT INTO application_events (tenant_id, application_id, status, comment, actor_id, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(tenant)
        .bind(id)
        .bind(to.as_str())
        .bind(comment)
        .bind(actor)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(updated)
}

#[derive(Debug, Clone)]
pub struct Event {
    pub status: Status,
    pub comment: Option<String>,
    pub created_at: String,
}

pub async fn history(db: &Db, tenant: TenantId, application: i64) -> Result<Vec<Event>, DbError> {
    let rows = sqlx::query(
        "SELECT status, comment, created_at FROM application_events \
         WHERE tenant_id = $1 AND application_id = $2 ORDER BY id",
    )
    .bind(tenant)
    .bind(application)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let status: String = r.try_get("status")?;
            Ok(Event {
                status: Status::parse(&status).unwrap_or(Status::New),
                comment: r.try_get("comment")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// Takes a seat if the group has one. The condition is on the row being changed, so a
/// group never holds more than its capacity, whatever runs at once.
pub async fn take_seat(tx: &mut Tx, tenant: TenantId, group: i64) -> Result<bool, DbError> {
    Ok(sqlx::query(
        "UPDATE study_groups SET seats_taken = seats_taken + 1 \
         WHERE tenant_id = $1 AND id = $2 AND seats_taken < capacity",
    )
    .bind(tenant)
    .bind(group)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

pub async fn free_seat(tx: &mut Tx, tenant: TenantId, group: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE study_groups SET seats_taken = seats_taken - 1 \
         WHERE tenant_id = $1 AND id = $2 AND seats_taken > 0",
    )
    .bind(tenant)
    .bind(group)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn group_is_full(tx: &mut Tx, tenant: TenantId, group: i64) -> Result<bool, DbError> {
    let row = sqlx::query(
        "SELECT capacity, seats_taken FROM study_groups WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(group)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get::<i64, _>("seats_taken")? >= row.try_get::<i64, _>("capacity")?)
}

/// The first application waiting for a seat in the group, by arrival.
pub async fn first_waiting(db: &Db, tenant: TenantId, group: i64) -> Result<Option<i64>, DbError> {
    let row = sqlx::query(
        "SELECT id FROM applications WHERE tenant_id = $1 AND group_id = $2 AND status = 'waitlisted' \
         ORDER BY id LIMIT 1",
    )
    .bind(tenant)
    .bind(group)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| r.try_get(0)).transpose().map_err(DbError::from)
}

/// Filters of the organization's list.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub program: Option<i64>,
    pub group: Option<i64>,
    pub status: Option<Status>,
    /// `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One line of the organization's list: the application with names to show.
#[derive(Debug, Clone)]
pub struct Line {
    pub application: Application,
    pub child: String,
    pub child_birth_date: String,
    pub program: String,
    pub group: String,
}

/// The organization's applications matching `filter` (newest first, at most `limit`), and
/// the count per status of all its applications matching the other filters.
pub async fn for_organization(
    db: &Db,
    tenant: TenantId,
    organization: i64,
    filter: &Filter,
    limit: i64,
) -> Result<(Vec<Line>, Vec<(Status, i64)>), DbError> {
    // Absent filters are NULL parameters; the casts tell PostgreSQL their types.
    let base = "a.tenant_id = $1 AND a.organization_id = $2 \
         AND (CAST($3 AS BIGINT) IS NULL OR a.program_id = $3) \
         AND (CAST($4 AS BIGINT) IS NULL OR a.group_id = $4) \
         AND (CAST($5 AS TEXT) IS NULL OR a.created_at >= $5) \
         AND (CAST($6 AS TEXT) IS NULL OR a.created_at < $6)";
    let list_sql = format!(
        "SELECT {COLUMNS}, ch.last_name, ch.first_name, ch.birth_date, p.title, g.name AS group_name \
         FROM applications a \
         JOIN children ch ON ch.tenant_id = a.tenant_id AND ch.id = a.child_id \
         JOIN programs p ON p.tenant_id = a.tenant_id AND p.id = a.program_id \
         JOIN study_groups g ON g.tenant_id = a.tenant_id AND g.id = a.group_id \
         WHERE {base} AND (CAST($7 AS TEXT) IS NULL OR a.status = $7) ORDER BY a.id DESC LIMIT $8"
    );
    let count_sql = format!(
        "SELECT a.status, COUNT(*) AS n FROM applications a WHERE {base} GROUP BY a.status"
    );
    // Before the day after `to`, so the whole day is in (dates and times compare as text).
    let to = filter.to.as_ref().and_then(|t| {
        chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.succ_opt())
            .map(|d| d.to_string())
    });
    fn bind_all<'q>(
        sql: &'q str,
        tenant: TenantId,
        organization: i64,
        filter: &Filter,
        to: &Option<String>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        sqlx::query(sql)
            .bind(tenant)
            .bind(organization)
            .bind(filter.program)
            .bind(filter.group)
            .bind(filter.from.clone())
            .bind(to.clone())
    }
    let rows = bind_all(&list_sql, tenant, organization, filter, &to)
        .bind(filter.status.map(|s| s.as_str()))
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    let lines = rows
        .iter()
        .map(|r| {
            Ok(Line {
                application: application(r)?,
                child: format!(
                    "{} {}",
                    r.try_get::<String, _>("last_name")?,
                    r.try_get::<String, _>("first_name")?
                ),
                child_birth_date: r.try_get("birth_date")?,
                program: r.try_get("title")?,
                group: r.try_get("group_name")?,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    let counts = bind_all(&count_sql, tenant, organization, filter, &to)
        .fetch_all(db.pool())
        .await?
        .iter()
        .filter_map(|r| {
            let s: String = r.try_get("status").ok()?;
            Some((Status::parse(&s)?, r.try_get::<i64, _>("n").ok()?))
        })
        .collect();
    Ok((lines, counts))
}

#[derive(Debug, Clone)]
pub struct Contract {
    pub id: i64,
    pub application_id: i64,
    pub certificate_id: i64,
    pub period: i64,
    pub monthly: i64,
    pub first_month: String,
    pub last_month: String,
}

pub async fn insert_contract(
    tx: &mut Tx,
    tenant: TenantId,
    c: &Contract,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let id = next_ids(tx, tenant, "contracts", 1).await?;
    sqlx::query(
        "INSERT INTO contracts (tenant_id, id, application_id, certificate_id, period, monthly, \
         first_month, last_month, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9)",
    )
    .bind(tenant)
    .bind(id)
    .bind(c.application_id)
    .bind(c.certificate_id)
    .bind(c.period)
    .bind(c.monthly)
    .bind(&c.first_month)
    .bind(&c.last_month)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

fn contract(r: &AnyRow) -> Result<Contract, DbError> {
    Ok(Contract {
        id: r.try_get("id")?,
        application_id: r.try_get("application_id")?,
        certificate_id: r.try_get("certificate_id")?,
        period: r.try_get("period")?,
        monthly: r.try_get("monthly")?,
        first_month: r.try_get("first_month")?,
        last_month: r.try_get("last_month")?,
    })
}

const CONTRACT_COLUMNS: &str =
    "id, application_id, certificate_id, period, monthly, first_month, last_month";

pub async fn active_contract_of(
    tx: &mut Tx,
    tenant: TenantId,
    application: i64,
) -> Result<Option<Contract>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {CONTRACT_COLUMNS} FROM contracts WHERE tenant_id = $1 AND application_id = $2 AND status = 'active'"
    ))
    .bind(tenant)
    .bind(application)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(contract).transpose()
}

pub async fn active_contracts(db: &Db, tenant: TenantId) -> Result<Vec<Contract>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT {CONTRACT_COLUMNS} FROM contracts WHERE tenant_id = $1 AND status = 'active' ORDER BY id"
    ))
    .bind(tenant)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(contract).collect()
}

/// Ends an active contract; `false` if it was not active. The update locks the contract's
/// row, so a billing run of the same contract waits for it (or it for the billing run).
pub async fn end_contract(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    Ok(sqlx::query(
        "UPDATE contracts SET status = 'ended', ended_at = $3 \
         WHERE tenant_id = $1 AND id = $2 AND status = 'active'",
    )
    .bind(tenant)
    .bind(id)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Locks an active contract's row for billing; `false` if it ended meanwhile.
pub async fn lock_active_contract(tx: &mut Tx, tenant: TenantId, id: i64) -> Result<bool, DbError> {
    Ok(sqlx::query(
        "UPDATE contracts SET status = status WHERE tenant_id = $1 AND id = $2 AND status = 'active'",
    )
    .bind(tenant)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Months already billed on a contract.
pub async fn charged_months(tx: &mut Tx, tenant: TenantId, contract: i64) -> Result<i64, DbError> {
    Ok(sqlx::query(
        "SELECT COUNT(*) FROM contract_charges WHERE tenant_id = $1 AND contract_id = $2",
    )
    .bind(tenant)
    .bind(contract)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?)
}

/// Records the charge of a month; `false` if that month was billed already.
pub async fn insert_charge(
    tx: &mut Tx,
    tenant: TenantId,
    contract: i64,
    month: &str,
    amount: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    Ok(sqlx::query(
        "INSERT INTO contract_charges (tenant_id, contract_id, month, amount, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, contract_id, month) DO NOTHING",
    )
    .bind(tenant)
    .bind(contract)
    .bind(month)
    .bind(amount)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}
