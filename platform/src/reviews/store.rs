//! The reviews' queries. Every one names the region; the moderators' and the
//! organization's lists also name the municipality or the organization.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::catalog::store::bump_version;
use crate::db::{next_ids, Db, DbError, Tx};
use crate::tenant_id::TenantId;

/// Where a review is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for a moderator (pre-moderation).
    Pending,
    Published,
    /// Refused by a moderator before it appeared.
    Rejected,
    /// Taken down by a moderator after it appeared.
    Hidden,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Published => crate::catalog::reviews::PUBLISHED,
            Status::Rejected => "rejected",
            Status::Hidden => "hidden",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [
            Status::Pending,
            Status::Published,
            Status::Rejected,
            Status::Hidden,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Pending => "На модерации",
            Status::Published => "Опубликован",
            Status::Rejected => "Отклонён",
            Status::Hidden => "Скрыт",
        }
    }
}

/// A child of the parent who was enrolled in a group of the program.
#[derive(Debug, Clone)]
pub struct Enrolled {
    pub child_id: i64,
    pub first_name: String,
    pub birth_date: String,
    /// A review for this child and program exists (in any status).
    pub reviewed: bool,
}

/// The parent's children ever enrolled in a group of `program` (now or before: an
/// application enrolled, or one whose history has an enrollment).
#[tracing::instrument(skip(db))]
pub async fn enrolled_children(
    db: &Db,
    tenant: TenantId,
    parent: i64,
    program: i64,
) -> Result<Vec<Enrolled>, DbError> {
    let rows = sqlx::query(
        "SELECT c.id, c.first_name, c.birth_date, \
         (SELECT COUNT(*) FROM reviews r WHERE r.tenant_id = $1 AND r.program_id = $3 \
          AND r.child_id = c.id) AS reviewed \
         FROM children c WHERE c.tenant_id = $1 AND c.parent_id = $2 AND EXISTS ( \
           SELECT 1 FROM applications a WHERE a.tenant_id = $1 AND a.child_id = c.id \
           AND a.program_id = $3 AND (a.status = 'enrolled' OR EXISTS ( \
             SELECT 1 FROM application_events e WHERE e.tenant_id = $1 \
             AND e.application_id = a.id AND e.status = 'enrolled'))) \
         ORDER BY c.id",
    )
    .bind(tenant)
    .bind(parent)
    .bind(program)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Enrolled {
                child_id: r.try_get("id")?,
                first_name: r.try_get("first_name")?,
                birth_date: r.try_get("birth_date")?,
                reviewed: r.try_get::<i64, _>("reviewed")? > 0,
            })
        })
        .collect()
}

/// A review as it is written.
pub struct NewReview<'a> {
    pub program_id: i64,
    pub child_id: i64,
    pub author_id: i64,
    pub stars: u8,
    pub body: &'a str,
    pub author_name: &'a str,
    pub child_age: u8,
    pub status: Status,
    pub at: &'a str,
}

/// Writes a review; `None` when this child's review of the program exists already (two
/// submissions at once: the unique index decides).
pub async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    r: &NewReview<'_>,
) -> Result<Option<i64>, DbError> {
    let id = next_ids(tx, tenant, "reviews", 1).await?;
    let done = sqlx::query(
        "INSERT INTO reviews (tenant_id, id, program_id, child_id, author_id, stars, body, \
         author_name, child_age, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (tenant_id, program_id, child_id) DO NOTHING",
    )
    .bind(tenant)
    .bind(id)
    .bind(r.program_id)
    .bind(r.child_id)
    .bind(r.author_id)
    .bind(i64::from(r.stars))
    .bind(r.body)
    .bind(r.author_name)
    .bind(i64::from(r.child_age))
    .bind(r.status.code())
    .bind(r.at)
    .execute(&mut **tx)
    .await?;
    Ok((done.rows_affected() == 1).then_some(id))
}

/// Counts the program's published reviews into its row and marks it changed, then bumps
/// the region's catalog version: the index, the cached results and `sitegen` follow.
pub async fn recount(tx: &mut Tx, tenant: TenantId, program: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE programs SET \
         rating_count = (SELECT COUNT(*) FROM reviews WHERE tenant_id = $1 AND program_id = $2 \
           AND status = $3), \
         rating_sum = (SELECT COALESCE(SUM(stars), 0) FROM reviews WHERE tenant_id = $1 \
           AND program_id = $2 AND status = $3), \
         changed_in = NULL WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(program)
    .bind(Status::Published.code())
    .execute(&mut **tx)
    .await?;
    bump_version(tx, tenant).await?;
    Ok(())
}

