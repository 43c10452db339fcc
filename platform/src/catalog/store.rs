//! Queries on the catalog tables. Every function takes the tenant first, and every query
//! is filtered by it: a program id from another region finds nothing.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

pub use crate::db::next_ids;
use crate::db::{Db, DbError, Tx};
use crate::domain::{AgeRange, LatLon, Money};
use crate::tenant_id::TenantId;

use super::model::{
    Direction, Financing, FinancingSet, Level, OrgKind, OrgType, OvzKind, ProgramStatus,
    ProgramType, Rating, Schedule, Session, StudyForm,
};

/// Marks the region's catalog as changed; returns the new version. Call it in the
/// transaction of the change: it also stamps the rows the change touched (their
/// `changed_in` is NULL: new rows, and rows whose public content a writer changed) with
/// the new version, which is how `sitegen` finds what to re-render.
pub async fn bump_version(tx: &mut Tx, tenant: TenantId) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO catalog_versions (tenant_id, version) VALUES ($1, 1) \
         ON CONFLICT (tenant_id) DO UPDATE SET version = catalog_versions.version + 1 \
         RETURNING version",
    )
    .bind(tenant)
    .fetch_one(&mut **tx)
    .await?;
    let version: i64 = row.try_get(0)?;
    for table in CHANGE_TRACKED {
        sqlx::query(&format!(
            "UPDATE {table} SET changed_in = $2 WHERE tenant_id = $1 AND changed_in IS NULL"
        ))
        .bind(tenant)
        .bind(version)
        .execute(&mut **tx)
        .await?;
    }
    Ok(version)
}

/// Begins a transaction that writes the region's catalog, holding its version row from the
/// start. On PostgreSQL the row is the catalog writers' lock: without it, one writer holding
/// a program's row and waiting to bump the version, and another holding the version and
/// stamping that program (`bump_version`'s sweep), deadlock; and a decision read at the
/// start of a transaction (a program «на модерации») cannot be changed by another writer
/// before it commits. SQLite's writers are serialized anyway (`BEGIN IMMEDIATE`).
pub async fn begin_write(db: &Db, tenant: TenantId) -> Result<Tx, DbError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO catalog_versions (tenant_id, version) VALUES ($1, 0) \
         ON CONFLICT (tenant_id) DO UPDATE SET version = catalog_versions.version",
    )
    .bind(tenant)
    .execute(&mut *tx)
    .await?;
    Ok(tx)
}

/// The tables whose rows carry `changed_in`.
const CHANGE_TRACKED: [&str; 3] = ["organizations", "programs", "study_groups"];

/// Ids of the programs whose page may differ from how it was at catalog version `since`:
/// the program, one of its groups or its organization changed after it. Programs that
/// left the catalog are among them (`set_status` stamps the row); a deleted row leaves no
/// trace here, so a writer deleting a group stamps its program (`changed_in = NULL`), and
/// `delete_catalog`, which deletes programs, marks the version (`Version::reset_in`).
///
/// Two range reads of the `*_changed` indexes, and the programs of changed organizations
/// by `programs_organization` only when there are some: no subquery that the planner may
/// answer by walking every program of the region.
#[tracing::instrument(skip(db))]
pub async fn programs_changed_since(
    db: &Db,
    tenant: TenantId,
    since: i64,
) -> Result<Vec<i64>, DbError> {
    let organizations: Vec<i64> =
        sqlx::query("SELECT id FROM organizations WHERE tenant_id = $1 AND changed_in > $2")
            .bind(tenant)
            .bind(since)
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
    programs_changed_with(db, tenant, since, &organizations).await
}

