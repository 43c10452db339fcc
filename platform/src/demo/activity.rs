//! Demo activity on a filled catalog: families with two children each, and their
//! applications to the catalog's groups over the last 300 days, with every status, first
//! decisions after minutes to days, and the refusal reasons organizations give. It is the
//! volume the statistics dashboards are measured at (`navigator demo --applications N`,
//! BENCHMARKS.md), so it is written the fast way: multi-row INSERTs of generated values
//! (numbers and fixed words only, nothing typed by anyone) in one transaction, ids taken
//! from the region's sequences so the services number on after them. The same region,
//! catalog and size always give the same rows.

use chrono::{Duration, NaiveTime};
use sqlx::Row;

use crate::db::{next_ids, Db, DbError, Tx};
use crate::regions::Tenant;
use crate::time::{start_of_day, to_db, Clock};

use super::rng::Rng;

/// The generated families' addresses: never a real mailbox, and how a rerun finds them.
const DOMAIN: &str = "activity.demo.navigator.local";
/// Applications per child, and the days they are spread over.
const PER_CHILD: usize = 5;
const DAYS: i64 = 300;
/// Rows per INSERT statement.
const BATCH: usize = 500;

const FIRST_NAMES: &[&str] = &["Анна", "Мария", "Елена", "Ольга", "Наталья", "Ирина"];
const LAST_NAMES: &[&str] = &["Иванова", "Смирнова", "Кузнецова", "Попова", "Соколова"];
const CHILD_NAMES: &[(&str, &str)] = &[
    ("Артём", "male"),
    ("Софья", "female"),
    ("Михаил", "male"),
    ("Анна", "female"),
    ("Максим", "male"),
    ("Ева", "female"),
];
/// What families write, and what organizations answer (no quotes: written into SQL as is).
const REVIEWS: &[&str] = &[
    "Ребёнок ходит с удовольствием, педагог внимательный и терпеливый.",
    "Занятия интересные, за полгода сын многому научился. Рекомендуем.",
    "Хорошая группа и удобное расписание. Хотелось бы больше выступлений.",
    "Дочь в восторге, каждое занятие ждёт с нетерпением.",
    "В целом нравится, но кабинет тесноват для такой группы.",
    "Педагог находит подход к каждому ребёнку, результаты видны.",
];
const ANSWERS: &[&str] = &[
    "Спасибо за отзыв! Ждём вас на занятиях.",
    "Благодарим за доверие. Учтём ваши пожелания.",
];
const REASONS: &[&str] = &[
    "Нет свободных мест",
    "Возраст ребёнка не соответствует программе",
    "Не представлены документы",
    "Заявка подана повторно",
    "Расписание группы изменилось",
];

/// What `fill_activity` generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Activity {
    pub families: usize,
    pub children: usize,
    pub applications: usize,
    pub reviews: usize,
}

/// A group applications go to, with what an application row repeats of it.
struct Target {
    group: i64,
    program: i64,
    organization: i64,
}

