//! The aggregate queries of the dashboards. Each takes the tenant first and the scope's
//! municipality, and returns counts, never a person: the rows are grouped before they
//! leave the database. Sums are cast to BIGINT, because PostgreSQL sums a BIGINT column
//! as NUMERIC.
//!
//! Whose municipality a figure is in: a child's is the parent's (where the family lives,
//! which the child population counts), an application's and a seat's the organization's
//! (where the offer is), a certificate's its own (the budget it is paid from).

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{Db, DbError};
use crate::tenant_id::TenantId;

/// The bounds of a period as the queries compare them: stored times (`starts <= t <
/// ends`) and dates (`YYYY-MM-DD`, inclusive).
#[derive(Debug, Clone)]
pub struct Bounds {
    pub starts: String,
    pub ends: String,
    pub first_day: String,
    pub last_day: String,
}

/// A query with an optional `AND <column> = $n` for the municipality, bound in order.
struct Query {
    sql: String,
    binds: Vec<Bind>,
}

enum Bind {
    Tenant(TenantId),
    Text(String),
    Int(i64),
}

impl Query {
    fn new(tenant: TenantId) -> Self {
        Self {
            sql: String::new(),
            binds: vec![Bind::Tenant(tenant)],
        }
    }

    fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Binds a value and writes its placeholder.
    fn text(&mut self, value: &str) -> &mut Self {
        self.binds.push(Bind::Text(value.to_owned()));
        let n = self.binds.len();
        self.sql.push_str(&format!("${n}"));
        self
    }

    fn int(&mut self, value: i64) -> &mut Self {
        self.binds.push(Bind::Int(value));
        let n = self.binds.len();
        self.sql.push_str(&format!("${n}"));
        self
    }

    /// ` AND column = $n` when the scope is a municipality.
    fn municipality(&mut self, column: &str, municipality: Option<&str>) -> &mut Self {
        if let Some(m) = municipality {
            self.sql.push_str(&format!(" AND {column} = "));
            self.text(m);
        }
        self
    }

    async fn fetch(&self, db: &Db) -> Result<Vec<AnyRow>, DbError> {
        let mut q = sqlx::query(&self.sql);
        for b in &self.binds {
            q = match b {
                Bind::Tenant(t) => q.bind(*t),
                Bind::Text(s) => q.bind(s.as_str()),
                Bind::Int(n) => q.bind(*n),
            };
        }
        Ok(q.fetch_all(db.pool()).await?)
    }
}

fn int(row: &AnyRow, column: &str) -> Result<i64, DbError> {
    Ok(row.try_get::<Option<i64>, _>(column)?.unwrap_or(0))
}

fn text(row: &AnyRow, column: &str) -> Result<String, DbError> {
    Ok(row
        .try_get::<Option<String>, _>(column)?
        .unwrap_or_default())
}

// ---------------------------------------------------------------- охват

/// Children enrolled in a group whose study dates meet the period: the joins every
/// coverage query reads from, after its SELECT.
fn enrolled(q: &mut Query, b: &Bounds, municipality: Option<&str>) {
    q.push(
        " FROM applications a \
         JOIN study_groups g ON g.tenant_id = a.tenant_id AND g.id = a.group_id \
         JOIN programs p ON p.tenant_id = a.tenant_id AND p.id = a.program_id \
         JOIN children c ON c.tenant_id = a.tenant_id AND c.id = a.child_id \
         JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.parent_id \
         WHERE a.tenant_id = $1 AND a.status = 'enrolled' AND g.study_from <= ",
    )
    .text(&b.last_day)
    .push(" AND g.study_to >= ")
    .text(&b.first_day)
    .municipality("u.municipality_id", municipality);
}

/// Unique children, and those of them with ОВЗ, under one key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Covered {
    pub key: String,
    pub children: i64,
    pub ovz: i64,
}

const COVERED: &str = "COUNT(DISTINCT a.child_id) AS children, \
     COUNT(DISTINCT CASE WHEN c.ovz = 1 THEN a.child_id END) AS ovz";

fn covered(rows: Vec<AnyRow>) -> Result<Vec<Covered>, DbError> {
    rows.iter()
        .map(|r| {
            Ok(Covered {
                key: text(r, "k")?,
                children: int(r, "children")?,
                ovz: int(r, "ovz")?,
            })
        })
        .collect()
}

