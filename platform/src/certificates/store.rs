//! Queries on certificates, financing periods, balances and the ledger. Every function
//! takes the tenant first; every money change is a conditional update plus a ledger row
//! in the caller's transaction.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{next_ids, Db, DbError, Tx};
use crate::tenant_id::TenantId;
use crate::time::to_db;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A сертификат учёта whose child's data is not confirmed yet.
    Issued,
    /// The data was checked against documents at an authorized organization.
    Confirmed,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Issued => "issued",
            Status::Confirmed => "confirmed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Certificate {
    pub id: i64,
    pub number: String,
    pub child_id: i64,
    pub parent_id: i64,
    pub municipality_id: String,
    pub status: Status,
    pub rejection: Option<String>,
    pub created_at: String,
}

const COLUMNS: &str =
    "c.id, c.number, c.child_id, c.parent_id, c.municipality_id, c.status, c.rejection, c.created_at";

fn certificate(row: &AnyRow) -> Result<Certificate, DbError> {
    let status: String = row.try_get("status")?;
    Ok(Certificate {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        child_id: row.try_get("child_id")?,
        parent_id: row.try_get("parent_id")?,
        municipality_id: row.try_get("municipality_id")?,
        status: if status == "confirmed" {
            Status::Confirmed
        } else {
            Status::Issued
        },
        rejection: row.try_get("rejection")?,
        created_at: row.try_get("created_at")?,
    })
}

/// The certificates of a parent's children.
pub async fn of_parent(
    db: &Db,
    tenant: TenantId,
    parent: i64,
) -> Result<Vec<Certificate>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM certificates c WHERE c.tenant_id = $1 AND c.parent_id = $2"
    ))
    .bind(tenant)
    .bind(parent)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(certificate).collect()
}

pub async fn by_id(db: &Db, tenant: TenantId, id: i64) -> Result<Option<Certificate>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM certificates c WHERE c.tenant_id = $1 AND c.id = $2"
    ))
    .bind(tenant)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(certificate).transpose()
}

/// Issues the next number of the region to a child; `None` if the child has one already
/// (the unique key decides under concurrency).
#[allow(clippy::too_many_arguments)]
pub async fn issue(
    tx: &mut Tx,
    tenant: TenantId,
    region_code: u8,
    child: i64,
    parent: i64,
    municipality: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbError> {
    let exists =
        sqlx::query("SELECT COUNT(*) FROM certificates WHERE tenant_id = $1 AND child_id = $2")
            .bind(tenant)
            .bind(child)
            .fetch_one(&mut **tx)
            .await?
            .try_get::<i64, _>(0)?;
    if exists > 0 {
        return Ok(None);
    }
    let id = next_ids(tx, tenant, "certificates", 1).await?;
    let number = super::number::CertificateNumber::new(region_code, id).ok_or_else(|| {
        DbError::Query(sqlx::Error::Protocol(
            "certificate numbers of the region are exhausted".into(),
        ))
    })?;
    let inserted = sqlx::query(
        "INSERT INTO certificates (tenant_id, id, number, child_id, parent_id, municipality_id, \
         status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (tenant_id, child_id) DO NOTHING",
    )
    .bind(tenant)
    .bind(id)
    .bind(number.as_str())
    .bind(child)
    .bind(parent)
    .bind(municipality)
    .bind(Status::Issued.as_str())
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    // A concurrent request issued one first: that one stands (its number is skipped).
    Ok((inserted.rows_affected() == 1).then_some(id))
}

/// What staff see to check against documents: the certificate, the child, the parent.
#[derive(Debug, Clone)]
pub struct StaffView {
    pub certificate: Certificate,
    pub child_last_name: String,
    pub child_first_name: String,
    pub child_middle_name: Option<String>,
    pub birth_date: String,
    pub sex: String,
    pub snils: Option<String>,
    pub parent_name: String,
    pub parent_phone: Option<String>,
    pub parent_email: String,
}

const STAFF_COLUMNS: &str = "c.id, c.number, c.child_id, c.parent_id, c.municipality_id, \
     c.status, c.rejection, c.created_at, ch.last_name AS child_last, ch.first_name AS child_first, \
     ch.middle_name AS child_middle, ch.birth_date, ch.sex, ch.snils, u.last_name AS p_last, \
     u.first_name AS p_first, u.middle_name AS p_middle, u.phone, u.email";

fn staff_view(row: &AnyRow) -> Result<StaffView, DbError> {
    let middle: Option<String> = row.try_get("p_middle")?;
    let parent_name = [
        Some(row.try_get::<String, _>("p_last")?),
        Some(row.try_get::<String, _>("p_first")?),
        middle,
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    Ok(StaffView {
        certificate: certificate(row)?,
        child_last_name: row.try_get("child_last")?,
        child_first_name: row.try_get("child_first")?,
        child_middle_name: row.try_get("child_middle")?,
        birth_date: row.try_get("birth_date")?,
        sex: row.try_get("sex")?,
        snils: row.try_get("snils")?,
        parent_name,
        parent_phone: row.try_get("phone")?,
        parent_email: row.try_get("email")?,
    })
}

const STAFF_FROM: &str = "FROM certificates c \
     JOIN children ch ON ch.tenant_id = c.tenant_id AND ch.id = c.child_id \
     JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.parent_id";

/// Certificates of one municipality by number, or by the child's name and birth date.
pub async fn find_for_staff(
    db: &Db,
    tenant: TenantId,
    municipality: &str,
    number: Option<&str>,
    name_and_birth: Option<(&str, &str, &str)>,
) -> Result<Vec<StaffView>, DbError> {
    let rows = match (number, name_and_birth) {
        (Some(number), _) => {
            sqlx::query(&format!(
                "SELECT {STAFF_COLUMNS} {STAFF_FROM} WHERE c.tenant_id = $1 \
                 AND c.municipality_id = $2 AND c.number = $3"
            ))
            .bind(tenant)
            .bind(municipality)
            .bind(number)
            .fetch_all(db.pool())
            .await?
        }
        (None, Some((last, first, birth))) => {
            // Names are compared in Rust: SQLite's LOWER() folds only ASCII, and Cyrillic
            // names must match in any case. Birth date and municipality narrow it enough.
            let rows = sqlx::query(&format!(
                "SELECT {STAFF_COLUMNS} {STAFF_FROM} WHERE c.tenant_id = $1 \
                 AND c.municipality_id = $2 AND ch.birth_date = $3 ORDER BY c.id LIMIT 500"
            ))
            .bind(tenant)
            .bind(municipality)
            .bind(birth)
            .fetch_all(db.pool())
            .await?;
            let same = |a: &str, b: &str| a.trim().to_lowercase() == b.trim().to_lowercase();
            return rows
                .iter()
                .map(staff_view)
                .filter(|v| {
                    v.as_ref().map_or(true, |v| {
                        same(&v.child_last_name, last) && same(&v.child_first_name, first)
                    })
                })
                .take(20)
                .collect();
        }
        (None, None) => Vec::new(),
    };
    rows.iter().map(staff_view).collect()
}

pub async fn staff_view_by_id(
    db: &Db,
    tenant: TenantId,
    id: i64,
) -> Result<Option<StaffView>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {STAFF_COLUMNS} {STAFF_FROM} WHERE c.tenant_id = $1 AND c.id = $2"
    ))
    .bind(tenant)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(staff_view).transpose()
}

