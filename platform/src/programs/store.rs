//! Queries of program authoring and moderation. The `programs` row is what the catalog
//! shows once it is published; until then it is the organization's working copy. An edit
//! of a published program waits in `program_revisions` (the card as JSON) until a
//! moderator publishes it. Every function takes the tenant first and filters by it.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::catalog::model::{Direction, Level, OvzKind, ProgramStatus};
use crate::catalog::model::{FinancingSet, ProgramType, StudyForm};
use crate::catalog::store::{placeholders, BATCH};
use crate::db::{next_ids, Db, DbError, Tx};
use crate::domain::Money;
use crate::tenant_id::TenantId;
use crate::time::to_db;

use super::card::Card;

/// A program as its organization and the moderators see it.
#[derive(Debug, Clone)]
pub struct Authored {
    pub id: i64,
    pub organization_id: i64,
    pub organization: String,
    pub municipality_id: String,
    pub card: Card,
    pub status: ProgramStatus,
    pub moderator_comment: Option<String>,
    pub submitted_at: Option<String>,
    pub updated_at: String,
    pub published_at: Option<String>,
    pub revision: Option<Revision>,
}

/// A pending edit of a published program.
#[derive(Debug, Clone)]
pub struct Revision {
    pub card: Card,
    /// Draft, Moderation or NeedsChanges.
    pub state: ProgramStatus,
    pub moderator_comment: Option<String>,
    pub submitted_at: Option<String>,
    pub updated_at: String,
}

impl Authored {
    /// The version the API gives out and `If-Match` checks: of what the organization
    /// edits and what moderation decided (status, revision, comments, cards).
    pub fn version(&self) -> String {
        crate::domain::version_of(&(
            &self.card,
            self.status,
            &self.moderator_comment,
            self.revision
                .as_ref()
                .map(|r| (&r.card, r.state, &r.moderator_comment)),
        ))
    }

    /// The card being worked on: the pending revision's, else the row's.
    pub fn working_card(&self) -> &Card {
        self.revision.as_ref().map_or(&self.card, |r| &r.card)
    }

    /// Where the work stands: the revision's state while one is pending, else the row's.
    pub fn working_state(&self) -> ProgramStatus {
        self.revision.as_ref().map_or(self.status, |r| r.state)
    }

    /// Where the work stands, in words: «Опубликовано · изменения на модерации».
    pub fn status_text(&self) -> String {
        match &self.revision {
            None => self.status.label().to_owned(),
            Some(r) => match r.state {
                ProgramStatus::Moderation => "Опубликовано · изменения на модерации".into(),
                ProgramStatus::NeedsChanges => "Опубликовано · изменения ожидают правки".into(),
                _ => "Опубликовано · есть неотправленные изменения".into(),
            },
        }
    }

    /// The moderator's comment on the work in hand.
    pub fn comment(&self) -> Option<&str> {
        match &self.revision {
            Some(r) => r.moderator_comment.as_deref(),
            None => self.moderator_comment.as_deref(),
        }
    }
}

fn decode(what: &str) -> DbError {
    DbError::Query(sqlx::Error::Decode(what.to_owned().into()))
}

fn codes<T>(raw: &str, parse: fn(&str) -> Option<T>) -> Result<Vec<T>, DbError> {
    raw.split(',')
        .filter(|c| !c.is_empty())
        .map(|c| parse(c).ok_or_else(|| decode(&format!("unknown code «{c}»"))))
        .collect()
}

fn code<T>(row: &AnyRow, column: &str, parse: fn(&str) -> Option<T>) -> Result<T, DbError> {
    let raw: String = row.try_get(column)?;
    parse(&raw).ok_or_else(|| decode(&format!("unknown {column} «{raw}»")))
}

const COLUMNS: &str = "p.id, p.organization_id, o.short_name AS organization, o.municipality_id, \
    p.title, p.short_title, p.announce, p.description, p.goals, p.results, p.direction, \
    p.profile_id, p.level, p.program_type, p.age_min, p.age_max, p.duration_months, p.hours, \
    p.study_form, p.ovz_kinds, p.financing, p.group_min, p.group_max, p.status, \
    p.moderator_comment, p.submitted_at, p.updated_at, p.published_at, \
    r.card AS r_card, r.state AS r_state, r.moderator_comment AS r_comment, \
    r.submitted_at AS r_submitted, r.updated_at AS r_updated";