/// Replaces the region's demo activity with `applications` applications (and a family
/// for every ten, two children each) to the published groups of its catalog.
#[tracing::instrument(skip(db, tenant, clock), fields(region = tenant.slug()))]
pub async fn fill_activity(
    db: &Db,
    tenant: &Tenant,
    applications: usize,
    clock: &Clock,
) -> Result<Activity, DbError> {
    let mut tx = db.begin().await?;
    remove_previous(&mut tx, tenant).await?;
    let targets = targets(&mut tx, tenant).await?;
    // A child applies to different groups (one live application a group): to at most as
    // many as there are.
    let per_child = PER_CHILD.min(targets.len()).max(1);
    let children = applications.div_ceil(per_child).max(1);
    let families = children.div_ceil(2);
    if targets.is_empty() || applications == 0 {
        tx.commit().await?;
        return Ok(Activity {
            families: 0,
            children: 0,
            applications: 0,
            reviews: 0,
        });
    }
    let municipalities: Vec<&str> = tenant
        .config
        .municipalities
        .iter()
        .map(|m| m.id.as_str())
        .collect();
    let mut rng = Rng::new(super::seed(tenant.slug(), applications));
    let (at, now) = (clock.now(), to_db(clock.now()));
    let today = tenant.today(clock);

    let first_family = next_ids(&mut tx, tenant.id, "users", families as i64).await?;
    rows(
        &mut tx,
        (0..families).map(|i| {
            let id = first_family + i as i64;
            format!(
                "({t}, {id}, 'family{id}@{DOMAIN}', 'family{id}@{DOMAIN}', 1, 'parent', '{m}', \
             '{last}', '{first}', '{now}', '{now}')",
                t = tenant.id.get(),
                m = municipalities[i % municipalities.len().max(1)],
                last = LAST_NAMES[i % LAST_NAMES.len()],
                first = FIRST_NAMES[rng.below(FIRST_NAMES.len())],
            )
        }),
        "INSERT INTO users (tenant_id, id, email, email_key, email_confirmed, role, \
         municipality_id, last_name, first_name, created_at, updated_at) VALUES ",
    )
    .await?;

    let first_child = next_ids(&mut tx, tenant.id, "children", children as i64).await?;
    let this_year = today
        .format("%Y")
        .to_string()
        .parse::<i64>()
        .unwrap_or(2026);
    rows(
        &mut tx,
        (0..children).map(|i| {
            let (name, sex) = CHILD_NAMES[rng.below(CHILD_NAMES.len())];
            // Ages 5 to 17 on the day it runs (born on the 15th of a month, 6 to 17 years
            // before this year: 5 at the least).
            let born = this_year - 6 - (i % 12) as i64;
            format!(
            "({t}, {id}, {parent}, 'Иванов', '{name}', '{born}-{month:02}-15', '{sex}', {ovz}, \
             '{now}', '{now}')",
            t = tenant.id.get(),
            id = first_child + i as i64,
            parent = first_family + (i / 2) as i64,
            month = 1 + i % 12,
            // About one child in seven has ОВЗ.
            ovz = i64::from(i % 7 == 0),
        )
        }),
        "INSERT INTO children (tenant_id, id, parent_id, last_name, first_name, birth_date, \
         sex, ovz, created_at, updated_at) VALUES ",
    )
    .await?;

    let first_application =
        next_ids(&mut tx, tenant.id, "applications", applications as i64).await?;
    let zone = tenant.config.time_zone;
    let morning = NaiveTime::from_hms_opt(9, 0, 0).expect("a time of day");
    let stride = targets.len() / per_child;
    rows(
        &mut tx,
        (0..applications).map(|i| {
            let child = i % children;
            let nth = i / children;
            // A child's applications go to different groups (one live application a group).
            let target = &targets[(child * 7919 + nth * stride) % targets.len()];
            let day = today - Duration::days((i as i64 * 37) % DAYS);
            // Never after now: today's are filed by the time it runs.
            let filed = (start_of_day(day, zone)
                + (morning - NaiveTime::MIN)
                + Duration::minutes(rng.below(600) as i64))
            .min(at);
            // Statuses in tenths: enrolled ×4, confirmed, rejected, waitlisted, new, cancelled,
            // withdrawn; the decided ones were first answered after a minute to five days.
            let status = [
                "enrolled",
                "enrolled",
                "enrolled",
                "enrolled",
                "confirmed",
                "rejected",
                "waitlisted",
                "new",
                "cancelled",
                "withdrawn",
            ][i % 10];
            let decided = !matches!(status, "new" | "waitlisted" | "cancelled");
            let wait = (60 + rng.below(5 * 86_400) as i64).min((at - filed).num_seconds());
            let (decided_at, wait_seconds) = if decided {
                (
                    format!("'{}'", to_db(filed + Duration::seconds(wait))),
                    wait.to_string(),
                )
            } else {
                ("NULL".to_owned(), "NULL".to_owned())
            };
            let comment = if status == "rejected" {
                format!("'{}'", REASONS[rng.below(REASONS.len())])
            } else {
                "NULL".to_owned()
            };
            format!(
                "({t}, {id}, {child}, {parent}, {group}, {program}, {organization}, '{status}', \
             'free', {comment}, '{filed}', '{filed}', {decided_at}, {wait_seconds})",
                t = tenant.id.get(),
                id = first_application + i as i64,
                child = first_child + child as i64,
                parent = first_family + (child / 2) as i64,
                group = target.group,
                program = target.program,
                organization = target.organization,
                filed = to_db(filed),
            )
        }),
        "INSERT INTO applications (tenant_id, id, child_id, parent_id, group_id, program_id, \
         organization_id, status, funding, comment, created_at, updated_at, decided_at, \
         wait_seconds) VALUES ",
    )
    .await?;
    let reviews = write_reviews(&mut tx, tenant, first_family, families, &mut rng, at).await?;
    tx.commit().await?;
    Ok(Activity {
        families,
        children,
        applications,
        reviews,
    })
}

