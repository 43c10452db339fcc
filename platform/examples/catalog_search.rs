//! Times `CatalogIndex::search` alone (no HTTP, no JSON) on a region of a database, per
//! kind of query of the load benchmark: the figure to watch when changing the index.
//!
//!   cargo run --release -p platform --example catalog_search -- DATABASE_URL REGION
//!
//! `N` sets the searches per kind (400), `ONLY` one text ("" for no text); for `perf`.
use std::time::Instant;

use platform::catalog::index::CatalogIndex;
use platform::catalog::query::CatalogQuery;
use platform::catalog::store;
use platform::db::Db;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(url), Some(slug)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: catalog_search DATABASE_URL REGION (its slug: smolensk)");
        std::process::exit(2);
    };
    let db = Db::connect(url).await.unwrap();
    // The region's id comes from the registry, as every request's does.
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
    let profiles = store::profiles(&db, tenant).await.unwrap();
    let groups = store::group_locations(&db, tenant).await.unwrap();
    let t = Instant::now();
    let index = CatalogIndex::build(version, catalog, profiles, || Ok(groups)).unwrap();
    println!("build {:?}", t.elapsed());
    let today = chrono::Utc::now().date_naive();
    let texts = [
        "",
        "шахматы",
        "робот",
        "танец",
        "футбол",
        "рисование",
        "экология",
        "английский",
        "вокал",
        "клуб",
    ];
    let only = std::env::var("ONLY").ok();
    for text in texts {
        if only.as_deref().is_some_and(|o| o != text) {
            continue;
        }
        let n = std::env::var("N")
            .map(|v| v.parse().unwrap())
            .unwrap_or(400);
        let t = Instant::now();
        let mut total = 0;
        for i in 0..n {
            let q = CatalogQuery {
                text: (!text.is_empty()).then(|| text.to_owned()),
                age: Some(3 + (i % 16) as u8),
                page: 1 + (i % 20),
                per_page: 10 + (i % 21),
                ..Default::default()
            };
            let r = index.search(&q, today);
            total += r.total;
        }
        let search = t.elapsed() / n;
        println!("{text:12} search {search:>10?}  (total {total})");
    }
}