/// A review as its moderators and its organization see it.
#[derive(Debug, Clone)]
pub struct StaffReview {
    pub id: i64,
    pub program_id: i64,
    pub program_title: String,
    pub organization_id: i64,
    pub organization: String,
    pub municipality_id: String,
    pub stars: u8,
    pub body: String,
    pub author_name: String,
    pub child_age: u8,
    pub status: Status,
    pub reason: Option<String>,
    pub answer: Option<String>,
    pub answered_at: Option<String>,
    pub created_at: String,
}

const STAFF_COLUMNS: &str = "r.id, r.program_id, p.title, p.organization_id, o.short_name, \
    o.municipality_id, r.stars, r.body, r.author_name, r.child_age, r.status, r.reason, \
    r.answer, r.answered_at, r.created_at";
const STAFF_FROM: &str = "reviews r \
    JOIN programs p ON p.tenant_id = r.tenant_id AND p.id = r.program_id \
    JOIN organizations o ON o.tenant_id = p.tenant_id AND o.id = p.organization_id";

fn staff_from(r: &AnyRow) -> Result<StaffReview, DbError> {
    let status: String = r.try_get("status")?;
    Ok(StaffReview {
        id: r.try_get("id")?,
        program_id: r.try_get("program_id")?,
        program_title: r.try_get("title")?,
        organization_id: r.try_get("organization_id")?,
        organization: r.try_get("short_name")?,
        municipality_id: r.try_get("municipality_id")?,
        stars: r.try_get::<i64, _>("stars")? as u8,
        body: r.try_get("body")?,
        author_name: r.try_get("author_name")?,
        child_age: r.try_get::<i64, _>("child_age")? as u8,
        status: Status::parse(&status).ok_or_else(|| {
            DbError::Query(sqlx::Error::Decode(
                format!("reviews.status «{status}»").into(),
            ))
        })?,
        reason: r.try_get("reason")?,
        answer: r.try_get("answer")?,
        answered_at: r.try_get("answered_at")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn by_id(db: &Db, tenant: TenantId, id: i64) -> Result<Option<StaffReview>, DbError> {
    sqlx::query(&format!(
        "SELECT {STAFF_COLUMNS} FROM {STAFF_FROM} WHERE r.tenant_id = $1 AND r.id = $2"
    ))
    .bind(tenant)
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .as_ref()
    .map(staff_from)
    .transpose()
}

/// What a moderator's list holds, newest first: reviews in `statuses`, of one municipality's
/// organizations or (`None`) the whole region's. At most `limit`.
pub async fn for_moderators(
    db: &Db,
    tenant: TenantId,
    municipality: Option<&str>,
    statuses: &[Status],
    limit: i64,
) -> Result<Vec<StaffReview>, DbError> {
    let wanted: Vec<String> = (0..statuses.len()).map(|i| format!("${}", i + 4)).collect();
    let text = format!(
        "SELECT {STAFF_COLUMNS} FROM {STAFF_FROM} WHERE r.tenant_id = $1 \
         AND ($2 = '' OR o.municipality_id = $2) AND r.status IN ({}) \
         ORDER BY r.created_at DESC, r.id DESC LIMIT $3",
        wanted.join(", ")
    );
    let mut query = sqlx::query(&text)
        .bind(tenant)
        .bind(municipality.unwrap_or(""))
        .bind(limit);
    for s in statuses {
        query = query.bind(s.code());
    }
    query
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(staff_from)
        .collect()
}

/// Every review of the organization's programs, newest first, at most `limit`.
pub async fn of_organization(
    db: &Db,
    tenant: TenantId,
    organization: i64,
    limit: i64,
) -> Result<Vec<StaffReview>, DbError> {
    sqlx::query(&format!(
        "SELECT {STAFF_COLUMNS} FROM {STAFF_FROM} WHERE r.tenant_id = $1 \
         AND p.organization_id = $2 ORDER BY r.created_at DESC, r.id DESC LIMIT $3"
    ))
    .bind(tenant)
    .bind(organization)
    .bind(limit)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(staff_from)
    .collect()
}

/// Moves a review from `from` to `to` with the moderator's reason; false when it is not in
/// `from` any more (another moderator was first).
#[allow(clippy::too_many_arguments)]
pub async fn moderate(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    from: Status,
    to: Status,
    reason: Option<&str>,
    moderator: i64,
    at: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE reviews SET status = $4, reason = $5, moderated_by = $6, moderated_at = $7 \
         WHERE tenant_id = $1 AND id = $2 AND status = $3",
    )
    .bind(tenant)
    .bind(id)
    .bind(from.code())
    .bind(to.code())
    .bind(reason)
    .bind(moderator)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The organization's one answer; false when the review has one already.
pub async fn answer(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    text: &str,
    staff: i64,
    at: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE reviews SET answer = $3, answered_by = $4, answered_at = $5 \
         WHERE tenant_id = $1 AND id = $2 AND answer IS NULL",
    )
    .bind(tenant)
    .bind(id)
    .bind(text)
    .bind(staff)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