const FROM: &str = "FROM programs p \
    JOIN organizations o ON o.tenant_id = p.tenant_id AND o.id = p.organization_id \
    LEFT JOIN program_revisions r ON r.tenant_id = p.tenant_id AND r.program_id = p.id";

fn card_from(row: &AnyRow) -> Result<Card, DbError> {
    let financing: String = row.try_get("financing")?;
    let ovz: String = row.try_get("ovz_kinds")?;
    Ok(Card {
        title: row.try_get("title")?,
        short_title: row.try_get("short_title")?,
        announce: row.try_get("announce")?,
        description: row.try_get("description")?,
        goals: row.try_get("goals")?,
        results: row.try_get("results")?,
        direction: code(row, "direction", Direction::parse)?,
        profile_id: row.try_get("profile_id")?,
        level: code(row, "level", Level::parse)?,
        program_type: code(row, "program_type", ProgramType::parse)?,
        age_min: row.try_get::<i64, _>("age_min")? as u8,
        age_max: row.try_get::<i64, _>("age_max")? as u8,
        duration_months: row.try_get("duration_months")?,
        hours: row.try_get("hours")?,
        study_form: code(row, "study_form", StudyForm::parse)?,
        ovz_kinds: codes(&ovz, OvzKind::parse)?,
        financing: FinancingSet::parse_list(&financing)
            .ok_or_else(|| decode(&format!("unknown financing «{financing}»")))?
            .items(),
        group_min: row.try_get("group_min")?,
        group_max: row.try_get("group_max")?,
    })
}

fn authored_from(row: &AnyRow) -> Result<Authored, DbError> {
    let revision = match row.try_get::<Option<String>, _>("r_card")? {
        None => None,
        Some(json) => Some(Revision {
            card: serde_json::from_str(&json).map_err(|e| decode(&e.to_string()))?,
            state: code(row, "r_state", ProgramStatus::parse)?,
            moderator_comment: row.try_get("r_comment")?,
            submitted_at: row.try_get("r_submitted")?,
            updated_at: row.try_get("r_updated")?,
        }),
    };
    Ok(Authored {
        id: row.try_get("id")?,
        organization_id: row.try_get("organization_id")?,
        organization: row.try_get("organization")?,
        municipality_id: row.try_get("municipality_id")?,
        card: card_from(row)?,
        status: code(row, "status", ProgramStatus::parse)?,
        moderator_comment: row.try_get("moderator_comment")?,
        submitted_at: row.try_get("submitted_at")?,
        updated_at: row.try_get("updated_at")?,
        published_at: row.try_get("published_at")?,
        revision,
    })
}

/// The organization's programs, newest change first.
#[tracing::instrument(skip(db))]
pub async fn of_organization(
    db: &Db,
    tenant: TenantId,
    organization: i64,
) -> Result<Vec<Authored>, DbError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} {FROM} WHERE p.tenant_id = $1 AND p.organization_id = $2 \
         ORDER BY COALESCE(r.updated_at, p.updated_at) DESC, p.id DESC"
    ))
    .bind(tenant)
    .bind(organization)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(authored_from)
    .collect()
}

/// One program of the region (the service decides who may see it).
#[tracing::instrument(skip(db))]
pub async fn get(db: &Db, tenant: TenantId, id: i64) -> Result<Option<Authored>, DbError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} {FROM} WHERE p.tenant_id = $1 AND p.id = $2"
    ))
    .bind(tenant)
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .as_ref()
    .map(authored_from)
    .transpose()
}

/// The same inside the transaction of a change.
pub async fn get_in(tx: &mut Tx, tenant: TenantId, id: i64) -> Result<Option<Authored>, DbError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} {FROM} WHERE p.tenant_id = $1 AND p.id = $2"
    ))
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .as_ref()
    .map(authored_from)
    .transpose()
}

