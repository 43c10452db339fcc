//! Benchmark of the statistics dashboards at a region's full size (not run by default; it
//! asserts only that each page answers 200):
//!
//! ```sh
//! cargo test --release -p tests --test e2e bench_statistics -- --ignored --nocapture
//! ```
//!
//! (add `TEST_DATABASE_URL=postgres://… TEST_REDIS_URL=redis://…` for PostgreSQL;
//! `STATS_BENCH_DIVISOR=100` runs a hundredth of the size, a quick check). The region is
//! filled by the generators of `navigator demo --programs 100000 --applications 1000000`:
//! Smolensk's catalog replaced by 100 000 generated programs (their organizations spread
//! over the municipalities, several groups each), then 100 000 families with 200 000
//! children (one in seven with ОВЗ) and 1 000 000 applications over 300 days with every
//! status, first-decision times and refusal reasons. Then it opens each dashboard as the
//! regional admin and as a municipal admin: once (its snapshot computed) and five times
//! more (served from the snapshot), and prints the first load's time, the median and worst
//! of the others, the process's CPU per page (server, client and, on SQLite, the
//! database), and the ratio to the same-run reference: the regional cabinet `/admin` (a
//! small page through the same session and layout). Last, one round of the warmer over
//! every dashboard opened.

use std::time::{Duration, Instant};

use platform::demo::accounts::DEMO_PASSWORD;
use platform::demo::activity::fill_activity;
use tests::browser::Browser;
use tests::measure::cpu_and_peak;
use tests::TestApp;

const S: &str = "p67.навигатор.дети";
const PROGRAMS: usize = 100_000;
const APPLICATIONS: usize = 1_000_000;
const RUNS: usize = 5;

fn scaled(n: usize) -> usize {
    let divisor: usize = std::env::var("STATS_BENCH_DIVISOR")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(1);
    (n / divisor.max(1)).max(100)
}

async fn fill(app: &TestApp) {
    let tenant = app.state.registry.by_slug("smolensk").unwrap();
    let started = Instant::now();
    let catalog = platform::demo::fill(&app.state.db, &tenant, scaled(PROGRAMS), &app.state.clock)
        .await
        .unwrap();
    println!(
        "  catalog: {} programs, {} organizations, {} groups in {:.1} s",
        catalog.programs,
        catalog.organizations,
        catalog.groups,
        started.elapsed().as_secs_f64()
    );
    tests::demo_accounts(&app.state).await;
    let started = Instant::now();
    let activity = fill_activity(
        &app.state.db,
        &tenant,
        scaled(APPLICATIONS),
        &app.state.clock,
    )
    .await
    .unwrap();
    println!(
        "  activity: {} families, {} children, {} applications in {:.1} s",
        activity.families,
        activity.children,
        activity.applications,
        started.elapsed().as_secs_f64()
    );
    // The planner's statistics, as a database that has lived with these rows has them.
    sqlx::query("ANALYZE")
        .execute(app.state.db.pool())
        .await
        .unwrap();
}

/// The first load of `path` (its snapshot computed) with its CPU, then the median and worst
/// wall time of `RUNS` loads more (served from the snapshot), and their CPU per load.
async fn time(b: &mut Browser<'_>, path: &str) -> (Duration, f64, Duration, Duration, f64) {
    let (cpu0, _) = cpu_and_peak();
    let started = Instant::now();
    let page = b.get(path).await;
    let cold = started.elapsed();
    assert_eq!(page.status, 200, "{path}: {}", page.body);
    let (cpu1, _) = cpu_and_peak();
    let cold_cpu = cpu1 - cpu0;
    let mut times = Vec::new();
    let (cpu0, _) = cpu_and_peak();
    for _ in 0..RUNS {
        let started = Instant::now();
        let page = b.get(path).await;
        times.push(started.elapsed());
        assert_eq!(page.status, 200, "{path}: {}", page.body);
    }
    let (cpu1, _) = cpu_and_peak();
    times.sort();
    (
        cold,
        cold_cpu,
        times[times.len() / 2],
        *times.last().unwrap(),
        (cpu1 - cpu0) / RUNS as f64,
    )
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
    let (_, _, reference, _, reference_cpu) = time(&mut regional, "/admin").await;
    println!(
        "reference /admin: median {:.1} ms, CPU {:.1} ms",
        reference.as_secs_f64() * 1e3,
        reference_cpu * 1e3
    );
    for (who, b, base) in [
        ("regional", &mut regional, "/admin/statistics"),
        ("municipal", &mut municipal, "/municipal/statistics"),
    ] {
        for kind in ["coverage", "demand", "work", "money"] {
            let (cold, cold_cpu, m, worst, cpu) = time(b, &format!("{base}/{kind}")).await;
            println!(
                "{who:9} {kind:8} computed {:7.1} ms (CPU {:7.1} ms); served median {:6.1} ms, \
                 worst {:6.1} ms, CPU {:5.1} ms, {:5.2}× the reference",
                cold.as_secs_f64() * 1e3,
                cold_cpu * 1e3,
                m.as_secs_f64() * 1e3,
                worst.as_secs_f64() * 1e3,
                cpu * 1e3,
                m.as_secs_f64() / reference.as_secs_f64()
            );
        }
    }
    // The warmer's round: every dashboard opened above, computed again one at a time.
    let (cpu0, _) = cpu_and_peak();
    let started = Instant::now();
    let warmed = app
        .state
        .statistics
        .warm(&app.state.registry)
        .await
        .unwrap();
    let (cpu1, _) = cpu_and_peak();
    println!(
        "warmer: {warmed} dashboards in {:.1} s, CPU {:.1} s",
        started.elapsed().as_secs_f64(),
        cpu1 - cpu0
    );
}