/// Covered children, each once, counted by the family's municipality (`""`: not given),
/// age band on a day and ОВЗ: one pass gives the municipalities, the bands and the total.
/// `born_after[i]` is that day `[5, 10, 15, 18][i]` years back, so a child born after the
/// first is under 5, after the second 5–9, and so on (dates compare as text). Bands:
/// `under5`, `5-9`, `10-14`, `15-17`, `18+`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoveredGroup {
    pub municipality: String,
    pub band: String,
    pub ovz: bool,
    pub children: i64,
}

pub async fn covered_children(
    db: &Db,
    tenant: TenantId,
    b: &Bounds,
    municipality: Option<&str>,
    born_after: [String; 4],
) -> Result<Vec<CoveredGroup>, DbError> {
    let mut q = Query::new(tenant);
    q.push(
        "SELECT m, k, ovz, COUNT(*) AS children FROM (SELECT DISTINCT a.child_id, \
         u.municipality_id AS m, c.ovz AS ovz, CASE WHEN c.birth_date > ",
    )
    .text(&born_after[0])
    .push(" THEN 'under5' WHEN c.birth_date > ")
    .text(&born_after[1])
    .push(" THEN '5-9' WHEN c.birth_date > ")
    .text(&born_after[2])
    .push(" THEN '10-14' WHEN c.birth_date > ")
    .text(&born_after[3])
    .push(" THEN '15-17' ELSE '18+' END AS k");
    enrolled(&mut q, b, municipality);
    q.push(") x GROUP BY m, k, ovz");
    q.fetch(db)
        .await?
        .iter()
        .map(|r| {
            Ok(CoveredGroup {
                municipality: text(r, "m")?,
                band: text(r, "k")?,
                ovz: int(r, "ovz")? != 0,
                children: int(r, "children")?,
            })
        })
        .collect()
}

/// Covered children by direction (a child in two directions counts in each).
pub async fn covered_by_direction(
    db: &Db,
    tenant: TenantId,
    b: &Bounds,
    municipality: Option<&str>,
) -> Result<Vec<Covered>, DbError> {
    let mut q = Query::new(tenant);
    q.push(&format!("SELECT p.direction AS k, {COVERED}"));
    enrolled(&mut q, b, municipality);
    q.push(" GROUP BY p.direction");
    covered(q.fetch(db).await?)
}

// ---------------------------------------------------------------- demand

/// Applications filed in the period to organizations of the scope, after a SELECT.
fn filed(q: &mut Query, b: &Bounds, municipality: Option<&str>) {
    // The region's figures need no join: every application of the tenant is in scope.
    q.push(" FROM applications a");
    if municipality.is_some() {
        q.push(" JOIN organizations o ON o.tenant_id = a.tenant_id AND o.id = a.organization_id");
    }
    q.push(" WHERE a.tenant_id = $1 AND a.created_at >= ")
        .text(&b.starts)
        .push(" AND a.created_at < ")
        .text(&b.ends)
        .municipality("o.municipality_id", municipality);
}

/// `SELECT select` over the applications filed in the period.
fn filed_query(tenant: TenantId, select: &str, b: &Bounds, municipality: Option<&str>) -> Query {
    let mut q = Query::new(tenant);
    q.push("SELECT ").push(select);
    filed(&mut q, b, municipality);
    q
}

/// The offer: groups of published programs, not archived, whose study meets the period.
fn offered(q: &mut Query, b: &Bounds, municipality: Option<&str>) {
    q.push(
        " FROM study_groups g \
         JOIN programs p ON p.tenant_id = g.tenant_id AND p.id = g.program_id \
         JOIN organizations o ON o.tenant_id = g.tenant_id AND o.id = p.organization_id \
         WHERE g.tenant_id = $1 AND p.status = 'published' AND g.status <> 'archived' \
         AND g.study_from <= ",
    )
    .text(&b.last_day)
    .push(" AND g.study_to >= ")
    .text(&b.first_day)
    .municipality("o.municipality_id", municipality);
}

const COUNTED: &str = "COUNT(*) AS applications, \
     SUM(CASE WHEN a.status = 'waitlisted' THEN 1 ELSE 0 END) AS waitlisted";

/// Applications, the waitlisted among them, and seats, under one key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Demand {
    pub applications: i64,
    pub waitlisted: i64,
    pub seats: i64,
}

/// A program's line of the demand tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgramDemand {
    pub program_id: i64,
    pub title: String,
    pub organization: String,
    pub direction: String,
    pub applications: i64,
    pub waitlisted: i64,
    pub seats: i64,
}

/// A program's applications filed in the period and the waitlisted among them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filed {
    pub applications: i64,
    pub waitlisted: i64,
}