fn ovz_codes(card: &Card) -> String {
    let codes: Vec<&str> = card.ovz_kinds.iter().map(|k| k.code()).collect();
    codes.join(",")
}

/// A new draft of the organization; returns its id.
pub async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    organization: i64,
    card: &Card,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let id = next_ids(tx, tenant, "programs", 1).await?;
    let now = to_db(now);
    sqlx::query(
        "INSERT INTO programs (tenant_id, id, organization_id, title, description, direction, \
         profile_id, level, age_min, age_max, ovz, financing, price_kopecks, duration_months, \
         hours, status, created_at, updated_at, short_title, announce, goals, results, \
         program_type, study_form, ovz_kinds, group_min, group_max) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $15, $16, $16, \
         $17, $18, $19, $20, $21, $22, $23, $24, $25)",
    )
    .bind(tenant)
    .bind(id)
    .bind(organization)
    .bind(&card.title)
    .bind(&card.description)
    .bind(card.direction.code())
    .bind(&card.profile_id)
    .bind(card.level.code())
    .bind(i64::from(card.age_min))
    .bind(i64::from(card.age_max))
    .bind(i64::from(!card.ovz_kinds.is_empty()))
    .bind(card.financing_set().encode())
    .bind(card.duration_months)
    .bind(card.hours)
    .bind(ProgramStatus::Draft.code())
    .bind(&now)
    .bind(&card.short_title)
    .bind(&card.announce)
    .bind(&card.goals)
    .bind(&card.results)
    .bind(card.program_type.code())
    .bind(card.study_form.code())
    .bind(ovz_codes(card))
    .bind(card.group_min)
    .bind(card.group_max)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// A program written whole, with its status (the demo catalog; imports later).
#[derive(Debug, Clone)]
pub struct NewProgram {
    pub id: i64,
    pub organization_id: i64,
    pub card: Card,
    pub status: ProgramStatus,
    /// The monthly price the catalog shows until the groups' prices say otherwise.
    pub monthly_price: Money,
    pub created_at: String,
}

