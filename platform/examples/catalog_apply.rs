//! Times `CatalogIndex::apply` alone on a region of a database: one program's title and
//! direction changed, applied to the index of the whole region, over and over (each time to
//! the index the previous apply made, as a server does), with the thread's CPU time beside
//! the wall time; and a full build for reference.
//!
//!   cargo run --release -p platform --example catalog_apply -- DATABASE_URL REGION
//!
//! `N` sets the number of edits (200).
use std::time::Instant;

use platform::catalog::index::{CatalogIndex, Changes};
use platform::catalog::model::Direction;
use platform::catalog::store;
use platform::db::Db;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(url), Some(slug)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: catalog_apply DATABASE_URL REGION (its slug: smolensk)");
        std::process::exit(2);
    };
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let db = Db::connect(url).await.unwrap();
    let base = tenants::Host::parse("localhost").expect("valid host");
    let registry = platform::regions::Registry::load(&db, base).await.unwrap();
    let Some(region) = registry.by_slug(slug) else {
        eprintln!("REGION: региона «{slug}» нет в базе");
        std::process::exit(2);
    };
    let tenant = region.id;
    let version = store::version(&db, tenant).await.unwrap();
    let catalog = store::published_catalog(&db, tenant, store::Descriptions::With)
        .await
        .unwrap();
    let mut programs = catalog.programs.clone();
    let profiles = store::profiles(&db, tenant).await.unwrap();
    let groups = store::group_locations(&db, tenant).await.unwrap();
    let t = Instant::now();
    let mut index =
        CatalogIndex::build(version, catalog, profiles.clone(), || Ok(groups.clone())).unwrap();
    println!("build {:?}, {} programs", t.elapsed(), index.docs.len());
    let today = chrono::Utc::now().date_naive();
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    for k in 0..n {
        // Spread over the catalog, so titles move everywhere in it.
        let at = (k * 7919) % programs.len();
        let p = &mut programs[at];
        p.title = format!("Правка {k} {}", p.title);
        p.direction = Direction::ALL[k % Direction::ALL.len()];
        let program = p.clone();
        let changes = Changes {
            ids: vec![program.id],
            groups: groups
                .iter()
                .filter(|g| g.program_id == program.id)
                .cloned()
                .collect(),
            programs: vec![program],
            organizations: Vec::new(),
            profiles: profiles.clone(),
        };
        // As a server does: the day's flags known before the change comes.
        index.search(&Default::default(), today);
        let started = Instant::now();
        let before = thread_cpu();
        let next = index.apply(version + 1 + k as i64, changes).unwrap();
        cpu.push(thread_cpu() - before);
        wall.push(started.elapsed().as_secs_f64() * 1000.0);
        index = next.expect("an edit of a program applies");
    }
    for (name, mut v) in [("wall", wall), ("thread CPU", cpu)] {
        v.sort_by(f64::total_cmp);
        println!(
            "apply one edit, {name}: p50 {:.2} ms, p90 {:.2} ms, max {:.2} ms ({n} edits, {} applied since the build)",
            v[v.len() / 2],
            v[v.len() * 9 / 10],
            v[v.len() - 1],
            index.applied()
        );
    }
}

/// The thread's CPU time in milliseconds (Linux).
fn thread_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let ns: f64 = stat
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    ns / 1e6
}