/// Marks the data confirmed; `false` if it was confirmed already. Marks (and so locks) the
/// child's row first, as a parent's edit locks it, so an edit and a confirmation never
/// interleave, and the children's rules see the data as checked.
pub async fn set_confirmed(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    actor: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    mark_child_confirmed(tx, tenant, id, now).await?;
    let updated = sqlx::query(
        "UPDATE certificates SET status = $3, rejection = NULL, confirmed_by = $4, \
         confirmed_at = $5 WHERE tenant_id = $1 AND id = $2 AND status = $6",
    )
    .bind(tenant)
    .bind(id)
    .bind(Status::Confirmed.as_str())
    .bind(actor)
    .bind(to_db(now))
    .bind(Status::Issued.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

async fn mark_child_confirmed(
    tx: &mut Tx,
    tenant: TenantId,
    certificate: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE children SET data_confirmed_at = COALESCE(data_confirmed_at, $3) \
         WHERE tenant_id = $1 \
         AND id = (SELECT child_id FROM certificates WHERE tenant_id = $1 AND id = $2)",
    )
    .bind(tenant)
    .bind(certificate)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records why the data was not confirmed; `false` if it was confirmed meanwhile.
pub async fn set_rejected(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    reason: &str,
) -> Result<bool, DbError> {
    let updated = sqlx::query(
        "UPDATE certificates SET rejection = $3 WHERE tenant_id = $1 AND id = $2 AND status = $4",
    )
    .bind(tenant)
    .bind(id)
    .bind(reason)
    .bind(Status::Issued.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub nominal: i64,
    pub budget: i64,
    pub granted: i64,
}

pub async fn period(
    db: &Db,
    tenant: TenantId,
    municipality: &str,
    year: i64,
) -> Result<Option<Period>, DbError> {
    let row = sqlx::query(
        "SELECT nominal, budget, granted FROM financing_periods \
         WHERE tenant_id = $1 AND municipality_id = $2 AND period = $3",
    )
    .bind(tenant)
    .bind(municipality)
    .bind(year)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| {
        Ok(Period {
            nominal: r.try_get("nominal")?,
            budget: r.try_get("budget")?,
            granted: r.try_get("granted")?,
        })
    })
    .transpose()
}

/// Creates the period with the given defaults unless it exists.
pub async fn ensure_period(
    tx: &mut Tx,
    tenant: TenantId,
    municipality: &str,
    year: i64,
    defaults: (i64, i64),
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO financing_periods (tenant_id, municipality_id, period, nominal, budget, \
         granted, updated_at) VALUES ($1, $2, $3, $4, $5, 0, $6) \
         ON CONFLICT (tenant_id, municipality_id, period) DO NOTHING",
    )
    .bind(tenant)
    .bind(municipality)
    .bind(year)
    .bind(defaults.0)
    .bind(defaults.1)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Sets nominal and budget; `false` when the budget would fall below what is granted.
pub async fn set_period(
    tx: &mut Tx,
    tenant: TenantId,
    municipality: &str,
    year: i64,
    nominal: i64,
    budget: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let updated = sqlx::query(
        "UPDATE financing_periods SET nominal = $4, budget = $5, updated_at = $6 \
         WHERE tenant_id = $1 AND municipality_id = $2 AND period = $3 AND granted <= $5",
    )
    .bind(tenant)
    .bind(municipality)
    .bind(year)
    .bind(nominal)
    .bind(budget)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Takes `amount` from the municipality's budget of the period, if it has room. One
/// conditional update: of concurrent grants, only those that fit succeed.
pub async fn grant(
    tx: &mut Tx,
    tenant: TenantId,
    municipality: &str,
    year: i64,
    amount: i64,
) -> Result<bool, DbError> {
    let updated = sqlx::query(
        "UPDATE financing_periods SET granted = granted + $4 \
         WHERE tenant_id = $1 AND municipality_id = $2 AND period = $3 \
         AND granted + $4 <= budget",
    )
    .bind(tenant)
    .bind(municipality)
    .bind(year)
    .bind(amount)
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Balance {
    pub credited: i64,
    pub committed: i64,
    pub spent: i64,
}

impl Balance {
    pub fn available(&self) -> i64 {
        self.credited - self.committed - self.spent
    }
}

pub async fn balance(
    db: &Db,
    tenant: TenantId,
    certificate: i64,
    year: i64,
) -> Result<Option<Balance>, DbError> {
    let row = sqlx::query(
        "SELECT credited, committed, spent FROM certificate_balances \
         WHERE tenant_id = $1 AND certificate_id = $2 AND period = $3",
    )
    .bind(tenant)
    .bind(certificate)
    .bind(year)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| {
        Ok(Balance {
            credited: r.try_get("credited")?,
            committed: r.try_get("committed")?,
            spent: r.try_get("spent")?,
        })
    })
    .transpose()
}

/// A movement of money on a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// The nominal of a period, granted on application.
    Credit,
    /// Reserved for a contract: no longer available, not spent yet.
    Commit,
    /// A reservation given back (a contract ended early).
    Release,
    /// Paid to an organization.
    Debit,
}

impl Movement {
    pub fn as_str(self) -> &'static str {
        match self {
            Movement::Credit => "credit",
            Movement::Commit => "commit",
            Movement::Release => "release",
            Movement::Debit => "debit",
        }
    }

    pub fn label(kind: &str) -> &'static str {
        match kind {
            "credit" => "Зачисление",
            "commit" => "Резерв по договору",
            "release" => "Возврат резерва",
            "debit" => "Списание",
            _ => "Операция",
        }
    }
}

