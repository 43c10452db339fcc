//! The outbox table: rows written in the transaction of the change that causes a mail,
//! claimed by workers with a conditional update, marked sent or rescheduled.

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::db::{Db, DbError, Tx};
use crate::tenant_id::TenantId;
use crate::time::to_db;

/// A stored time read back (the format `to_db` writes).
fn from_db(text: &str) -> Result<DateTime<Utc>, DbError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            DbError::Query(sqlx::Error::Decode(
                format!("outbox.created_at «{text}»: {e}").into(),
            ))
        })
}

/// A mail, rendered in full, ready to be written to the outbox.
#[derive(Debug, Clone)]
pub struct Mail {
    pub tenant_id: TenantId,
    /// What caused it (`confirm_email`, `reset_password`, …), for logs and tests.
    pub kind: String,
    pub recipient: String,
    pub sender_name: String,
    pub sender: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub async fn insert(tx: &mut Tx, mail: &Mail, now: DateTime<Utc>) -> Result<(), DbError> {
    let now = to_db(now);
    sqlx::query(
        "INSERT INTO outbox (tenant_id, kind, recipient, sender_name, sender, subject, \
         body_text, body_html, created_at, due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(mail.tenant_id)
    .bind(&mail.kind)
    .bind(&mail.recipient)
    .bind(&mail.sender_name)
    .bind(&mail.sender)
    .bind(&mail.subject)
    .bind(&mail.text)
    .bind(&mail.html)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A claimed row: this worker, and no other, sends it until `claimed_until`.
#[derive(Debug)]
pub struct Claimed {
    pub id: i64,
    /// When the row was written: the message's `Date`, and part of its `Message-ID`.
    pub created_at: DateTime<Utc>,
    /// The claim's `claimed_until`: results are recorded only while the claim is ours.
    pub lease: String,
    pub attempts: i64,
    pub mail: Mail,
}

/// Claims up to `limit` due rows for `lease`. Candidates are read first, then each is
/// claimed by an update that re-checks it is still unclaimed; of two workers racing for a
/// row, exactly one update matches (PostgreSQL re-evaluates the condition on the row it
/// waited for; SQLite runs one writer at a time).
pub async fn claim(
    db: &Db,
    now: DateTime<Utc>,
    lease: std::time::Duration,
    limit: i64,
) -> Result<Vec<Claimed>, DbError> {
    let now_s = to_db(now);
    let until = to_db(now + chrono::Duration::from_std(lease).unwrap_or_default());
    let candidates = sqlx::query(
        "SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND due_at <= $1 \
         AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY due_at, id LIMIT $2",
    )
    .bind(&now_s)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    let mut claimed = Vec::new();
    for row in candidates {
        let id: i64 = row.try_get(0)?;
        let row = sqlx::query(
            "UPDATE outbox SET claimed_until = $2, attempts = attempts + 1 \
             WHERE id = $1 AND sent_at IS NULL AND failed_at IS NULL \
             AND (claimed_until IS NULL OR claimed_until < $3) \
             RETURNING attempts, created_at, tenant_id, kind, recipient, sender_name, sender, \
             subject, body_text, body_html",
        )
        .bind(id)
        .bind(&until)
        .bind(&now_s)
        .fetch_optional(db.pool())
        .await?;
        if let Some(row) = row {
            claimed.push(Claimed {
                id,
                created_at: from_db(&row.try_get::<String, _>("created_at")?)?,
                lease: until.clone(),
                attempts: row.try_get("attempts")?,
                mail: Mail {
                    tenant_id: row.try_get("tenant_id")?,
                    kind: row.try_get("kind")?,
                    recipient: row.try_get("recipient")?,
                    sender_name: row.try_get("sender_name")?,
                    sender: row.try_get("sender")?,
                    subject: row.try_get("subject")?,
                    text: row.try_get("body_text")?,
                    html: row.try_get("body_html")?,
                },
            });
        }
    }
    Ok(claimed)
}

/// Records a sent row, if the claim is still ours (a worker slower than its lease finds
/// another one's claim and leaves it alone).
pub async fn mark_sent(db: &Db, claimed: &Claimed, now: DateTime<Utc>) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE outbox SET sent_at = $3, claimed_until = NULL, last_error = NULL \
         WHERE id = $1 AND claimed_until = $2",
    )
    .bind(claimed.id)
    .bind(&claimed.lease)
    .bind(to_db(now))
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Why a row was given up on (the `failure` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GaveUp {
    /// The receiving server refused it for good (a 5xx reply).
    Rejected,
    /// It could not be made into a message (an address that does not parse).
    Invalid,
    /// Every attempt failed for a reason that might have passed (`MAX_ATTEMPTS`).
    Exhausted,
}

impl GaveUp {
    pub fn code(self) -> &'static str {
        match self {
            GaveUp::Rejected => "rejected",
            GaveUp::Invalid => "invalid",
            GaveUp::Exhausted => "exhausted",
        }
    }
}

/// Puts a failed row back for `due`, or gives up on it (`failed_at`, and why in `failure`)
/// when `give_up` says so; only while the claim is ours.
pub async fn mark_failed(
    db: &Db,
    claimed: &Claimed,
    error: &str,
    due: DateTime<Utc>,
    give_up: Option<GaveUp>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE outbox SET claimed_until = NULL, last_error = $3, due_at = $4, failed_at = $5, \
         failure = $6 WHERE id = $1 AND claimed_until = $2",
    )
    .bind(claimed.id)
    .bind(&claimed.lease)
    .bind(error)
    .bind(to_db(due))
    .bind(give_up.map(|_| to_db(now)))
    .bind(give_up.map(GaveUp::code))
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Rows not sent yet (neither sent nor given up on).
pub async fn pending(db: &Db) -> Result<i64, DbError> {
    let row =
        sqlx::query("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL")
            .fetch_one(db.pool())
            .await?;
    Ok(row.try_get(0)?)
}