/// What the families say: a published review of one enrolled child's program in two,
/// mostly of 4 and 5 stars, some answered by the organization; the programs' ratings
/// counted again (the previous families' reviews went with them).
async fn write_reviews(
    tx: &mut Tx,
    tenant: &Tenant,
    first_family: i64,
    families: usize,
    rng: &mut Rng,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize, DbError> {
    let enrolled = sqlx::query(
        "SELECT a.program_id, a.child_id, a.parent_id, a.created_at, c.birth_date, \
         u.first_name FROM applications a \
         JOIN children c ON c.tenant_id = a.tenant_id AND c.id = a.child_id \
         JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.parent_id \
         WHERE a.tenant_id = $1 AND a.status = 'enrolled' AND a.parent_id >= $2 \
         AND a.parent_id < $3 ORDER BY a.id",
    )
    .bind(tenant.id)
    .bind(first_family)
    .bind(first_family + families as i64)
    .fetch_all(&mut **tx)
    .await?;
    let mut seen = std::collections::HashSet::new();
    let mut chosen = Vec::new();
    for (i, r) in enrolled.iter().enumerate() {
        let key: (i64, i64) = (r.try_get("program_id")?, r.try_get("child_id")?);
        if i % 2 == 0 && seen.insert(key) {
            chosen.push(r);
        }
    }
    let first = next_ids(tx, tenant.id, "reviews", chosen.len() as i64).await?;
    let today = now.date_naive();
    let mut values = Vec::with_capacity(chosen.len());
    for (i, r) in chosen.iter().enumerate() {
        let born: String = r.try_get("birth_date")?;
        let age = chrono::NaiveDate::parse_from_str(&born, "%Y-%m-%d")
            .map_or(10, |b| today.years_since(b).unwrap_or(10));
        let filed: String = r.try_get("created_at")?;
        let written = chrono::DateTime::parse_from_rfc3339(&filed)
            .map_or(now, |t| t.to_utc() + Duration::days(30))
            .min(now);
        // Stars: 5 ×5, 4 ×3, 3 and 2 once each in ten.
        let stars = [5, 5, 4, 5, 4, 3, 5, 4, 5, 2][rng.below(10)];
        let body = REVIEWS[rng.below(REVIEWS.len())];
        let (answer, answered) = if i % 4 == 0 {
            (
                format!("'{}'", ANSWERS[rng.below(ANSWERS.len())]),
                format!("'{}'", to_db((written + Duration::days(2)).min(now))),
            )
        } else {
            ("NULL".to_owned(), "NULL".to_owned())
        };
        values.push(format!(
            "({t}, {id}, {program}, {child}, {author}, {stars}, '{body}', '{name}', {age}, \
             'published', {answer}, {answered}, '{at}')",
            t = tenant.id.get(),
            id = first + i as i64,
            program = r.try_get::<i64, _>("program_id")?,
            child = r.try_get::<i64, _>("child_id")?,
            author = r.try_get::<i64, _>("parent_id")?,
            name = r.try_get::<String, _>("first_name")?,
            at = to_db(written),
        ));
    }
    rows(
        tx,
        values.into_iter(),
        "INSERT INTO reviews (tenant_id, id, program_id, child_id, author_id, stars, body, \
         author_name, child_age, status, answer, answered_at, created_at) VALUES ",
    )
    .await?;
    sqlx::query(
        "UPDATE programs SET \
         rating_count = (SELECT COUNT(*) FROM reviews r WHERE r.tenant_id = programs.tenant_id \
           AND r.program_id = programs.id AND r.status = 'published'), \
         rating_sum = (SELECT COALESCE(SUM(r.stars), 0) FROM reviews r \
           WHERE r.tenant_id = programs.tenant_id AND r.program_id = programs.id \
           AND r.status = 'published'), \
         changed_in = NULL WHERE tenant_id = $1",
    )
    .bind(tenant.id)
    .execute(&mut **tx)
    .await?;
    crate::catalog::store::bump_version(tx, tenant.id).await?;
    Ok(chosen.len())
}

/// The published groups of the region, in id order.
async fn targets(tx: &mut Tx, tenant: &Tenant) -> Result<Vec<Target>, DbError> {
    let rows = sqlx::query(
        "SELECT g.id, g.program_id, p.organization_id FROM study_groups g \
         JOIN programs p ON p.tenant_id = g.tenant_id AND p.id = g.program_id \
         WHERE g.tenant_id = $1 AND p.status = 'published' ORDER BY g.id",
    )
    .bind(tenant.id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Target {
                group: r.try_get(0)?,
                program: r.try_get(1)?,
                organization: r.try_get(2)?,
            })
        })
        .collect()
}

