//! The published reviews of a program as the public sees them: on its page, in the API and
//! in the static copy. Writing and moderating them is the `reviews` capability's; what is
//! public is the catalog's, like the programs the organizations write.

use chrono_tz::Tz;
use poem_openapi::Object;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

use crate::db::{Db, DbError};
use crate::domain::plural;
use crate::tenant_id::TenantId;
use crate::time::day_in;

use super::store;

/// Statuses of a review, as stored.
pub const PUBLISHED: &str = "published";

/// A published review: the parent's first name and the child's age, never the surname.
#[derive(Debug, Clone, Serialize, Deserialize, Object)]
pub struct ReviewView {
    pub id: i64,
    /// 1–5.
    pub stars: u8,
    pub body: String,
    /// The parent's first name.
    pub author: String,
    /// The child's age when the review was written.
    pub child_age: u8,
    /// «Анна, ребёнку 9 лет».
    pub signed: String,
    /// ДД.ММ.ГГГГ in the region's time zone.
    pub date: String,
    /// The organization's public answer.
    #[oai(nullable)]
    pub answer: Option<String>,
    #[oai(nullable)]
    pub answer_date: Option<String>,
}

/// «ребёнку 9 лет».
pub fn child_age_text(age: u8) -> String {
    format!(
        "ребёнку {age} {}",
        plural(u64::from(age), "год", "года", "лет")
    )
}

/// How many published reviews `program` has.
#[tracing::instrument(skip(db))]
pub async fn count(db: &Db, tenant: TenantId, program: i64) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM reviews WHERE tenant_id = $1 AND program_id = $2 AND status = $3",
    )
    .bind(tenant)
    .bind(program)
    .bind(PUBLISHED)
    .fetch_one(db.pool())
    .await?)
}

/// The newest `limit` published reviews of `program`, skipping `offset`.
#[tracing::instrument(skip(db))]
pub async fn latest(
    db: &Db,
    tenant: TenantId,
    zone: Tz,
    program: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<ReviewView>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM reviews WHERE tenant_id = $1 AND program_id = $2 \
             AND status = $3 ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5"
    ))
    .bind(tenant)
    .bind(program)
    .bind(PUBLISHED)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| view_from(r, zone)).collect()
}

const COLUMNS: &str = "id, program_id, stars, body, author_name, child_age, created_at, answer, \
    answered_at";

fn view_from(r: &AnyRow, zone: Tz) -> Result<ReviewView, DbError> {
    let author: String = r.try_get("author_name")?;
    let child_age = r.try_get::<i64, _>("child_age")? as u8;
    let answered: Option<String> = r.try_get("answered_at")?;
    Ok(ReviewView {
        id: r.try_get("id")?,
        stars: r.try_get::<i64, _>("stars")? as u8,
        body: r.try_get("body")?,
        signed: format!("{author}, {}", child_age_text(child_age)),
        author,
        child_age,
        date: day_in(&r.try_get::<String, _>("created_at")?, zone),
        answer: r.try_get("answer")?,
        answer_date: answered.map(|a| day_in(&a, zone)),
    })
}

/// The newest `per_program` published reviews of each program of the region that has
/// any (of `ids` only, when given), for the static copy's pages.
#[tracing::instrument(skip(db, ids))]
pub async fn published_by_program(
    db: &Db,
    tenant: TenantId,
    zone: Tz,
    ids: Option<&[i64]>,
    per_program: usize,
) -> Result<HashMap<i64, Vec<ReviewView>>, DbError> {
    let mut by_program: HashMap<i64, Vec<ReviewView>> = HashMap::new();
    for chunk in store::id_chunks(ids) {
        let (filter, bound) = store::in_list("program_id", chunk, 3);
        let limit = 3 + bound.len();
        // Numbered within their program, so only the shown ones leave the database.
        let text = format!(
            "SELECT {COLUMNS} FROM (SELECT {COLUMNS}, ROW_NUMBER() OVER (PARTITION BY \
             program_id ORDER BY created_at DESC, id DESC) AS place FROM reviews \
             WHERE tenant_id = $1 AND status = $2{filter}) AS numbered WHERE place <= ${limit} \
             ORDER BY program_id, place"
        );
        let mut query = sqlx::query(&text).bind(tenant).bind(PUBLISHED);
        for id in bound {
            query = query.bind(*id);
        }
        query = query.bind(per_program as i64);
        for r in &query.fetch_all(db.pool()).await? {
            let view = view_from(r, zone)?;
            by_program
                .entry(r.try_get("program_id")?)
                .or_default()
                .push(view);
        }
    }
    Ok(by_program)
}