/// Inserts programs in batches; ids come from the caller (`next_ids`).
pub async fn insert_many(
    tx: &mut Tx,
    tenant: TenantId,
    programs: &[NewProgram],
) -> Result<(), DbError> {
    const COLUMNS: usize = 29;
    for chunk in programs.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO programs (tenant_id, id, organization_id, title, description, direction, \
             profile_id, level, age_min, age_max, ovz, financing, price_kopecks, duration_months, \
             hours, status, created_at, updated_at, published_at, short_title, announce, goals, \
             results, program_type, study_form, ovz_kinds, group_min, group_max, submitted_at) \
             VALUES {}",
            placeholders(chunk.len(), COLUMNS)
        );
        let mut q = sqlx::query(&sql);
        for p in chunk {
            let c = &p.card;
            let published = (p.status == ProgramStatus::Published).then(|| p.created_at.clone());
            let submitted = (p.status == ProgramStatus::Moderation).then(|| p.created_at.clone());
            q = q
                .bind(tenant)
                .bind(p.id)
                .bind(p.organization_id)
                .bind(&c.title)
                .bind(&c.description)
                .bind(c.direction.code())
                .bind(&c.profile_id)
                .bind(c.level.code())
                .bind(i64::from(c.age_min))
                .bind(i64::from(c.age_max))
                .bind(i64::from(!c.ovz_kinds.is_empty()))
                .bind(c.financing_set().encode())
                .bind(p.monthly_price.kopecks())
                .bind(c.duration_months)
                .bind(c.hours)
                .bind(p.status.code())
                .bind(&p.created_at)
                .bind(&p.created_at)
                .bind(published)
                .bind(&c.short_title)
                .bind(&c.announce)
                .bind(&c.goals)
                .bind(&c.results)
                .bind(c.program_type.code())
                .bind(c.study_form.code())
                .bind(ovz_codes(c))
                .bind(c.group_min)
                .bind(c.group_max)
                .bind(submitted);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Writes `card` into the program's row and marks it changed for `sitegen` (the caller
/// bumps the catalog version).
pub async fn write_card(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    card: &Card,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE programs SET title = $3, description = $4, direction = $5, profile_id = $6, \
         level = $7, age_min = $8, age_max = $9, ovz = $10, financing = $11, \
         duration_months = $12, hours = $13, updated_at = $14, short_title = $15, \
         announce = $16, goals = $17, results = $18, program_type = $19, study_form = $20, \
         ovz_kinds = $21, group_min = $22, group_max = $23, changed_in = NULL \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(&card.title)
    .bind(&card.description)
    .bind(card.direction.code())
    .bind(&card.profile_id)
    .bind(card.level.code())
    .bind(i64::from(card.age_min))
    .bind(i64::from(card.age_max))
    .bind(i64::from(!card.ovz_kinds.is_empty()))
    .bind(card.financing_set().encode())
    .bind(card.duration_months)
    .bind(card.hours)
    .bind(to_db(now))
    .bind(&card.short_title)
    .bind(&card.announce)
    .bind(&card.goals)
    .bind(&card.results)
    .bind(card.program_type.code())
    .bind(card.study_form.code())
    .bind(ovz_codes(card))
    .bind(card.group_min)
    .bind(card.group_max)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves the row to `status` with the moderator's comment (or none). Publishing stamps
/// `published_at`; any move marks the row changed (it enters or leaves the catalog).
pub async fn set_status(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    status: ProgramStatus,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let now = to_db(now);
    let submitted = (status == ProgramStatus::Moderation).then_some(now.as_str());
    let published = (status == ProgramStatus::Published).then_some(now.as_str());
    sqlx::query(
        "UPDATE programs SET status = $3, moderator_comment = $4, updated_at = $5, \
         submitted_at = COALESCE($6, submitted_at), published_at = COALESCE($7, published_at), \
         changed_in = NULL WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(status.code())
    .bind(comment)
    .bind(&now)
    .bind(submitted)
    .bind(published)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Saves the pending edit of a published program in `state`.
pub async fn put_revision(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    card: &Card,
    state: ProgramStatus,
    author: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let json = serde_json::to_string(card).map_err(|e| decode(&e.to_string()))?;
    let now = to_db(now);
    sqlx::query(
        "INSERT INTO program_revisions (tenant_id, program_id, card, state, author_id, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (tenant_id, program_id) DO UPDATE SET card = excluded.card, \
         state = excluded.state, author_id = excluded.author_id, updated_at = excluded.updated_at",
    )
    .bind(tenant)
    .bind(id)
    .bind(json)
    .bind(state.code())
    .bind(author)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves the pending edit to `state` with the moderator's comment.
pub async fn set_revision_state(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    state: ProgramStatus,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let now = to_db(now);
    let submitted = (state == ProgramStatus::Moderation).then_some(now.as_str());
    sqlx::query(
        "UPDATE program_revisions SET state = $3, moderator_comment = $4, updated_at = $5, \
         submitted_at = COALESCE($6, submitted_at) WHERE tenant_id = $1 AND program_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(state.code())
    .bind(comment)
    .bind(&now)
    .bind(submitted)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn delete_revision(tx: &mut Tx, tenant: TenantId, id: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM program_revisions WHERE tenant_id = $1 AND program_id = $2")
        .bind(tenant)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The moderation queue: programs and edits waiting for a decision, oldest first, in one
/// municipality or the whole region.
#[tracing::instrument(skip(db))]
pub async fn queue(
    db: &Db,
    tenant: TenantId,
    municipality: Option<&str>,
) -> Result<Vec<Authored>, DbError> {
    let waiting = ProgramStatus::Moderation.code();
    let in_municipality = if municipality.is_some() {
        "AND o.municipality_id = $3"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE p.tenant_id = $1 \
           AND (p.status = $2 OR r.state = $2) {in_municipality} \
         ORDER BY COALESCE(r.submitted_at, p.submitted_at), p.id"
    );
    let mut query = sqlx::query(&sql).bind(tenant).bind(waiting);
    if let Some(m) = municipality {
        query = query.bind(m);
    }
    query
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(authored_from)
        .collect()
}