/// Whether the region has generated families already.
pub async fn exists(db: &Db, tenant: &Tenant) -> Result<bool, DbError> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND email_key LIKE $2")
            .bind(tenant.id)
            .bind(format!("%@{DOMAIN}"))
            .fetch_one(db.pool())
            .await?;
    Ok(n > 0)
}

/// Removes an earlier run's families, children and applications (found by their address
/// domain): before new ones, and before the catalog they apply to is replaced.
pub(super) async fn remove_previous(tx: &mut Tx, tenant: &Tenant) -> Result<(), DbError> {
    let families = format!("%@{DOMAIN}");
    for sql in [
        "DELETE FROM reviews WHERE tenant_id = $1 AND author_id IN \
         (SELECT u.id FROM users u WHERE u.tenant_id = $1 AND u.email_key LIKE $2)",
        "DELETE FROM favourites WHERE tenant_id = $1 AND user_id IN \
         (SELECT u.id FROM users u WHERE u.tenant_id = $1 AND u.email_key LIKE $2)",
        "DELETE FROM calendar_feeds WHERE tenant_id = $1 AND child_id IN \
         (SELECT c.id FROM children c WHERE c.tenant_id = $1 AND c.parent_id IN \
         (SELECT u.id FROM users u WHERE u.tenant_id = $1 AND u.email_key LIKE $2))",
        "DELETE FROM applications WHERE tenant_id = $1 AND parent_id IN \
         (SELECT u.id FROM users u WHERE u.tenant_id = $1 AND u.email_key LIKE $2)",
        "DELETE FROM children WHERE tenant_id = $1 AND parent_id IN \
         (SELECT u.id FROM users u WHERE u.tenant_id = $1 AND u.email_key LIKE $2)",
        "DELETE FROM users WHERE tenant_id = $1 AND email_key LIKE $2",
    ] {
        sqlx::query(sql)
            .bind(tenant.id)
            .bind(families.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Runs `insert` with the generated value lists, `BATCH` rows a statement.
async fn rows(
    tx: &mut Tx,
    values: impl Iterator<Item = String>,
    insert: &str,
) -> Result<(), DbError> {
    let mut values = values.peekable();
    while values.peek().is_some() {
        let batch: Vec<String> = values.by_ref().take(BATCH).collect();
        let sql = format!("{insert}{}", batch.join(", "));
        sqlx::query(&sql).execute(&mut **tx).await?;
    }
    Ok(())
}