/// Applies a movement to the balance and appends it to the ledger; `false` (nothing
/// changed) when it would take the available balance below zero.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    tx: &mut Tx,
    tenant: TenantId,
    certificate: i64,
    year: i64,
    movement: Movement,
    amount: i64,
    reason: &str,
    actor: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    if amount <= 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO certificate_balances (tenant_id, certificate_id, period) VALUES ($1, $2, $3) \
         ON CONFLICT (tenant_id, certificate_id, period) DO NOTHING",
    )
    .bind(tenant)
    .bind(certificate)
    .bind(year)
    .execute(&mut **tx)
    .await?;
    // Each statement re-checks the balance on the row it changes: two concurrent debits of
    // the last roubles cannot both match.
    let sql = match movement {
        // A period's nominal is credited once: of two concurrent applications, one matches.
        Movement::Credit => {
            "UPDATE certificate_balances SET credited = credited + $4 \
             WHERE tenant_id = $1 AND certificate_id = $2 AND period = $3 AND credited = 0"
        }
        Movement::Commit => {
            "UPDATE certificate_balances SET committed = committed + $4 \
             WHERE tenant_id = $1 AND certificate_id = $2 AND period = $3 \
             AND credited - committed - spent >= $4"
        }
        Movement::Release => {
            "UPDATE certificate_balances SET committed = committed - $4 \
             WHERE tenant_id = $1 AND certificate_id = $2 AND period = $3 AND committed >= $4"
        }
        Movement::Debit => {
            "UPDATE certificate_balances SET spent = spent + $4 \
             WHERE tenant_id = $1 AND certificate_id = $2 AND period = $3 \
             AND credited - committed - spent >= $4"
        }
    };
    let changed = sqlx::query(sql)
        .bind(tenant)
        .bind(certificate)
        .bind(year)
        .bind(amount)
        .execute(&mut **tx)
        .await?
        .rows_affected()
        == 1;
    if !changed {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO certificate_ledger (tenant_id, certificate_id, period, kind, amount, reason, \
         actor_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(tenant)
    .bind(certificate)
    .bind(year)
    .bind(movement.as_str())
    .bind(amount)
    .bind(reason)
    .bind(actor)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

#[derive(Debug, Clone)]
pub struct LedgerRow {
    pub period: i64,
    pub kind: String,
    pub amount: i64,
    pub reason: String,
    pub created_at: String,
}

/// The certificate's history, oldest first.
pub async fn ledger(
    db: &Db,
    tenant: TenantId,
    certificate: i64,
) -> Result<Vec<LedgerRow>, DbError> {
    let rows = sqlx::query(
        "SELECT period, kind, amount, reason, created_at FROM certificate_ledger \
         WHERE tenant_id = $1 AND certificate_id = $2 ORDER BY id",
    )
    .bind(tenant)
    .bind(certificate)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LedgerRow {
                period: r.try_get("period")?,
                kind: r.try_get("kind")?,
                amount: r.try_get("amount")?,
                reason: r.try_get("reason")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// Authorizes (or stops authorizing) an organization of the municipality to confirm data,
/// and marks the organization changed (`changed_in`: the catalog's organization carries
/// it); `false` when it is not the municipality's. The caller bumps the catalog version.
pub async fn set_can_confirm(
    tx: &mut Tx,
    tenant: TenantId,
    municipality: &str,
    organization: i64,
    can: bool,
) -> Result<bool, DbError> {
    let updated = sqlx::query(
        "UPDATE organizations SET can_confirm = $4, changed_in = NULL \
         WHERE tenant_id = $1 AND municipality_id = $2 AND id = $3",
    )
    .bind(tenant)
    .bind(municipality)
    .bind(organization)
    .bind(i64::from(can))
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// One municipality's line of `certificates report`.
#[derive(Debug, Clone, Default)]
pub struct ReportLine {
    pub municipality_id: String,
    pub issued: i64,
    pub confirmed: i64,
    pub funded: i64,
    pub budget: i64,
    pub granted: i64,
}

pub async fn report(db: &Db, tenant: TenantId, year: i64) -> Result<Vec<ReportLine>, DbError> {
    let counts = sqlx::query(
        "SELECT c.municipality_id, COUNT(*) AS issued, \
         SUM(CASE WHEN c.status = 'confirmed' THEN 1 ELSE 0 END) AS confirmed, \
         SUM(CASE WHEN b.credited > 0 THEN 1 ELSE 0 END) AS funded \
         FROM certificates c LEFT JOIN certificate_balances b \
         ON b.tenant_id = c.tenant_id AND b.certificate_id = c.id AND b.period = $2 \
         WHERE c.tenant_id = $1 GROUP BY c.municipality_id",
    )
    .bind(tenant)
    .bind(year)
    .fetch_all(db.pool())
    .await?;
    let periods = sqlx::query(
        "SELECT municipality_id, budget, granted FROM financing_periods \
         WHERE tenant_id = $1 AND period = $2",
    )
    .bind(tenant)
    .bind(year)
    .fetch_all(db.pool())
    .await?;
    let mut lines: std::collections::BTreeMap<String, ReportLine> = Default::default();
    for r in counts {
        let m: String = r.try_get("municipality_id")?;
        let line = lines.entry(m.clone()).or_default();
        line.municipality_id = m;
        line.issued = r.try_get("issued")?;
        line.confirmed = r.try_get::<Option<i64>, _>("confirmed")?.unwrap_or(0);
        line.funded = r.try_get::<Option<i64>, _>("funded")?.unwrap_or(0);
    }
    for r in periods {
        let m: String = r.try_get("municipality_id")?;
        let line = lines.entry(m.clone()).or_default();
        line.municipality_id = m;
        line.budget = r.try_get("budget")?;
        line.granted = r.try_get("granted")?;
    }
    Ok(lines.into_values().collect())
}