/// Applications of the period by program: one pass over the applications, which the
/// direction totals and every ranking are read from.
pub async fn filed_by_program(
    db: &Db,
    tenant: TenantId,
    b: &Bounds,
    municipality: Option<&str>,
) -> Result<Vec<(i64, Filed)>, DbError> {
    let mut q = Query::new(tenant);
    q.push("SELECT a.program_id, ").push(COUNTED);
    filed(&mut q, b, municipality);
    q.push(" GROUP BY a.program_id");
    q.fetch(db)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("program_id")?,
                Filed {
                    applications: int(r, "applications")?,
                    waitlisted: int(r, "waitlisted")?,
                },
            ))
        })
        .collect()
}

/// Every program of the scope with its direction and the seats it offers in the period
/// (0 outside the offer).
pub async fn program_seats(
    db: &Db,
    tenant: TenantId,
    b: &Bounds,
    municipality: Option<&str>,
) -> Result<Vec<(i64, String, i64)>, DbError> {
    let mut q = Query::new(tenant);
    q.push(
        // The region is named in the join too: the statement is built in pieces, and each
        // piece is checked on its own for naming it (platform/tests/tenant_sql.rs).
        "SELECT p.id, p.direction, COALESCE(s.seats, 0) AS seats FROM programs p \
         JOIN organizations o ON o.tenant_id = p.tenant_id AND o.id = p.organization_id \
         AND p.tenant_id = $1 \
         LEFT JOIN (SELECT g.program_id, CAST(SUM(g.capacity) AS BIGINT) AS seats",
    );
    offered(&mut q, b, municipality);
    q.push(" GROUP BY g.program_id) s ON s.program_id = p.id WHERE p.tenant_id = $1")
        .municipality("o.municipality_id", municipality);
    q.fetch(db)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, text(r, "direction")?, int(r, "seats")?)))
        .collect()
}

/// Titles and organizations of a few programs (those a ranking shows).
pub async fn program_names(
    db: &Db,
    tenant: TenantId,
    ids: &[i64],
) -> Result<Vec<(i64, String, String)>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Numbers only: written into the statement, not bound one by one.
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let mut q = Query::new(tenant);
    q.push(&format!(
        "SELECT p.id, p.title, o.short_name FROM programs p \
         JOIN organizations o ON o.tenant_id = p.tenant_id AND o.id = p.organization_id \
         WHERE p.tenant_id = $1 AND p.id IN ({})",
        list.join(", ")
    ));
    q.fetch(db)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, text(r, "title")?, text(r, "short_name")?)))
        .collect()
}

/// The organizations' reasons for «Отклонена», the most frequent first.
pub async fn refusals(
    db: &Db,
    tenant: TenantId,
    b: &Bounds,
    municipality: Option<&str>,
    limit: i64,
) -> Result<Vec<(String, i64)>, DbError> {
    let mut q = filed_query(tenant, "a.comment AS k, COUNT(*) AS n", b, municipality);
    q.push(" AND a.status = 'rejected' GROUP BY a.comment ORDER BY n DESC, k LIMIT ")
        .int(limit);
    q.fetch(db)
        .await?
        .iter()
        .map(|r| Ok((text(r, "k")?, int(r, "n")?)))
        .collect()
}

/// (municipality, direction) pairs the offer has something in.
pub async fn offer_pairs(
    db: &Db,
    tenant: TenantId,
    b: &Bounds,
    municipality: Option<&str>,
) -> Result<Vec<(String, String)>, DbError> {
    let mut q = Query::new(tenant);
    q.push("SELECT DISTINCT o.municipality_id AS m, p.direction AS d");
    offered(&mut q, b, municipality);
    q.fetch(db)
        .await?
        .iter()
        .map(|r| Ok((text(r, "m")?, text(r, "d")?)))
        .collect()
}

// ---------------------------------------------------------------- the organizations' work

/// Decisions of one organization whose wait fell in one whole hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitBucket {
    pub organization_id: i64,
    pub hour: i64,
    pub decided: i64,
    pub within_3_days: i64,
}

/// The first decisions on applications filed in the period, by organization and by the
/// whole hours the family waited: a histogram the percentiles are read from, a few
/// hundred rows per organization however many applications there are.
pub async fn waits(
    db: &Db,
    tenant: TenantId,
    b: &Bounds,
    municipality: Option<&str>,
) -> Result<Vec<WaitBucket>, DbError> {
    let mut q = filed_query(
        tenant,
        "a.organization_id, a.wait_seconds / 3600 AS h, COUNT(*) AS n, \
         SUM(CASE WHEN a.wait_seconds <= 259200 THEN 1 ELSE 0 END) AS fast",
        b,
        municipality,
    );
    q.push(" AND a.decided_at IS NOT NULL GROUP BY a.organization_id, a.wait_seconds / 3600");
    q.fetch(db)
        .await?
        .iter()
        .map(|r| {
            Ok(WaitBucket {
                organization_id: r.try_get("organization_id")?,
                hour: int(r, "h")?,
                decided: int(r, "n")?,
                within_3_days: int(r, "fast")?,
            })
        })
        .collect()
}