/// `programs_changed_since` for a caller that has read the changed organizations already.
#[tracing::instrument(skip(db, organizations), fields(organizations = organizations.len()))]
pub async fn programs_changed_with(
    db: &Db,
    tenant: TenantId,
    since: i64,
    organizations: &[i64],
) -> Result<Vec<i64>, DbError> {
    // No `changed_in IS NULL`: a committed change is always stamped (bump_version runs in
    // its transaction), so NULL is left only on rows older than the first version, which
    // every copy made since has already shown. Without it the indexes answer.
    let mut ids = Vec::new();
    for sql in [
        "SELECT id FROM programs WHERE tenant_id = $1 AND changed_in > $2",
        "SELECT program_id FROM study_groups WHERE tenant_id = $1 AND changed_in > $2",
    ] {
        for row in sqlx::query(sql)
            .bind(tenant)
            .bind(since)
            .fetch_all(db.pool())
            .await?
        {
            ids.push(row.try_get(0)?);
        }
    }
    for chunk in organizations.chunks(BATCH) {
        let (filter, bound) = in_list("organization_id", Some(chunk), 2);
        let text = format!("SELECT id FROM programs WHERE tenant_id = $1{filter}");
        let mut query = sqlx::query(&text).bind(tenant);
        for id in bound {
            query = query.bind(*id);
        }
        for row in query.fetch_all(db.pool()).await? {
            ids.push(row.try_get(0)?);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The catalog version of every region that has one.
pub async fn versions(db: &Db) -> Result<Vec<(TenantId, i64)>, DbError> {
    let rows = sqlx::query("SELECT tenant_id, version FROM catalog_versions")
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

pub async fn version(db: &Db, tenant: TenantId) -> Result<i64, DbError> {
    Ok(version_row(db, tenant).await?.version)
}

/// A region's catalog version and the last one that replaced its catalog wholesale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Version {
    pub version: i64,
    /// The version whose change deleted rows without a trace (`delete_catalog`); 0: none.
    /// An index older than it cannot be brought up to date from the changes since.
    pub reset_in: i64,
}

pub async fn version_row(db: &Db, tenant: TenantId) -> Result<Version, DbError> {
    let row = sqlx::query("SELECT version, reset_in FROM catalog_versions WHERE tenant_id = $1")
        .bind(tenant)
        .fetch_optional(db.pool())
        .await?;
    Ok(match row {
        Some(r) => Version {
            version: r.try_get(0)?,
            reset_in: r.try_get(1)?,
        },
        None => Version::default(),
    })
}

pub async fn count_programs(db: &Db, tenant: TenantId) -> Result<i64, DbError> {
    let row = sqlx::query("SELECT COUNT(*) FROM programs WHERE tenant_id = $1")
        .bind(tenant)
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get(0)?)
}

/// `($1, $2, $3), ($4, $5, $6)` for `rows` rows of `cols` values.
pub fn placeholders(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=cols).map(|c| format!("${}", r * cols + c)).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows per multi-row INSERT: well under SQLite's limit of bound values per statement
/// (32 766) for rows of up to 80 values.
pub const BATCH: usize = 400;

#[derive(Debug, Clone)]
pub struct Profile {
    pub id: String,
    pub direction: Direction,
    pub name: String,
}

pub async fn insert_profiles(
    tx: &mut Tx,
    tenant: TenantId,
    profiles: &[Profile],
) -> Result<(), DbError> {
    for (position, p) in profiles.iter().enumerate() {
        sqlx::query(
            "INSERT INTO profiles (tenant_id, id, direction, name, position) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET direction = excluded.direction, \
               name = excluded.name, position = excluded.position",
        )
        .bind(tenant)
        .bind(&p.id)
        .bind(p.direction.code())
        .bind(&p.name)
        .bind(position as i64)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub async fn profiles(db: &Db, tenant: TenantId) -> Result<Vec<Profile>, DbError> {
    let rows = sqlx::query(
        "SELECT id, direction, name FROM profiles WHERE tenant_id = $1 ORDER BY position, id",
    )
    .bind(tenant)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Profile {
                id: r.try_get("id")?,
                direction: parse_code(r, "direction", Direction::parse)?,
                name: r.try_get("name")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    pub short_name: String,
    pub kind: OrgKind,
    pub inn: String,
    pub municipality_id: String,
    pub address: String,
    pub location: LatLon,
    pub phone: String,
    pub email: String,
    pub website: Option<String>,
    pub description: String,
    pub can_confirm: bool,
    /// The logo's stored file (`storage::Key`), if it has one.
    pub logo: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Program {
    pub id: i64,
    pub organization_id: i64,
    pub title: String,
    pub description: String,
    pub direction: Direction,
    pub profile_id: String,
    pub level: Level,
    pub ages: AgeRange,
    pub ovz: bool,
    pub financing: Financing,
    pub monthly_price: Money,
    pub duration_months: i64,
    pub hours: i64,
    pub status: ProgramStatus,
    pub created_at: String,
    /// The rest of the card its organization wrote (empty for programs entered before it).
    pub about: About,
    /// The cover's stored files (`storage::Key`), the page's and the card's, if it has one.
    pub cover: Option<String>,
    pub cover_card: Option<String>,
    /// Its published reviews.
    pub rating: Rating,
}

/// What the program page shows beyond the catalog's facts: the card's texts and its
/// classification as the organization gave them.
#[derive(Debug, Clone, Default)]
pub struct About {
    pub announce: String,
    pub goals: String,
    pub results: String,
    pub program_type: ProgramType,
    pub study_form: StudyForm,
    pub ovz_kinds: Vec<OvzKind>,
    /// Every way of paying the program offers (`financing` is the catalog's one).
    pub financing: FinancingSet,
}

/// A group as the public catalog shows it: its address and point are its place of study's,
/// its teachers' names from the organization's list, its schedule from `group_sessions`.
/// Archived groups are not read here.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: i64,
    pub program_id: i64,
    pub name: String,
    pub teachers: Vec<String>,
    pub address: String,
    pub location: LatLon,
    pub schedule: Schedule,
    /// Набор открыт: the organization has not closed enrollment.
    pub accepting: bool,
    pub capacity: i64,
    pub seats_taken: i64,
    pub enroll_from: NaiveDate,
    pub enroll_to: NaiveDate,
    pub study_from: NaiveDate,
    pub study_to: NaiveDate,
    pub price_certificate: Option<Money>,
    pub price_paid: Option<Money>,
}

impl Group {
    pub fn free_seats(&self) -> i64 {
        (self.capacity - self.seats_taken).max(0)
    }

    /// Whether applications are taken on `today`: набор открыт, inside the window, and the
    /// study not over (a group whose study ended is closed even before the periodic task
    /// `groups::Groups::close_finished` writes so).
    pub fn enrollment_open(&self, today: NaiveDate) -> bool {
        self.closure(today).is_none()
    }

    /// Why the group takes no applications on `today`; `None` while it does.
    pub fn closure(&self, today: NaiveDate) -> Option<Closure> {
        if self.study_ended(today) {
            Some(Closure::StudyEnded)
        } else if !self.accepting {
            Some(Closure::Paused)
        } else if today < self.enroll_from {
            Some(Closure::NotYet)
        } else if self.enroll_to < today {
            Some(Closure::Over)
        } else {
            None
        }
    }

    /// The last day of study was before `today`.
    pub fn study_ended(&self, today: NaiveDate) -> bool {
        self.study_to < today
    }
}

/// Why a group takes no applications, as its page says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closure {
    /// The organization closed enrollment («Набор закрыт»).
    Paused,
    /// The window has not opened.
    NotYet,
    /// The window has closed.
    Over,
    /// The study period is over.
    StudyEnded,
}

impl Closure {
    /// As the program page says it.
    pub fn label(self) -> &'static str {
        match self {
            Closure::Paused => "Набор закрыт организацией",
            Closure::NotYet => "Набор ещё не начался",
            Closure::Over => "Набор закончился",
            Closure::StudyEnded => "Обучение в группе закончилось",
        }
    }

    /// Why an application to `group` is refused, with its dates.
    pub fn refusal(self, group: &Group) -> String {
        use crate::time::day;
        match self {
            Closure::StudyEnded => format!(
                "Набор в группу закрыт: обучение в ней закончилось {}.",
                day(group.study_to)
            ),
            Closure::Paused => "Набор в группу закрыт организацией.".to_owned(),
            Closure::NotYet | Closure::Over => format!(
                "Набор в группу закрыт: заявки принимаются с {} по {}.",
                day(group.enroll_from),
                day(group.enroll_to)
            ),
        }
    }
}

pub async fn insert_organizations(
    tx: &mut Tx,
    tenant: TenantId,
    orgs: &[Organization],
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let now = crate::time::to_db(now);
    for chunk in orgs.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO organizations (tenant_id, id, name, short_name, kind, inn, municipality_id, \
             address, lat, lon, phone, email, website, description, can_confirm, created_at, updated_at, \
             org_type) VALUES {}",
            placeholders(chunk.len(), 18)
        );
        let mut q = sqlx::query(&sql);
        for o in chunk {
            q = q
                .bind(tenant)
                .bind(o.id)
                .bind(&o.name)
                .bind(&o.short_name)
                .bind(o.kind.code())
                .bind(&o.inn)
                .bind(&o.municipality_id)
                .bind(&o.address)
                .bind(o.location.lat)
                .bind(o.location.lon)
                .bind(&o.phone)
                .bind(&o.email)
                .bind(&o.website)
                .bind(&o.description)
                .bind(i64::from(o.can_confirm))
                .bind(&now)
                .bind(&now)
                .bind(OrgType::of_kind(o.kind).code());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

pub async fn insert_programs(
    tx: &mut Tx,
    tenant: TenantId,
    programs: &[Program],
) -> Result<(), DbError> {
    for chunk in programs.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO programs (tenant_id, id, organization_id, title, description, direction, \
             profile_id, level, age_min, age_max, ovz, financing, price_kopecks, duration_months, \
             hours, status, created_at, updated_at, published_at) VALUES {}",
            placeholders(chunk.len(), 19)
        );
        let mut q = sqlx::query(&sql);
        for p in chunk {
            let published = (p.status == ProgramStatus::Published).then(|| p.created_at.clone());
            q = q
                .bind(tenant)
                .bind(p.id)
                .bind(p.organization_id)
                .bind(&p.title)
                .bind(&p.description)
                .bind(p.direction.code())
                .bind(&p.profile_id)
                .bind(p.level.code())
                .bind(i64::from(p.ages.min()))
                .bind(i64::from(p.ages.max()))
                .bind(i64::from(p.ovz))
                .bind(p.financing.code())
                .bind(p.monthly_price.kopecks())
                .bind(p.duration_months)
                .bind(p.hours)
                .bind(p.status.code())
                .bind(&p.created_at)
                .bind(&p.created_at)
                .bind(published);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Loads groups in bulk (the demo generator, test fixtures), their programs already in
/// the transaction: each group's address and point become a place of study of its
/// organization (one with the same address and point is reused), its teachers' names
/// teachers of the organization (reused by name), its schedule `group_sessions` rows, its
/// ages the program's. The interactive path with its rules is `groups::service`.
pub async fn insert_groups(tx: &mut Tx, tenant: TenantId, groups: &[Group]) -> Result<(), DbError> {
    let mut programs: HashMap<i64, (i64, i64, i64)> = HashMap::new();
    for r in sqlx::query(
        "SELECT id, organization_id, age_min, age_max FROM programs WHERE tenant_id = $1",
    )
    .bind(tenant)
    .fetch_all(&mut **tx)
    .await?
    {
        programs.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?));
    }
    let program_of = |g: &Group| {
        programs.get(&g.program_id).copied().ok_or_else(|| {
            DbError::Query(sqlx::Error::Decode(
                format!(
                    "group {}: program {} is not in the region",
                    g.id, g.program_id
                )
                .into(),
            ))
        })
    };
    // Places by (organization, address, point), teachers by (organization, name).
    type PlaceKey = (i64, String, u64, u64);
    let mut places: HashMap<PlaceKey, i64> = HashMap::new();
    for r in sqlx::query(
        "SELECT id, organization_id, address, lat, lon FROM places WHERE tenant_id = $1",
    )
    .bind(tenant)
    .fetch_all(&mut **tx)
    .await?
    {
        let (lat, lon): (f64, f64) = (r.try_get(3)?, r.try_get(4)?);
        places.insert(
            (r.try_get(1)?, r.try_get(2)?, lat.to_bits(), lon.to_bits()),
            r.try_get(0)?,
        );
    }
    let mut teachers: HashMap<(i64, String), i64> = HashMap::new();
    for r in sqlx::query("SELECT id, organization_id, name FROM teachers WHERE tenant_id = $1")
        .bind(tenant)
        .fetch_all(&mut **tx)
        .await?
    {
        teachers.insert((r.try_get(1)?, r.try_get(2)?), r.try_get(0)?);
    }
    let (mut new_places, mut new_teachers) = (Vec::new(), Vec::new());
    for g in groups {
        let (org, _, _) = program_of(g)?;
        let key = (
            org,
            g.address.clone(),
            g.location.lat.to_bits(),
            g.location.lon.to_bits(),
        );
        // 0 until the new ones are numbered below.
        if let std::collections::hash_map::Entry::Vacant(e) = places.entry(key.clone()) {
            e.insert(0);
            new_places.push((key, g.location));
        }
        for name in &g.teachers {
            if let std::collections::hash_map::Entry::Vacant(e) =
                teachers.entry((org, name.clone()))
            {
                e.insert(0);
                new_teachers.push((org, name.clone()));
            }
        }
    }
    let now = groups
        .first()
        .map(|g| format!("{}T00:00:00.000000Z", g.study_from))
        .unwrap_or_default();
    if !new_places.is_empty() {
        let first = next_ids(tx, tenant, "places", new_places.len() as i64).await?;
        for (i, (key, _)) in new_places.iter().enumerate() {
            places.insert(key.clone(), first + i as i64);
        }
        for chunk in new_places.chunks(BATCH) {
            let sql = format!(
                "INSERT INTO places (tenant_id, id, organization_id, address, lat, lon, created_at, \
                 updated_at) VALUES {}",
                placeholders(chunk.len(), 8)
            );
            let mut q = sqlx::query(&sql);
            for (key, at) in chunk {
                q = q
                    .bind(tenant)
                    .bind(places[key])
                    .bind(key.0)
                    .bind(&key.1)
                    .bind(at.lat)
                    .bind(at.lon)
                    .bind(&now)
                    .bind(&now);
            }
            q.execute(&mut **tx).await?;
        }
    }
    if !new_teachers.is_empty() {
        let first = next_ids(tx, tenant, "teachers", new_teachers.len() as i64).await?;
        for (i, key) in new_teachers.iter().enumerate() {
            teachers.insert(key.clone(), first + i as i64);
        }
        for chunk in new_teachers.chunks(BATCH) {
            let sql = format!(
                "INSERT INTO teachers (tenant_id, id, organization_id, name, position, created_at, \
                 updated_at) VALUES {}",
                placeholders(chunk.len(), 7)
            );
            let mut q = sqlx::query(&sql);
            for key in chunk {
                q = q
                    .bind(tenant)
                    .bind(teachers[key])
                    .bind(key.0)
                    .bind(&key.1)
                    .bind("")
                    .bind(&now)
                    .bind(&now);
            }
            q.execute(&mut **tx).await?;
        }
    }
    for chunk in groups.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO study_groups (tenant_id, id, program_id, name, place_id, status, age_min, \
             age_max, capacity, seats_taken, enroll_from, enroll_to, study_from, study_to, \
             price_certificate_kopecks, price_paid_kopecks) VALUES {}",
            placeholders(chunk.len(), 16)
        );
        let mut q = sqlx::query(&sql);
        for g in chunk {
            let (org, min, max) = program_of(g)?;
            let place = places[&(
                org,
                g.address.clone(),
                g.location.lat.to_bits(),
                g.location.lon.to_bits(),
            )];
            q = q
                .bind(tenant)
                .bind(g.id)
                .bind(g.program_id)
                .bind(&g.name)
                .bind(place)
                .bind(if g.accepting { "open" } else { "closed" })
                .bind(min)
                .bind(max)
                .bind(g.capacity)
                .bind(g.seats_taken)
                .bind(g.enroll_from.to_string())
                .bind(g.enroll_to.to_string())
                .bind(g.study_from.to_string())
                .bind(g.study_to.to_string())
                .bind(g.price_certificate.map(Money::kopecks))
                .bind(g.price_paid.map(Money::kopecks));
        }
        q.execute(&mut **tx).await?;
    }
    let mut links = Vec::new();
    for g in groups {
        let (org, _, _) = program_of(g)?;
        for name in &g.teachers {
            links.push((g.id, teachers[&(org, name.clone())]));
        }
    }
    links.sort_unstable();
    links.dedup();
    for chunk in links.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO group_teachers (tenant_id, group_id, teacher_id) VALUES {}",
            placeholders(chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for (group, teacher) in chunk {
            q = q.bind(tenant).bind(*group).bind(*teacher);
        }
        q.execute(&mut **tx).await?;
    }
    let sessions: Vec<(i64, usize, &Session)> = groups
        .iter()
        .flat_map(|g| {
            g.schedule
                .0
                .iter()
                .enumerate()
                .map(move |(i, s)| (g.id, i, s))
        })
        .collect();
    for chunk in sessions.chunks(BATCH) {
        insert_sessions(tx, tenant, chunk).await?;
    }
    // Fixtures number their groups themselves: later groups are numbered after them.
    if let Some(last) = groups.iter().map(|g| g.id).max() {
        sqlx::query(
            "INSERT INTO id_sequences (tenant_id, name, next_id) VALUES ($1, 'groups', $2) \
             ON CONFLICT (tenant_id, name) DO UPDATE SET next_id = CASE \
               WHEN id_sequences.next_id > excluded.next_id THEN id_sequences.next_id \
               ELSE excluded.next_id END",
        )
        .bind(tenant)
        .bind(last + 1)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Writes schedule rows: (group, position, session), at most `BATCH` of them.
pub async fn insert_sessions(
    tx: &mut Tx,
    tenant: TenantId,
    rows: &[(i64, usize, &Session)],
) -> Result<(), DbError> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO group_sessions (tenant_id, group_id, position, weekday, starts, ends, \
         date_from, date_to) VALUES {}",
        placeholders(rows.len(), 8)
    );
    let mut q = sqlx::query(&sql);
    for (group, position, s) in rows {
        q = q
            .bind(tenant)
            .bind(*group)
            .bind(*position as i64)
            .bind(i64::from(s.weekday))
            .bind(s.start.format("%H:%M").to_string())
            .bind(s.end.format("%H:%M").to_string())
            .bind(s.from.map(|d| d.to_string()))
            .bind(s.to.map(|d| d.to_string()));
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// Removes a region's whole catalog (demo data is regenerated this way).
/// Deletes the region's catalog, to load another (the demo generator, test fixtures); the
/// caller bumps the version in the same transaction. The deleted rows leave no
/// `changed_in`, so the version that follows is marked as a reset (`Version::reset_in`):
/// search indexes older than it are built afresh.
pub async fn delete_catalog(tx: &mut Tx, tenant: TenantId) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO catalog_versions (tenant_id, version, reset_in) VALUES ($1, 0, 1) \
         ON CONFLICT (tenant_id) DO UPDATE SET reset_in = catalog_versions.version + 1",
    )
    .bind(tenant)
    .execute(&mut **tx)
    .await?;
    for table in [
        // What families wrote about or kept of the old programs: ids are handed out again.
        "reviews",
        "favourites",
        "external_ids",
        "group_sessions",
        "group_teachers",
        "study_groups",
        "teachers",
        "programs",
        "places",
        "organizations",
        "profiles",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE tenant_id = $1"))
            .bind(tenant)
            .execute(&mut **tx)
            .await?;
    }
    // The catalog's numbering starts again; the accounts', children's and applications'
    // goes on, since their rows stay.
    sqlx::query(
        "DELETE FROM id_sequences WHERE tenant_id = $1 \
         AND name IN ('organizations', 'programs', 'groups', 'places', 'teachers')",
    )
    .bind(tenant)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn parse_code<T>(row: &AnyRow, column: &str, parse: fn(&str) -> Option<T>) -> Result<T, DbError> {
    let code: String = row.try_get(column)?;
    parse(&code).ok_or_else(|| {
        DbError::Query(sqlx::Error::Decode(
            format!("unknown {column} code «{code}» in the database").into(),
        ))
    })
}

fn date(row: &AnyRow, column: &str) -> Result<NaiveDate, DbError> {
    let text: String = row.try_get(column)?;
    text.parse().map_err(|e| {
        DbError::Query(sqlx::Error::Decode(
            format!("{column}: «{text}»: {e}").into(),
        ))
    })
}

fn organization_from(row: &AnyRow) -> Result<Organization, DbError> {
    Ok(Organization {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        short_name: row.try_get("short_name")?,
        kind: parse_code(row, "kind", OrgKind::parse)?,
        inn: row.try_get("inn")?,
        municipality_id: row.try_get("municipality_id")?,
        address: row.try_get("address")?,
        location: LatLon {
            lat: row.try_get("lat")?,
            lon: row.try_get("lon")?,
        },
        phone: row.try_get("phone")?,
        email: row.try_get("email")?,
        website: row.try_get("website")?,
        description: row.try_get("description")?,
        can_confirm: row.try_get::<i64, _>("can_confirm")? != 0,
        logo: row.try_get("logo")?,
    })
}

fn program_from(row: &AnyRow) -> Result<Program, DbError> {
    let min: i64 = row.try_get("age_min")?;
    let max: i64 = row.try_get("age_max")?;
    Ok(Program {
        id: row.try_get("id")?,
        organization_id: row.try_get("organization_id")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        direction: parse_code(row, "direction", Direction::parse)?,
        profile_id: row.try_get("profile_id")?,
        level: parse_code(row, "level", Level::parse)?,
        ages: AgeRange::new(min as u8, max as u8)
            .map_err(|e| DbError::Query(sqlx::Error::Decode(e.into())))?,
        ovz: row.try_get::<i64, _>("ovz")? != 0,
        financing: parse_code(row, "financing", |c| {
            FinancingSet::parse_list(c).map(FinancingSet::primary)
        })?,
        monthly_price: Money::from_kopecks(row.try_get("price_kopecks")?),
        duration_months: row.try_get("duration_months")?,
        hours: row.try_get("hours")?,
        status: parse_code(row, "status", ProgramStatus::parse)?,
        created_at: row.try_get("created_at")?,
        about: About {
            announce: row.try_get("announce")?,
            goals: row.try_get("goals")?,
            results: row.try_get("results")?,
            program_type: parse_code(row, "program_type", ProgramType::parse)?,
            study_form: parse_code(row, "study_form", StudyForm::parse)?,
            ovz_kinds: row
                .try_get::<String, _>("ovz_kinds")?
                .split(',')
                .filter(|c| !c.is_empty())
                .filter_map(OvzKind::parse)
                .collect(),
            financing: parse_code(row, "financing", FinancingSet::parse_list)?,
        },
        cover: row.try_get("cover")?,
        cover_card: row.try_get("cover_card")?,
        rating: Rating {
            count: row.try_get::<i64, _>("rating_count")? as u32,
            sum: row.try_get::<i64, _>("rating_sum")? as u32,
        },
    })
}

/// A group row read with `GROUP_COLUMNS`; its teachers and schedule come after (see
/// `with_details`).
fn group_from(row: &AnyRow) -> Result<Group, DbError> {
    let status: String = row.try_get("status")?;
    Ok(Group {
        id: row.try_get("id")?,
        program_id: row.try_get("program_id")?,
        name: row.try_get("name")?,
        teachers: Vec::new(),
        address: row.try_get("address")?,
        location: LatLon {
            lat: row.try_get("lat")?,
            lon: row.try_get("lon")?,
        },
        schedule: Schedule::default(),
        accepting: status == "open",
        capacity: row.try_get("capacity")?,
        seats_taken: row.try_get("seats_taken")?,
        enroll_from: date(row, "enroll_from")?,
        enroll_to: date(row, "enroll_to")?,
        study_from: date(row, "study_from")?,
        study_to: date(row, "study_to")?,
        price_certificate: row
            .try_get::<Option<i64>, _>("price_certificate_kopecks")?
            .map(Money::from_kopecks),
        price_paid: row
            .try_get::<Option<i64>, _>("price_paid_kopecks")?
            .map(Money::from_kopecks),
    })
}

/// A schedule row as stored.
pub fn session_from(row: &AnyRow) -> Result<Session, DbError> {
    let bad = |what: &str| {
        DbError::Query(sqlx::Error::Decode(
            format!("group_sessions: {what}").into(),
        ))
    };
    let time = |column: &str| -> Result<NaiveTime, DbError> {
        let text: String = row.try_get(column)?;
        NaiveTime::parse_from_str(&text, "%H:%M").map_err(|_| bad(&text))
    };
    let day = |column: &str| -> Result<Option<NaiveDate>, DbError> {
        let text: Option<String> = row.try_get(column)?;
        text.map(|t| t.parse().map_err(|_| bad(&t))).transpose()
    };
    let weekday: i64 = row.try_get("weekday")?;
    Ok(Session {
        weekday: u8::try_from(weekday)
            .ok()
            .filter(|d| (1..=7).contains(d))
            .ok_or_else(|| bad("weekday"))?,
        start: time("starts")?,
        end: time("ends")?,
        from: day("date_from")?,
        to: day("date_to")?,
    })
}

/// Fills in the teachers and schedules of `groups`, read with the same filter on the
/// groups (`g`) as the groups were: `filter` and its ids after the tenant (`$1`).
async fn with_details(
    db: &Db,
    tenant: TenantId,
    groups: &mut [Group],
    filter: &str,
    ids: &[i64],
) -> Result<(), DbError> {
    if groups.is_empty() {
        return Ok(());
    }
    let sessions = format!(
        "SELECT s.group_id, s.weekday, s.starts, s.ends, s.date_from, s.date_to \
         FROM group_sessions s JOIN study_groups g ON g.tenant_id = s.tenant_id AND g.id = s.group_id \
         WHERE s.tenant_id = $1{filter} ORDER BY s.group_id, s.position"
    );
    let teachers = format!(
        "SELECT gt.group_id, t.name FROM group_teachers gt \
         JOIN study_groups g ON g.tenant_id = gt.tenant_id AND g.id = gt.group_id \
         JOIN teachers t ON t.tenant_id = gt.tenant_id AND t.id = gt.teacher_id \
         WHERE gt.tenant_id = $1{filter} ORDER BY gt.group_id, t.name, t.id"
    );
    let mut q = sqlx::query(&sessions).bind(tenant);
    for id in ids {
        q = q.bind(*id);
    }
    let mut by_group: HashMap<i64, Vec<Session>> = HashMap::new();
    for row in q.fetch_all(db.pool()).await? {
        by_group
            .entry(row.try_get("group_id")?)
            .or_default()
            .push(session_from(&row)?);
    }
    let mut q = sqlx::query(&teachers).bind(tenant);
    for id in ids {
        q = q.bind(*id);
    }
    let mut names: HashMap<i64, Vec<String>> = HashMap::new();
    for row in q.fetch_all(db.pool()).await? {
        names
            .entry(row.try_get("group_id")?)
            .or_default()
            .push(row.try_get("name")?);
    }
    for g in groups {
        g.schedule = Schedule(by_group.remove(&g.id).unwrap_or_default());
        g.teachers = names.remove(&g.id).unwrap_or_default();
    }
    Ok(())
}

const ORG_COLUMNS: &str = "id, name, short_name, kind, inn, municipality_id, address, lat, lon, \
    phone, email, website, description, can_confirm, logo";
const PROGRAM_COLUMNS: &str = "id, organization_id, title, description, direction, profile_id, \
    level, age_min, age_max, ovz, financing, price_kopecks, duration_months, hours, status, created_at, \
    announce, goals, results, program_type, study_form, ovz_kinds, \
    cover, cover_card, rating_count, rating_sum";
const GROUP_COLUMNS: &str = "g.id, g.program_id, g.name, pl.address, pl.lat, pl.lon, g.status, \
    g.capacity, g.seats_taken, g.enroll_from, g.enroll_to, g.study_from, g.study_to, \
    g.price_certificate_kopecks, g.price_paid_kopecks";
/// The groups the public sees (not archived) joined to their places.
const GROUPS: &str =
    "study_groups g JOIN places pl ON pl.tenant_id = g.tenant_id AND pl.id = g.place_id";
const SHOWN: &str = "g.status <> 'archived'";

/// Where and when a group meets: what the search index needs of a group.
#[derive(Debug, Clone)]
pub struct GroupLocation {
    pub id: i64,
    pub program_id: i64,
    pub name: String,
    pub address: String,
    pub location: LatLon,
    pub enroll_from: NaiveDate,
    pub enroll_to: NaiveDate,
    /// Open for enrollment («Закрыть набор» makes it false while the window runs).
    pub accepting: bool,
}

/// What the search index needs of a published program.
#[derive(Debug, Clone)]
pub struct ListedProgram {
    pub id: i64,
    pub organization_id: i64,
    pub title: String,
    pub description: String,
    pub direction: Direction,
    pub profile_id: String,
    pub level: Level,
    pub ages: AgeRange,
    pub ovz: bool,
    /// Every way of paying it offers: each financing filter finds it (cards show
    /// `primary()`).
    pub financing: FinancingSet,
    pub monthly_price: Money,
    pub created_at: String,
    /// The cover's stored files, the page's and the card's (cards show the second;
    /// `sitegen` copies both).
    pub cover: Option<String>,
    pub cover_card: Option<String>,
    /// Its published reviews.
    pub rating: Rating,
}

/// What the region's search index is built from, with the group locations (see
/// `group_locations`): published programs and the organizations.
pub struct PublishedCatalog {
    pub organizations: Vec<Organization>,
    pub programs: Vec<ListedProgram>,
}

/// Separates the fields packed into one column by the bulk loads below; a control
/// character, which no text of the catalog contains.
const SEP: &str = "\u{1f}";
/// `SEP` as a char: splitting on a char is a byte search, on a one-char string a general
/// substring search (a tenth of the parse time of 300 000 rows).
const SEP_CHAR: char = '\u{1f}';

fn packed_error(what: &str, text: &str) -> DbError {
    DbError::Query(sqlx::Error::Decode(
        format!("{what}: «{text}» is not a packed row").into(),
    ))
}

/// A listed program's small columns packed into one text value (`$3` binds `SEP`), then
/// its title (the description follows where asked for).
/// A listed program packed into one text value and its title; the query adds the
/// description, `cover` and `cover_card` (columns 2, 3, 4) after it.
const LISTED_COLUMNS: &str = "id || $3 || organization_id || $3 || direction || $3 || profile_id \
    || $3 || level || $3 || age_min || $3 || age_max || $3 || ovz || $3 || financing || $3 \
    || price_kopecks || $3 || created_at || $3 || rating_count || $3 || rating_sum, title";

fn listed_from(row: &AnyRow) -> Result<ListedProgram, DbError> {
    let packed: String = row.try_get(0)?;
    let f: Vec<&str> = packed.split(SEP_CHAR).collect();
    let bad = || packed_error("programs", &packed);
    let [id, org, direction, profile, level, min, max, ovz, financing, price, created, count, sum] =
        f[..]
    else {
        return Err(bad());
    };
    let num = |v: &str| v.parse::<i64>().map_err(|_| bad());
    Ok(ListedProgram {
        id: num(id)?,
        organization_id: num(org)?,
        title: row.try_get(1)?,
        description: row.try_get(2)?,
        direction: Direction::parse(direction).ok_or_else(bad)?,
        profile_id: profile.to_owned(),
        level: Level::parse(level).ok_or_else(bad)?,
        ages: AgeRange::new(num(min)? as u8, num(max)? as u8).map_err(|_| bad())?,
        ovz: num(ovz)? != 0,
        financing: FinancingSet::parse_list(financing).ok_or_else(bad)?,
        monthly_price: Money::from_kopecks(num(price)?),
        created_at: created.to_owned(),
        // Apart from the packed column: NULL would make all of it NULL.
        cover: row.try_get(3)?,
        cover_card: row.try_get(4)?,
        rating: Rating {
            count: count.parse().map_err(|_| bad())?,
            sum: sum.parse().map_err(|_| bad())?,
        },
    })
}

/// What the catalog's text is for: the search index needs the descriptions, lists of cards
/// (the static copy) do not, and leaving them out halves the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Descriptions {
    With,
    Without,
}

/// The condition that keeps a deactivated organization's programs out of every catalog read
/// (`$1` is the tenant): its programs keep their status, so reactivating it brings the
/// published ones back unchanged. Deactivation stamps the organization (`changed_in`), which
/// takes its programs through `programs_changed_since` to the indexes.
const ACTIVE: &str = "organization_id NOT IN (SELECT id FROM organizations \
    WHERE tenant_id = $1 AND deactivated_at IS NOT NULL)";

/// Reads organizations and published programs at once, on separate connections. For a
/// region of 100 000 programs the database read is half of an index build, and its cost is
/// per value, not per byte: so the small columns of a row come packed into one text value
/// (`||` is portable SQL) and are split here.
#[tracing::instrument(skip(db))]
pub async fn published_catalog(
    db: &Db,
    tenant: TenantId,
    descriptions: Descriptions,
) -> Result<PublishedCatalog, DbError> {
    let description = match descriptions {
        Descriptions::With => "description",
        Descriptions::Without => "''",
    };
    let organizations = async {
        sqlx::query(&format!(
            "SELECT {ORG_COLUMNS} FROM organizations WHERE tenant_id = $1 \
             AND deactivated_at IS NULL"
        ))
        .bind(tenant)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(organization_from)
        .collect::<Result<Vec<_>, DbError>>()
    };
    let programs = async {
        sqlx::query(&format!(
            "SELECT {LISTED_COLUMNS}, {description}, cover, cover_card \
             FROM programs WHERE tenant_id = $1 AND status = $2 AND {ACTIVE}"
        ))
        .bind(tenant)
        .bind(ProgramStatus::Published.code())
        .bind(SEP)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(listed_from)
        .collect::<Result<Vec<_>, DbError>>()
    };
    let (organizations, programs) = tokio::try_join!(organizations, programs)?;
    Ok(PublishedCatalog {
        organizations,
        programs,
    })
}

/// Where every group of the region meets (packed like `published_catalog`).
#[tracing::instrument(skip(db))]
pub async fn group_locations(db: &Db, tenant: TenantId) -> Result<Vec<GroupLocation>, DbError> {
    sqlx::query(&format!(
        "SELECT {GROUP_LOCATION} FROM {GROUPS} WHERE g.tenant_id = $1 AND {SHOWN}"
    ))
    .bind(tenant)
    .bind(SEP)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(group_location_from)
    .collect::<Result<Vec<_>, DbError>>()
}

/// A group's location packed into one text value (`$2` binds `SEP`).
/// Over `{GROUPS}`: the group and its place.
const GROUP_LOCATION: &str = "g.id || $2 || g.program_id || $2 || pl.lat || $2 || pl.lon || $2 \
    || g.enroll_from || $2 || g.enroll_to || $2 || g.status || $2 || g.name || $2 || pl.address";

fn group_location_from(row: &AnyRow) -> Result<GroupLocation, DbError> {
    let packed: String = row.try_get(0)?;
    let bad = || packed_error("study_groups", &packed);
    let f: Vec<&str> = packed.splitn(9, SEP_CHAR).collect();
    let [id, program, lat, lon, from, to, status, name, address] = f[..] else {
        return Err(bad());
    };
    let float = |v: &str| v.parse::<f64>().map_err(|_| bad());
    let day = |v: &str| v.parse::<NaiveDate>().map_err(|_| bad());
    Ok(GroupLocation {
        id: id.parse().map_err(|_| bad())?,
        program_id: program.parse().map_err(|_| bad())?,
        name: name.to_owned(),
        address: address.to_owned(),
        location: LatLon {
            lat: float(lat)?,
            lon: float(lon)?,
        },
        enroll_from: day(from)?,
        enroll_to: day(to)?,
        accepting: status == "open",
    })
}

/// What a search index needs to apply a change to programs `ids` (see
/// `programs_changed_since`): those of them published now, with descriptions, and their
/// groups by id. An id missing from the programs left the catalog (unpublished, archived
/// or deleted).
#[tracing::instrument(skip(db, ids), fields(ids = ids.len()))]
pub async fn listed_programs(
    db: &Db,
    tenant: TenantId,
    ids: &[i64],
) -> Result<(Vec<ListedProgram>, Vec<GroupLocation>), DbError> {
    let mut programs = Vec::new();
    let mut groups = Vec::new();
    for chunk in ids.chunks(BATCH) {
        let (filter, bound) = in_list("id", Some(chunk), 4);
        let text = format!(
            "SELECT {LISTED_COLUMNS}, description, cover, cover_card FROM programs \
             WHERE tenant_id = $1 AND status = $2 AND {ACTIVE}{filter}"
        );
        let mut query = sqlx::query(&text)
            .bind(tenant)
            .bind(ProgramStatus::Published.code())
            .bind(SEP);
        for id in bound {
            query = query.bind(*id);
        }
        for row in query.fetch_all(db.pool()).await? {
            programs.push(listed_from(&row)?);
        }
    }
    let published: Vec<i64> = programs.iter().map(|p| p.id).collect();
    for chunk in published.chunks(BATCH) {
        let (filter, bound) = in_list("g.program_id", Some(chunk), 3);
        let text = format!(
            "SELECT {GROUP_LOCATION} FROM {GROUPS} WHERE g.tenant_id = $1 AND {SHOWN}{filter}"
        );
        let mut query = sqlx::query(&text).bind(tenant).bind(SEP);
        for id in bound {
            query = query.bind(*id);
        }
        for row in query.fetch_all(db.pool()).await? {
            groups.push(group_location_from(&row)?);
        }
    }
    // Sorted here, not by the query: with `ORDER BY g.id`, SQLite walked every group of
    // the region in id order (the primary key) instead of the program's few
    // (`study_groups_program`), on every edit.
    groups.sort_by_key(|g| g.id);
    Ok((programs, groups))
}

/// Organizations whose row changed after catalog version `since` (new ones too).
#[tracing::instrument(skip(db))]
pub async fn organizations_changed_since(
    db: &Db,
    tenant: TenantId,
    since: i64,
) -> Result<Vec<Organization>, DbError> {
    sqlx::query(&format!(
        "SELECT {ORG_COLUMNS} FROM organizations WHERE tenant_id = $1 AND changed_in > $2"
    ))
    .bind(tenant)
    .bind(since)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(organization_from)
    .collect()
}

/// A program's title whatever became of it since (archived, back on moderation, its
/// organization deactivated): what an application to it keeps showing.
pub async fn program_title(db: &Db, tenant: TenantId, id: i64) -> Result<Option<String>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT title FROM programs WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// A published program of the region, or `None` (unknown, unpublished, or another region's).
pub async fn published_program(
    db: &Db,
    tenant: TenantId,
    id: i64,
) -> Result<Option<Program>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {PROGRAM_COLUMNS} FROM programs WHERE tenant_id = $1 AND id = $2 AND status = $3 \
         AND {ACTIVE}"
    ))
    .bind(tenant)
    .bind(id)
    .bind(ProgramStatus::Published.code())
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(program_from).transpose()
}

