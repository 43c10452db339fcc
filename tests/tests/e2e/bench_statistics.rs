//! Benchmark of the statistics dashboards at a region's full size (not run by default; it
//! asserts only that each page answers 200):
//!
//! ```sh
//! cargo test --release -p tests --test e2e bench_statistics -- --ignored --nocapture
//! ```
//!
//! (add `TEST_DATABASE_URL=postgres://… TEST_REDIS_URL=redis://…` for PostgreSQL). On top
//! of the Smolensk fixture it inserts, in bulk SQL (the figure is the dashboards' query
//! time, not the services' write path): 2 000 organizations over the region's
//! municipalities, 100 000 published programs with a group each (15 seats), 100 000
//! families, 200 000 children (every seventh with ОВЗ), and 1 000 000 applications spread
//! over 300 days with every status, first-decision times and five refusal reasons. Then
//! it opens each dashboard as the regional admin and as a municipal admin, five times
//! each, and prints the median and worst wall time against the same-run reference: the
//! regional cabinet `/admin` (a small page through the same session and layout).

use std::time::{Duration, Instant};

use chrono::Duration as Days;
use platform::demo::accounts::DEMO_PASSWORD;
use tests::browser::Browser;
use tests::TestApp;

const S: &str = "p67.навигатор.дети";
const ORGS: i64 = 2_000;
/// The full size; `STATS_BENCH_DIVISOR=100` runs a hundredth of it (a quick check).
const PROGRAMS: i64 = 100_000;
const FAMILIES: i64 = 100_000;
const CHILDREN: i64 = 200_000;
const APPLICATIONS: i64 = 1_000_000;

fn scaled(n: i64) -> i64 {
    let divisor: i64 = std::env::var("STATS_BENCH_DIVISOR")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(1);
    (n / divisor.max(1)).max(ORGS)
}
const DAYS: i64 = 300;
/// Ids from here on: the fixture's are below.
const BASE: i64 = 100;
const RUNS: usize = 5;

/// `n` rows numbered 0…n−1, as a subquery both databases read.
fn numbers(n: i64) -> String {
    format!(
        "(WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {}) \
         SELECT i FROM n) s",
        n - 1
    )
}

async fn exec(app: &TestApp, sql: &str, tenant: platform::tenant_id::TenantId) {
    let started = Instant::now();
    let mut q = sqlx::query(sql);
    if sql.contains("$1") {
        q = q.bind(tenant);
    }
    q.execute(app.state.db.pool())
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
    let head: String = sql.chars().take(40).collect();
    println!("  {head}… {:.1} s", started.elapsed().as_secs_f64());
}

