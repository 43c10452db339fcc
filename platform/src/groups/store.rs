//! Queries on an organization's groups, their schedule rows and teachers, as its staff
//! edit them. Every function takes the region and the organization: a group, program or
//! teacher of another organization is not found.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::catalog::model::{Financing, Session};
use crate::catalog::store::{insert_sessions, session_from};
use crate::db::{next_ids, Db, DbError, Tx};
use crate::domain::Money;
use crate::tenant_id::TenantId;
use crate::time::to_db;

/// Набор открыт, набор закрыт, в архиве (not shown to families).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum GroupStatus {
    Open,
    Closed,
    Archived,
}

impl GroupStatus {
    pub const ALL: [GroupStatus; 3] = [
        GroupStatus::Open,
        GroupStatus::Closed,
        GroupStatus::Archived,
    ];

    pub fn code(self) -> &'static str {
        match self {
            GroupStatus::Open => "open",
            GroupStatus::Closed => "closed",
            GroupStatus::Archived => "archived",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GroupStatus::Open => "Набор открыт",
            GroupStatus::Closed => "Набор закрыт",
            GroupStatus::Archived => "В архиве",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The financing sources a program offers, from its `financing` column. Read only here, so
/// that the column becoming a set («certificate,paid») changes one function.
pub fn offered_financing(code: &str) -> Vec<Financing> {
    code.split(',')
        .filter_map(|c| Financing::parse(c.trim()))
        .collect()
}

/// What the group rules need of a program of the organization.
#[derive(Debug, Clone)]
pub struct ProgramInfo {
    pub id: i64,
    pub title: String,
    pub age_min: i64,
    pub age_max: i64,
    pub financing: Vec<Financing>,
}

/// A group as its organization edits it (archived ones too).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub id: i64,
    pub program_id: i64,
    pub name: String,
    pub age_min: i64,
    pub age_max: i64,
    pub capacity: i64,
    pub seats_taken: i64,
    pub study_from: NaiveDate,
    pub study_to: NaiveDate,
    pub enroll_from: NaiveDate,
    pub enroll_to: NaiveDate,
    pub status: GroupStatus,
    pub place_id: i64,
    pub teacher_ids: Vec<i64>,
    pub sessions: Vec<Session>,
    pub price_certificate: Option<Money>,
    pub price_paid: Option<Money>,
}

impl GroupRow {
    /// The version the API gives out and `If-Match` checks: of every field, seats taken
    /// included (an enrollment changes what a capacity may be).
    pub fn version(&self) -> String {
        crate::domain::version_of(self)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Teacher {
    pub id: i64,
    pub name: String,
    pub position: String,
}

fn decode(what: String) -> DbError {
    DbError::Query(sqlx::Error::Decode(what.into()))
}

fn day(row: &AnyRow, column: &str) -> Result<NaiveDate, DbError> {
    let text: String = row.try_get(column)?;
    text.parse()
        .map_err(|_| decode(format!("{column}: «{text}»")))
}

fn program_from(row: &AnyRow) -> Result<ProgramInfo, DbError> {
    let financing: String = row.try_get("financing")?;
    Ok(ProgramInfo {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        age_min: row.try_get("age_min")?,
        age_max: row.try_get("age_max")?,
        financing: offered_financing(&financing),
    })
}

const PROGRAM: &str = "SELECT id, title, age_min, age_max, financing FROM programs \
    WHERE tenant_id = $1 AND organization_id = $2";

/// A program of the organization, or `None`.
#[tracing::instrument(skip(db))]
pub async fn program(
    db: &Db,
    tenant: TenantId,
    org: i64,
    id: i64,
) -> Result<Option<ProgramInfo>, DbError> {
    let row = sqlx::query(&format!("{PROGRAM} AND id = $3"))
        .bind(tenant)
        .bind(org)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(program_from).transpose()
}

/// A program of the organization, as the transaction sees it.
#[tracing::instrument(skip(tx))]
pub async fn program_in(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
    id: i64,
) -> Result<Option<ProgramInfo>, DbError> {
    let row = sqlx::query(&format!("{PROGRAM} AND id = $3"))
        .bind(tenant)
        .bind(org)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(program_from).transpose()
}

/// Every program of the organization (whatever its status), by title.
#[tracing::instrument(skip(db))]
pub async fn programs(db: &Db, tenant: TenantId, org: i64) -> Result<Vec<ProgramInfo>, DbError> {
    sqlx::query(&format!("{PROGRAM} ORDER BY title, id"))
        .bind(tenant)
        .bind(org)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(program_from)
        .collect()
}

const GROUP: &str = "SELECT g.id, g.program_id, g.name, g.age_min, g.age_max, g.capacity, \
    g.seats_taken, g.study_from, g.study_to, g.enroll_from, g.enroll_to, g.status, g.place_id, \
    g.price_certificate_kopecks, g.price_paid_kopecks \
    FROM study_groups g JOIN programs p ON p.tenant_id = g.tenant_id AND p.id = g.program_id \
    WHERE g.tenant_id = $1 AND p.organization_id = $2";

fn group_from(row: &AnyRow) -> Result<GroupRow, DbError> {
    let status: String = row.try_get("status")?;
    Ok(GroupRow {
        id: row.try_get("id")?,
        program_id: row.try_get("program_id")?,
        name: row.try_get("name")?,
        age_min: row.try_get::<Option<i64>, _>("age_min")?.unwrap_or(0),
        age_max: row.try_get::<Option<i64>, _>("age_max")?.unwrap_or(0),
        capacity: row.try_get("capacity")?,
        seats_taken: row.try_get("seats_taken")?,
        study_from: day(row, "study_from")?,
        study_to: day(row, "study_to")?,
        enroll_from: day(row, "enroll_from")?,
        enroll_to: day(row, "enroll_to")?,
        status: GroupStatus::parse(&status)
            .ok_or_else(|| decode(format!("unknown group status «{status}»")))?,
        place_id: row.try_get::<Option<i64>, _>("place_id")?.unwrap_or(0),
        teacher_ids: Vec::new(),
        sessions: Vec::new(),
        price_certificate: row
            .try_get::<Option<i64>, _>("price_certificate_kopecks")?
            .map(Money::from_kopecks),
        price_paid: row
            .try_get::<Option<i64>, _>("price_paid_kopecks")?
            .map(Money::from_kopecks),
    })
}

/// Reads the teachers and schedule rows of one group.
async fn details(
    conn: &mut sqlx::AnyConnection,
    tenant: TenantId,
    group: &mut GroupRow,
) -> Result<(), DbError> {
    group.teacher_ids = sqlx::query(
        "SELECT teacher_id FROM group_teachers WHERE tenant_id = $1 AND group_id = $2 \
         ORDER BY teacher_id",
    )
    .bind(tenant)
    .bind(group.id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<Result<_, _>>()?;
    group.sessions = sqlx::query(
        "SELECT weekday, starts, ends, date_from, date_to FROM group_sessions \
         WHERE tenant_id = $1 AND group_id = $2 ORDER BY position",
    )
    .bind(tenant)
    .bind(group.id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(session_from)
    .collect::<Result<_, _>>()?;
    Ok(())
}

/// One group of the organization, with its teachers and schedule, as the transaction sees it.
#[tracing::instrument(skip(tx))]
pub async fn group_in(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
    id: i64,
) -> Result<Option<GroupRow>, DbError> {
    let row = sqlx::query(&format!("{GROUP} AND g.id = $3"))
        .bind(tenant)
        .bind(org)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(mut group) = row.as_ref().map(group_from).transpose()? else {
        return Ok(None);
    };
    details(tx, tenant, &mut group).await?;
    Ok(Some(group))
}

/// One group of the organization, with its teachers and schedule.
#[tracing::instrument(skip(db))]
pub async fn group(
    db: &Db,
    tenant: TenantId,
    org: i64,
    id: i64,
) -> Result<Option<GroupRow>, DbError> {
    let mut tx = db.begin().await?;
    let group = group_in(&mut tx, tenant, org, id).await?;
    tx.commit().await?;
    Ok(group)
}

/// The groups of a program of the organization, with teachers and schedules, by id.
#[tracing::instrument(skip(db))]
pub async fn groups_of(
    db: &Db,
    tenant: TenantId,
    org: i64,
    program: i64,
) -> Result<Vec<GroupRow>, DbError> {
    let mut conn = db.pool().acquire().await?;
    groups_on(&mut conn, tenant, org, program).await
}

/// [`groups_of`] as the transaction sees it: the groups a copy is made from.
#[tracing::instrument(skip(tx))]
pub async fn groups_of_in(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
    program: i64,
) -> Result<Vec<GroupRow>, DbError> {
    groups_on(tx, tenant, org, program).await
}

async fn groups_on(
    conn: &mut sqlx::AnyConnection,
    tenant: TenantId,
    org: i64,
    program: i64,
) -> Result<Vec<GroupRow>, DbError> {
    let mut groups = sqlx::query(&format!("{GROUP} AND g.program_id = $3 ORDER BY g.id"))
        .bind(tenant)
        .bind(org)
        .bind(program)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(group_from)
        .collect::<Result<Vec<_>, _>>()?;
    for g in &mut groups {
        details(conn, tenant, g).await?;
    }
    Ok(groups)
}

/// Groups of the region still open for enrollment whose study ended before `today`:
/// (id, its organization, study end), by id. Read without a transaction first, so that a region with
/// none takes no write lock.
#[tracing::instrument(skip(db))]
pub async fn open_finished(
    db: &Db,
    tenant: TenantId,
    today: NaiveDate,
) -> Result<Vec<(i64, i64, NaiveDate)>, DbError> {
    let mut conn = db.pool().acquire().await?;
    open_finished_on(&mut conn, tenant, today).await
}

/// [`open_finished`] as the transaction that closes them sees it.
#[tracing::instrument(skip(tx))]
pub async fn open_finished_in(
    tx: &mut Tx,
    tenant: TenantId,
    today: NaiveDate,
) -> Result<Vec<(i64, i64, NaiveDate)>, DbError> {
    open_finished_on(tx, tenant, today).await
}

async fn open_finished_on(
    conn: &mut sqlx::AnyConnection,
    tenant: TenantId,
    today: NaiveDate,
) -> Result<Vec<(i64, i64, NaiveDate)>, DbError> {
    // ISO dates compare as text on both databases.
    sqlx::query(
        "SELECT g.id, p.organization_id, g.study_to FROM study_groups g \
         JOIN programs p ON p.tenant_id = g.tenant_id AND p.id = g.program_id \
         WHERE g.tenant_id = $1 AND g.status = 'open' AND g.study_to < $2 ORDER BY g.id",
    )
    .bind(tenant)
    .bind(today.to_string())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, day(r, "study_to")?)))
    .collect()
}

/// The names of a program's groups: (id, name), without their teachers and schedules.
#[tracing::instrument(skip(db))]
pub async fn names_of(
    db: &Db,
    tenant: TenantId,
    org: i64,
    program: i64,
) -> Result<Vec<(i64, String)>, DbError> {
    sqlx::query(
        "SELECT g.id, g.name FROM study_groups g \
         JOIN programs p ON p.tenant_id = g.tenant_id AND p.id = g.program_id \
         WHERE g.tenant_id = $1 AND p.organization_id = $2 AND g.program_id = $3",
    )
    .bind(tenant)
    .bind(org)
    .bind(program)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect()
}

/// How many groups each program of the organization has: (program, groups).
#[tracing::instrument(skip(db))]
pub async fn group_counts(db: &Db, tenant: TenantId, org: i64) -> Result<Vec<(i64, i64)>, DbError> {
    sqlx::query(
        "SELECT g.program_id, COUNT(*) FROM study_groups g \
         JOIN programs p ON p.tenant_id = g.tenant_id AND p.id = g.program_id \
         WHERE g.tenant_id = $1 AND p.organization_id = $2 GROUP BY g.program_id",
    )
    .bind(tenant)
    .bind(org)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect()
}

/// Writes a new group (`group.id` is ignored) with its teachers and schedule; its id.
#[tracing::instrument(skip(tx, group))]
pub async fn insert_group(tx: &mut Tx, tenant: TenantId, group: &GroupRow) -> Result<i64, DbError> {
    let id = next_ids(tx, tenant, "groups", 1).await?;
    sqlx::query(
        "INSERT INTO study_groups (tenant_id, id, program_id, name, age_min, age_max, capacity, \
         seats_taken, study_from, study_to, enroll_from, enroll_to, status, place_id, \
         price_certificate_kopecks, price_paid_kopecks) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(tenant)
    .bind(id)
    .bind(group.program_id)
    .bind(&group.name)
    .bind(group.age_min)
    .bind(group.age_max)
    .bind(group.capacity)
    .bind(group.study_from.to_string())
    .bind(group.study_to.to_string())
    .bind(group.enroll_from.to_string())
    .bind(group.enroll_to.to_string())
    .bind(group.status.code())
    .bind(group.place_id)
    .bind(group.price_certificate.map(Money::kopecks))
    .bind(group.price_paid.map(Money::kopecks))
    .execute(&mut **tx)
    .await?;
    replace_details(tx, tenant, id, group).await?;
    Ok(id)
}

/// Rewrites a group's fields, teachers and schedule (not its seats taken), and marks it
/// changed for `sitegen`; the caller bumps the catalog version.
#[tracing::instrument(skip(tx, group))]
///
/// `false`, with nothing written, when the group now has more children enrolled than the new
/// capacity: an enrollment, which does not take the catalog's lock, came in after the
/// capacity was checked against the seats it read.
pub async fn update_group(
    tx: &mut Tx,
    tenant: TenantId,
    group: &GroupRow,
) -> Result<bool, DbError> {
    let updated = sqlx::query(
        "UPDATE study_groups SET name = $3, age_min = $4, age_max = $5, capacity = $6, \
         study_from = $7, study_to = $8, enroll_from = $9, enroll_to = $10, place_id = $11, \
         price_certificate_kopecks = $12, price_paid_kopecks = $13, changed_in = NULL \
         WHERE tenant_id = $1 AND id = $2 AND seats_taken <= $6",
    )
    .bind(tenant)
    .bind(group.id)
    .bind(&group.name)
    .bind(group.age_min)
    .bind(group.age_max)
    .bind(group.capacity)
    .bind(group.study_from.to_string())
    .bind(group.study_to.to_string())
    .bind(group.enroll_from.to_string())
    .bind(group.enroll_to.to_string())
    .bind(group.place_id)
    .bind(group.price_certificate.map(Money::kopecks))
    .bind(group.price_paid.map(Money::kopecks))
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if !updated {
        return Ok(false);
    }
    for table in ["group_teachers", "group_sessions"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE tenant_id = $1 AND group_id = $2"
        ))
        .bind(tenant)
        .bind(group.id)
        .execute(&mut **tx)
        .await?;
    }
    replace_details(tx, tenant, group.id, group).await?;
    Ok(true)
}

async fn replace_details(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    group: &GroupRow,
) -> Result<(), DbError> {
    for teacher in &group.teacher_ids {
        sqlx::query(
            "INSERT INTO group_teachers (tenant_id, group_id, teacher_id) VALUES ($1, $2, $3)",
        )
        .bind(tenant)
        .bind(id)
        .bind(*teacher)
        .execute(&mut **tx)
        .await?;
    }
    let rows: Vec<(i64, usize, &Session)> = group
        .sessions
        .iter()
        .enumerate()
        .map(|(i, s)| (id, i, s))
        .collect();
    insert_sessions(tx, tenant, &rows).await
}

/// Sets a group's status and marks it changed.
#[tracing::instrument(skip(tx))]
pub async fn set_status(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    status: GroupStatus,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE study_groups SET status = $3, changed_in = NULL WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(status.code())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Applications to a group by status code: (status, count).
#[tracing::instrument(skip(tx))]
pub async fn applications_by_status(
    tx: &mut Tx,
    tenant: TenantId,
    group: i64,
) -> Result<Vec<(String, i64)>, DbError> {
    sqlx::query(
        "SELECT status, COUNT(*) FROM applications WHERE tenant_id = $1 AND group_id = $2 \
         GROUP BY status",
    )
    .bind(tenant)
    .bind(group)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect()
}

/// Removes a group with its rows, and marks its program changed (the group's row, which
/// `sitegen` would have found, is gone).
#[tracing::instrument(skip(tx))]
pub async fn delete_group(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    program: i64,
) -> Result<(), DbError> {
    for sql in [
        "DELETE FROM group_teachers WHERE tenant_id = $1 AND group_id = $2",
        "DELETE FROM group_sessions WHERE tenant_id = $1 AND group_id = $2",
        "DELETE FROM study_groups WHERE tenant_id = $1 AND id = $2",
    ] {
        sqlx::query(sql)
            .bind(tenant)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("UPDATE programs SET changed_in = NULL WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(program)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether the organization has this place of study.
#[tracing::instrument(skip(tx))]
pub async fn has_place(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
    place: i64,
) -> Result<bool, DbError> {
    let row = sqlx::query(
        "SELECT 1 FROM places WHERE tenant_id = $1 AND organization_id = $2 AND id = $3",
    )
    .bind(tenant)
    .bind(org)
    .bind(place)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.is_some())
}

fn teacher_from(row: &AnyRow) -> Result<Teacher, DbError> {
    Ok(Teacher {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        position: row.try_get("position")?,
    })
}

/// The organization's teachers, by name.
#[tracing::instrument(skip(db))]
pub async fn teachers(db: &Db, tenant: TenantId, org: i64) -> Result<Vec<Teacher>, DbError> {
    sqlx::query(
        "SELECT id, name, position FROM teachers WHERE tenant_id = $1 AND organization_id = $2 \
         ORDER BY name, id",
    )
    .bind(tenant)
    .bind(org)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(teacher_from)
    .collect()
}

/// One teacher of the organization, as the transaction sees it.
#[tracing::instrument(skip(tx))]
pub async fn teacher_in(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
    id: i64,
) -> Result<Option<Teacher>, DbError> {
    let row = sqlx::query(
        "SELECT id, name, position FROM teachers \
         WHERE tenant_id = $1 AND organization_id = $2 AND id = $3",
    )
    .bind(tenant)
    .bind(org)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(teacher_from).transpose()
}

#[tracing::instrument(skip(tx))]
pub async fn insert_teacher(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
    name: &str,
    position: &str,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let id = next_ids(tx, tenant, "teachers", 1).await?;
    let now = to_db(now);
    sqlx::query(
        "INSERT INTO teachers (tenant_id, id, organization_id, name, position, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tenant)
    .bind(id)
    .bind(org)
    .bind(name)
    .bind(position)
    .bind(&now)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Renames a teacher and marks every group of theirs changed (their names are on it).
#[tracing::instrument(skip(tx))]
pub async fn update_teacher(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    name: &str,
    position: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE teachers SET name = $3, position = $4, updated_at = $5 \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(name)
    .bind(position)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE study_groups SET changed_in = NULL WHERE tenant_id = $1 AND id IN \
         (SELECT group_id FROM group_teachers WHERE tenant_id = $1 AND teacher_id = $2)",
    )
    .bind(tenant)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The names of the groups a teacher teaches.
#[tracing::instrument(skip(tx))]
pub async fn groups_of_teacher(
    tx: &mut Tx,
    tenant: TenantId,
    teacher: i64,
) -> Result<Vec<String>, DbError> {
    sqlx::query(
        "SELECT g.name FROM group_teachers gt \
         JOIN study_groups g ON g.tenant_id = gt.tenant_id AND g.id = gt.group_id \
         WHERE gt.tenant_id = $1 AND gt.teacher_id = $2 ORDER BY g.name, g.id",
    )
    .bind(tenant)
    .bind(teacher)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| Ok(r.try_get(0)?))
    .collect()
}

#[tracing::instrument(skip(tx))]
pub async fn delete_teacher(tx: &mut Tx, tenant: TenantId, id: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM teachers WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