pub async fn groups_of(db: &Db, tenant: TenantId, program: i64) -> Result<Vec<Group>, DbError> {
    let filter = " AND g.program_id = $2";
    let mut groups = sqlx::query(&format!(
        "SELECT {GROUP_COLUMNS} FROM {GROUPS} WHERE g.tenant_id = $1{filter} AND {SHOWN}"
    ))
    .bind(tenant)
    .bind(program)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(group_from)
    .collect::<Result<Vec<_>, _>>()?;
    // By id here: `ORDER BY g.id` made SQLite walk every group of the region by its
    // primary key rather than the program's by `study_groups_program`.
    groups.sort_by_key(|g| g.id);
    with_details(db, tenant, &mut groups, filter, &[program]).await?;
    Ok(groups)
}

pub async fn organization(
    db: &Db,
    tenant: TenantId,
    id: i64,
) -> Result<Option<Organization>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {ORG_COLUMNS} FROM organizations WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(organization_from).transpose()
}

/// The places of study an organization lists (its profile keeps them), in the order added.
pub async fn places_of(
    db: &Db,
    tenant: TenantId,
    organization: i64,
) -> Result<Vec<(String, LatLon)>, DbError> {
    sqlx::query(
        "SELECT address, lat, lon FROM places WHERE tenant_id = $1 AND organization_id = $2 \
         ORDER BY id",
    )
    .bind(tenant)
    .bind(organization)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok((
            r.try_get("address")?,
            LatLon {
                lat: r.try_get("lat")?,
                lon: r.try_get("lon")?,
            },
        ))
    })
    .collect()
}