/// Applications of the period still waiting for a decision («Новая», «В очереди»), by
/// organization.
pub async fn undecided(
    db: &Db,
    tenant: TenantId,
    b: &Bounds,
    municipality: Option<&str>,
) -> Result<Vec<(i64, i64)>, DbError> {
    let mut q = filed_query(tenant, "a.organization_id, COUNT(*) AS n", b, municipality);
    q.push(
        " AND a.decided_at IS NULL AND a.status IN ('new', 'waitlisted') \
         GROUP BY a.organization_id",
    );
    q.fetch(db)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("organization_id")?, int(r, "n")?)))
        .collect()
}

/// Published reviews written in the period, by organization: (organization, how many,
/// their stars summed). The families' judgement of quality the seeds speak of.
pub async fn review_ratings(
    db: &Db,
    tenant: TenantId,
    b: &Bounds,
    municipality: Option<&str>,
) -> Result<Vec<(i64, i64, i64)>, DbError> {
    let mut q = Query::new(tenant);
    q.push(
        "SELECT p.organization_id, COUNT(*) AS n, CAST(SUM(r.stars) AS BIGINT) AS stars \
         FROM reviews r \
         JOIN programs p ON p.tenant_id = r.tenant_id AND p.id = r.program_id \
         JOIN organizations o ON o.tenant_id = p.tenant_id AND o.id = p.organization_id \
         WHERE r.tenant_id = $1 AND r.status = 'published' AND r.created_at >= ",
    )
    .text(&b.starts)
    .push(" AND r.created_at < ")
    .text(&b.ends)
    .municipality("o.municipality_id", municipality)
    .push(" GROUP BY p.organization_id");
    q.fetch(db)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("organization_id")?,
                int(r, "n")?,
                int(r, "stars")?,
            ))
        })
        .collect()
}

/// Short names of the scope's organizations.
pub async fn organization_names(
    db: &Db,
    tenant: TenantId,
    municipality: Option<&str>,
) -> Result<Vec<(i64, String, String)>, DbError> {
    let mut q = Query::new(tenant);
    q.push("SELECT id, short_name, municipality_id FROM organizations o WHERE o.tenant_id = $1")
        .municipality("o.municipality_id", municipality);
    q.fetch(db)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                text(r, "short_name")?,
                text(r, "municipality_id")?,
            ))
        })
        .collect()
}

// ---------------------------------------------------------------- certificates and money

/// One municipality's certificates and money.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Money {
    pub municipality: String,
    pub issued: i64,
    pub confirmed: i64,
    pub funded: i64,
    /// Kopecks, over the financing periods (years) the period touches.
    pub credited: i64,
    pub committed: i64,
    pub spent: i64,
    pub contracts: i64,
    pub active_contracts: i64,
}