async fn fill(app: &TestApp) {
    let tenant = app.state.registry.by_slug("smolensk").unwrap();
    let t = tenant.id;
    let (programs, families, children, applications) = (
        scaled(PROGRAMS),
        scaled(FAMILIES),
        scaled(CHILDREN),
        scaled(APPLICATIONS),
    );
    let today = tenant.today(&app.state.clock);
    let now = "2026-01-01T00:00:00.000000Z";
    // Lookup tables the bulk inserts pick from by number.
    exec(
        app,
        "CREATE TABLE bench_munis (n BIGINT, id TEXT, tenant BIGINT)",
        t,
    )
    .await;
    for (i, m) in tenant.config.municipalities.iter().enumerate() {
        sqlx::query("INSERT INTO bench_munis VALUES ($1, $2, 0)")
            .bind(i as i64)
            .bind(m.id.as_str())
            .execute(app.state.db.pool())
            .await
            .unwrap();
    }
    let munis = tenant.config.municipalities.len() as i64;
    exec(
        app,
        "CREATE TABLE bench_days (n BIGINT, at TEXT, tenant BIGINT)",
        t,
    )
    .await;
    for i in 0..DAYS {
        let day = today - Days::days(i);
        sqlx::query("INSERT INTO bench_days VALUES ($1, $2, 0)")
            .bind(i)
            .bind(format!("{day}T09:00:00.000000Z"))
            .execute(app.state.db.pool())
            .await
            .unwrap();
    }
    exec(
        app,
        "CREATE TABLE bench_profiles (n BIGINT, id TEXT, direction TEXT, tenant BIGINT)",
        t,
    )
    .await;
    exec(
        app,
        "INSERT INTO bench_profiles SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id, direction, \
         tenant_id FROM profiles WHERE tenant_id = $1",
        t,
    )
    .await;
    let profiles: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bench_profiles")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let (study_from, study_to) = (today - Days::days(60), today + Days::days(200));
    exec(
        app,
        &format!(
            "INSERT INTO organizations (tenant_id, id, name, short_name, kind, inn, \
             municipality_id, address, lat, lon, phone, email, description, created_at, \
             updated_at) SELECT $1, {BASE} + s.i, 'Организация ' || CAST(s.i AS TEXT), \
             'Орг. ' || CAST(s.i AS TEXT), 'education', '6731000000', m.id, 'ул. Ленина', \
             54.78, 32.04, '+74812000000', 'org@example.org', '', '{now}', '{now}' FROM {} \
             JOIN bench_munis m ON m.n = s.i % {munis}",
            numbers(ORGS)
        ),
        t,
    )
    .await;
    exec(
        app,
        &format!(
            "INSERT INTO programs (tenant_id, id, organization_id, title, description, \
             direction, profile_id, level, age_min, age_max, financing, duration_months, \
             hours, status, created_at, updated_at, published_at) SELECT $1, {BASE} + s.i, \
             {BASE} + s.i % {ORGS}, 'Программа ' || CAST(s.i AS TEXT), '', p.direction, p.id, \
             'start', 5, 17, 'free', 9, 72, 'published', '{now}', '{now}', '{now}' FROM {} \
             JOIN bench_profiles p ON p.n = s.i % {profiles}",
            numbers(programs)
        ),
        t,
    )
    .await;
    exec(
        app,
        &format!(
            "INSERT INTO study_groups (tenant_id, id, program_id, name, capacity, seats_taken, \
             enroll_from, enroll_to, study_from, study_to, status, age_min, age_max) \
             SELECT $1, {BASE} + s.i, {BASE} + s.i, 'Группа', 15, 0, '{study_from}', \
             '{study_to}', '{study_from}', '{study_to}', 'open', 5, 17 FROM {}",
            numbers(programs)
        ),
        t,
    )
    .await;
    exec(
        app,
        &format!(
            "INSERT INTO users (tenant_id, id, email, email_key, email_confirmed, role, \
             municipality_id, last_name, first_name, created_at, updated_at) \
             SELECT $1, {BASE} + s.i, 'f' || CAST(s.i AS TEXT) || '@bench.ru', \
             'f' || CAST(s.i AS TEXT) || '@bench.ru', 1, 'parent', m.id, 'Семья', 'Мама', \
             '{now}', '{now}' FROM {} JOIN bench_munis m ON m.n = s.i % {munis}",
            numbers(families)
        ),
        t,
    )
    .await;
    exec(
        app,
        &format!(
            "INSERT INTO children (tenant_id, id, parent_id, last_name, first_name, birth_date, \
             sex, ovz, created_at, updated_at) SELECT $1, {BASE} + s.i, \
             {BASE} + s.i % {families}, 'Ребёнок', 'Имя', \
             CAST(2009 + s.i % 13 AS TEXT) || '-03-15', 'male', \
             CASE WHEN s.i % 7 = 0 THEN 1 ELSE 0 END, '{now}', '{now}' FROM {}",
            numbers(children)
        ),
        t,
    )
    .await;
    // Statuses by i % 10: enrolled ×4, confirmed, rejected, waitlisted, new, cancelled,
    // withdrawn. A child's applications go to distinct groups (the one-live index).
    exec(
        app,
        &format!(
            "INSERT INTO applications (tenant_id, id, child_id, parent_id, group_id, program_id, \
             organization_id, status, funding, comment, created_at, updated_at, decided_at, \
             wait_seconds) SELECT $1, {BASE} + s.i, {BASE} + s.i % {children}, \
             {BASE} + (s.i % {children}) % {families}, \
             {BASE} + (s.i * 7 + s.i / {children} * 13) % {programs}, \
             {BASE} + (s.i * 7 + s.i / {children} * 13) % {programs}, \
             {BASE} + ((s.i * 7 + s.i / {children} * 13) % {programs}) % {ORGS}, \
             CASE s.i % 10 WHEN 4 THEN 'confirmed' WHEN 5 THEN 'rejected' \
               WHEN 6 THEN 'waitlisted' WHEN 7 THEN 'new' WHEN 8 THEN 'cancelled' \
               WHEN 9 THEN 'withdrawn' ELSE 'enrolled' END, 'free', \
             CASE WHEN s.i % 10 = 5 THEN 'Причина ' || CAST(s.i % 5 AS TEXT) END, \
             d.at, d.at, CASE WHEN s.i % 10 IN (6, 7, 8) THEN NULL ELSE d.at END, \
             CASE WHEN s.i % 10 IN (6, 7, 8) THEN NULL ELSE (s.i * 7919) % 400000 END \
             FROM {} JOIN bench_days d ON d.n = s.i % {DAYS}",
            numbers(applications)
        ),
        t,
    )
    .await;
    // The planner's statistics, as a database that has lived with these rows has them.
    exec(app, "ANALYZE", t).await;
}

fn median(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    (times[times.len() / 2], *times.last().unwrap())
}

async fn time(b: &mut Browser<'_>, path: &str) -> (Duration, Duration) {
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let page = b.get(path).await;
        times.push(started.elapsed());
        assert_eq!(page.status, 200, "{path}: {}", page.body);
    }
    median(times)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run explicitly"]
async fn bench_statistics() {
    let (_env, app) = TestApp::spawn().await;
    tests::catalog::seed(&app.state).await;
    tests::demo_accounts(&app.state).await;
    let started = Instant::now();
    println!("filling (backend {:?}):", app.state.db.backend());
    fill(&app).await;
    println!("filled in {:.1} s", started.elapsed().as_secs_f64());
    let mut regional = Browser::new(&app, S);
    regional
        .login("regional@smolensk.demo.navigator.local", DEMO_PASSWORD)
        .await;
    let mut municipal = Browser::new(&app, S);
    municipal
        .login("municipal@smolensk.demo.navigator.local", DEMO_PASSWORD)
        .await;
    let (reference, _) = time(&mut regional, "/admin").await;
    println!(
        "reference /admin: median {:.1} ms",
        reference.as_secs_f64() * 1e3
    );
    for (who, b, base) in [
        ("regional", &mut regional, "/admin/statistics"),
        ("municipal", &mut municipal, "/municipal/statistics"),
    ] {
        for kind in ["coverage", "demand", "work", "money"] {
            let (m, worst) = time(b, &format!("{base}/{kind}")).await;
            println!(
                "{who:9} {kind:8} median {:7.1} ms, worst {:7.1} ms, {:5.1}× the reference",
                m.as_secs_f64() * 1e3,
                worst.as_secs_f64() * 1e3,
                m.as_secs_f64() / reference.as_secs_f64()
            );
        }
    }
}