/// Every place of study of the region: (organization, address, point), by organization,
/// then in the order added (the static copy shows them on the organization pages).
pub async fn places_of_region(
    db: &Db,
    tenant: TenantId,
) -> Result<Vec<(i64, String, LatLon)>, DbError> {
    sqlx::query(
        "SELECT organization_id, address, lat, lon FROM places WHERE tenant_id = $1 \
         ORDER BY organization_id, id",
    )
    .bind(tenant)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok((
            r.try_get("organization_id")?,
            r.try_get("address")?,
            LatLon {
                lat: r.try_get("lat")?,
                lon: r.try_get("lon")?,
            },
        ))
    })
    .collect()
}

/// Published programs of an organization, by title.
pub async fn published_programs_of(
    db: &Db,
    tenant: TenantId,
    organization: i64,
) -> Result<Vec<Program>, DbError> {
    sqlx::query(&format!(
        "SELECT {PROGRAM_COLUMNS} FROM programs \
         WHERE tenant_id = $1 AND organization_id = $2 AND status = $3 AND {ACTIVE} \
         ORDER BY title, id"
    ))
    .bind(tenant)
    .bind(organization)
    .bind(ProgramStatus::Published.code())
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(program_from)
    .collect()
}

/// Sets the monthly price the catalog shows for a program ("from": the cheapest group it
/// still shows, its certificate price where it has one, else its paid one; 0 with none).
/// Group writers call it in their transaction, before `bump_version`: the card's price
/// follows the groups, which is where organizations state prices.
pub async fn reprice_program(tx: &mut Tx, tenant: TenantId, program: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE programs SET price_kopecks = COALESCE((SELECT MIN(COALESCE( \
           g.price_certificate_kopecks, g.price_paid_kopecks)) FROM study_groups g \
           WHERE g.tenant_id = $1 AND g.program_id = $2 AND g.status <> 'archived'), 0), \
         changed_in = NULL WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(program)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Organizations of one municipality, by name: (id, name, authorized to confirm data).
pub async fn organizations_in(
    db: &Db,
    tenant: TenantId,
    municipality: &str,
) -> Result<Vec<(i64, String, bool)>, DbError> {
    let rows = sqlx::query(
        "SELECT id, name, can_confirm FROM organizations \
         WHERE tenant_id = $1 AND municipality_id = $2 ORDER BY name, id",
    )
    .bind(tenant)
    .bind(municipality)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("name")?,
                r.try_get::<i64, _>("can_confirm")? != 0,
            ))
        })
        .collect()
}