pub async fn money(
    db: &Db,
    tenant: TenantId,
    b: &Bounds,
    years: (i64, i64),
    municipality: Option<&str>,
) -> Result<Vec<Money>, DbError> {
    let mut lines: std::collections::BTreeMap<String, Money> = Default::default();
    fn entry(lines: &mut std::collections::BTreeMap<String, Money>, m: String) -> &mut Money {
        let l = lines.entry(m.clone()).or_default();
        l.municipality = m;
        l
    }
    let mut q = Query::new(tenant);
    q.push(
        "SELECT c.municipality_id AS m, \
         SUM(CASE WHEN c.created_at >= ",
    )
    .text(&b.starts)
    .push(" AND c.created_at < ")
    .text(&b.ends)
    .push(" THEN 1 ELSE 0 END) AS issued, SUM(CASE WHEN c.confirmed_at >= ")
    .text(&b.starts)
    .push(" AND c.confirmed_at < ")
    .text(&b.ends)
    .push(" THEN 1 ELSE 0 END) AS confirmed FROM certificates c WHERE c.tenant_id = $1")
    .municipality("c.municipality_id", municipality)
    .push(" GROUP BY c.municipality_id");
    for r in q.fetch(db).await? {
        let l = entry(&mut lines, text(&r, "m")?);
        l.issued = int(&r, "issued")?;
        l.confirmed = int(&r, "confirmed")?;
    }
    let mut q = Query::new(tenant);
    q.push(
        "SELECT c.municipality_id AS m, COUNT(DISTINCT l.certificate_id) AS n \
         FROM certificate_ledger l \
         JOIN certificates c ON c.tenant_id = l.tenant_id AND c.id = l.certificate_id \
         WHERE l.tenant_id = $1 AND l.kind = 'credit' AND l.created_at >= ",
    )
    .text(&b.starts)
    .push(" AND l.created_at < ")
    .text(&b.ends)
    .municipality("c.municipality_id", municipality)
    .push(" GROUP BY c.municipality_id");
    for r in q.fetch(db).await? {
        entry(&mut lines, text(&r, "m")?).funded = int(&r, "n")?;
    }
    let mut q = Query::new(tenant);
    q.push(
        "SELECT c.municipality_id AS m, CAST(SUM(bl.credited) AS BIGINT) AS credited, \
         CAST(SUM(bl.committed) AS BIGINT) AS committed, CAST(SUM(bl.spent) AS BIGINT) AS spent \
         FROM certificate_balances bl \
         JOIN certificates c ON c.tenant_id = bl.tenant_id AND c.id = bl.certificate_id \
         WHERE bl.tenant_id = $1 AND bl.period >= ",
    )
    .int(years.0)
    .push(" AND bl.period <= ")
    .int(years.1)
    .municipality("c.municipality_id", municipality)
    .push(" GROUP BY c.municipality_id");
    for r in q.fetch(db).await? {
        let l = entry(&mut lines, text(&r, "m")?);
        l.credited = int(&r, "credited")?;
        l.committed = int(&r, "committed")?;
        l.spent = int(&r, "spent")?;
    }
    let mut q = Query::new(tenant);
    q.push(
        "SELECT c.municipality_id AS m, COUNT(*) AS n, \
         SUM(CASE WHEN ct.status = 'active' THEN 1 ELSE 0 END) AS active FROM contracts ct \
         JOIN certificates c ON c.tenant_id = ct.tenant_id AND c.id = ct.certificate_id \
         WHERE ct.tenant_id = $1 AND ct.created_at >= ",
    )
    .text(&b.starts)
    .push(" AND ct.created_at < ")
    .text(&b.ends)
    .municipality("c.municipality_id", municipality)
    .push(" GROUP BY c.municipality_id");
    for r in q.fetch(db).await? {
        let l = entry(&mut lines, text(&r, "m")?);
        l.contracts = int(&r, "n")?;
        l.active_contracts = int(&r, "active")?;
    }
    Ok(lines.into_values().collect())
}

/// The budgets the municipalities set for the years (municipality, year, kopecks); a year
/// without a row takes the region's default (`RegionConfig::budget_rub`).
pub async fn budgets(
    db: &Db,
    tenant: TenantId,
    years: (i64, i64),
    municipality: Option<&str>,
) -> Result<Vec<(String, i64, i64)>, DbError> {
    let mut q = Query::new(tenant);
    q.push("SELECT municipality_id, period, budget FROM financing_periods WHERE tenant_id = $1 AND period >= ")
        .int(years.0)
        .push(" AND period <= ")
        .int(years.1)
        .municipality("municipality_id", municipality);
    q.fetch(db)
        .await?
        .iter()
        .map(|r| {
            Ok((
                text(r, "municipality_id")?,
                r.try_get("period")?,
                int(r, "budget")?,
            ))
        })
        .collect()
}

/// Billing by month: (`YYYY-MM`, charges, kopecks).
pub async fn billing(
    db: &Db,
    tenant: TenantId,
    months: (&str, &str),
    municipality: Option<&str>,
) -> Result<Vec<(String, i64, i64)>, DbError> {
    let mut q = Query::new(tenant);
    q.push(
        "SELECT ch.month, COUNT(*) AS n, CAST(SUM(ch.amount) AS BIGINT) AS amount \
         FROM contract_charges ch \
         JOIN contracts ct ON ct.tenant_id = ch.tenant_id AND ct.id = ch.contract_id \
         JOIN certificates c ON c.tenant_id = ch.tenant_id AND c.id = ct.certificate_id \
         WHERE ch.tenant_id = $1 AND ch.month >= ",
    )
    .text(months.0)
    .push(" AND ch.month <= ")
    .text(months.1)
    .municipality("c.municipality_id", municipality)
    .push(" GROUP BY ch.month ORDER BY ch.month");
    q.fetch(db)
        .await?
        .iter()
        .map(|r| Ok((text(r, "month")?, int(r, "n")?, int(r, "amount")?)))
        .collect()
}