/// An organization the municipality authorized to confirm children's data (where families
/// bring their documents, and get help to register).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Confirming {
    pub municipality_id: String,
    pub name: String,
    pub address: String,
    pub phone: String,
}

/// The working organizations authorized to confirm, of one municipality or the region's, by
/// municipality and name.
pub async fn confirming(
    db: &Db,
    tenant: TenantId,
    municipality: Option<&str>,
) -> Result<Vec<Confirming>, DbError> {
    let rows = sqlx::query(
        "SELECT municipality_id, name, address, phone FROM organizations \
         WHERE tenant_id = $1 AND can_confirm = 1 AND deactivated_at IS NULL \
         AND ($2 = '' OR municipality_id = $2) ORDER BY municipality_id, name, id",
    )
    .bind(tenant)
    .bind(municipality.unwrap_or(""))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Confirming {
                municipality_id: r.try_get("municipality_id")?,
                name: r.try_get("name")?,
                address: r.try_get("address")?,
                phone: r.try_get("phone")?,
            })
        })
        .collect()
}

/// One study group of the region.
pub async fn group(db: &Db, tenant: TenantId, id: i64) -> Result<Option<Group>, DbError> {
    Ok(groups(db, tenant, &[id]).await?.pop())
}

/// The region's groups of `ids`, in id order, archived ones too (their applications are
/// still decided and shown).
#[tracing::instrument(skip(db, ids), fields(ids = ids.len()))]
pub async fn groups(db: &Db, tenant: TenantId, ids: &[i64]) -> Result<Vec<Group>, DbError> {
    groups_where(db, tenant, "", "g.id", Some(ids)).await
}

/// The region's groups meeting `condition` (` AND …`, or nothing) whose `column` is one of
/// `ids` (any, for `None`), with their sessions and teachers, by id.
async fn groups_where(
    db: &Db,
    tenant: TenantId,
    condition: &str,
    column: &str,
    ids: Option<&[i64]>,
) -> Result<Vec<Group>, DbError> {
    let sql = format!("SELECT {GROUP_COLUMNS} FROM {GROUPS} WHERE g.tenant_id = $1{condition}");
    let mut out = Vec::new();
    for chunk in id_chunks(ids) {
        let (filter, bound) = in_list(column, chunk, 2);
        let text = format!("{sql}{filter}");
        let mut query = sqlx::query(&text).bind(tenant);
        for id in bound {
            query = query.bind(*id);
        }
        let mut groups = query
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(group_from)
            .collect::<Result<Vec<_>, _>>()?;
        with_details(db, tenant, &mut groups, &filter, bound).await?;
        out.extend(groups);
    }
    out.sort_by_key(|g| g.id);
    Ok(out)
}

/// Published programs of the region by id: every one (`ids` is `None`) or those of `ids`
/// that are published.
#[tracing::instrument(skip(db, ids))]
pub async fn published_programs(
    db: &Db,
    tenant: TenantId,
    ids: Option<&[i64]>,
) -> Result<Vec<Program>, DbError> {
    let sql = format!(
        "SELECT {PROGRAM_COLUMNS} FROM programs WHERE tenant_id = $1 AND status = $2 AND {ACTIVE}"
    );
    let mut out = Vec::new();
    for chunk in id_chunks(ids) {
        let (filter, bound) = in_list("id", chunk, 3);
        let text = format!("{sql}{filter}");
        let mut query = sqlx::query(&text)
            .bind(tenant)
            .bind(ProgramStatus::Published.code());
        for id in bound {
            query = query.bind(*id);
        }
        for row in query.fetch_all(db.pool()).await? {
            out.push(program_from(&row)?);
        }
    }
    out.sort_by_key(|p| p.id);
    Ok(out)
}

/// Groups of the given programs (of every program when `ids` is `None`), by id.
#[tracing::instrument(skip(db, ids))]
pub async fn groups_of_programs(
    db: &Db,
    tenant: TenantId,
    ids: Option<&[i64]>,
) -> Result<Vec<Group>, DbError> {
    groups_where(db, tenant, &format!(" AND {SHOWN}"), "g.program_id", ids).await
}

/// `None` (no filter) once, or the ids in chunks that fit in one statement.
pub(super) fn id_chunks(ids: Option<&[i64]>) -> Vec<Option<&[i64]>> {
    match ids {
        None => vec![None],
        Some(ids) => ids.chunks(BATCH).map(Some).collect(),
    }
}

/// ` AND column IN ($first, …)` for a chunk of ids, with the ids to bind; nothing for no
/// filter.
pub(super) fn in_list<'a>(
    column: &str,
    chunk: Option<&'a [i64]>,
    first: usize,
) -> (String, &'a [i64]) {
    match chunk {
        None => (String::new(), &[]),
        Some(ids) => {
            let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", first + i)).collect();
            (format!(" AND {column} IN ({})", marks.join(", ")), ids)
        }
    }
}
