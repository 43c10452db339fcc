//! The editing side of the catalog load benchmark (`tests/bench/catalog.sh`): another
//! process that edits one published program per interval through the store, the way the
//! provider cabinet does (title and direction changed, `changed_in` cleared, the version
//! bumped, in one transaction), and, given a server, measures how long until its search
//! API finds the new title.
//!
//!   cargo run --release -p platform --example catalog_edits -- DATABASE_URL REGION [ADDR HOST]
//!
//! `EDITS` (60) edits, one every `EVERY_MS` (1000).
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use platform::catalog::model::Direction;
use platform::catalog::store;
use platform::db::Db;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(url), Some(slug)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: catalog_edits DATABASE_URL REGION [ADDR HOST]");
        std::process::exit(2);
    };
    let server = args.get(3).zip(args.get(4));
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (edits, every) = (
        env("EDITS", 60),
        Duration::from_millis(env("EVERY_MS", 1000)),
    );
    let db = Db::connect(url).await.unwrap();
    let base = tenants::Host::parse("localhost").expect("valid host");
    let registry = platform::regions::Registry::load(&db, base).await.unwrap();
    let Some(region) = registry.by_slug(slug) else {
        eprintln!("REGION: региона «{slug}» нет в базе");
        std::process::exit(2);
    };
    let tenant = region.id;
    let ids: Vec<i64> = store::published_programs(&db, tenant, None)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    let mut seen = Vec::new();
    let started = Instant::now();
    for n in 0..edits {
        let next = started + every * n as u32;
        tokio::time::sleep_until(next.into()).await;
        let id = ids[(n as usize * 7919) % ids.len()];
        let word = format!("zedit{}x{n}", std::process::id());
        let direction = Direction::ALL[n as usize % Direction::ALL.len()];
        let mut tx = db.begin().await.unwrap();
        sqlx::query(
            "UPDATE programs SET title = $3, direction = $4, changed_in = NULL \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant)
        .bind(id)
        .bind(format!("Правка {word}"))
        .bind(direction.code())
        .execute(&mut *tx)
        .await
        .unwrap();
        let version = store::bump_version(&mut tx, tenant).await.unwrap();
        tx.commit().await.unwrap();
        let committed = Instant::now();
        if let Some((addr, host)) = server {
            // Until the server's search finds the new word.
            let path = format!("/api/v1/programs?q={word}");
            while get(addr, host, &path).contains("\"total\":0") {
                std::thread::sleep(Duration::from_millis(5));
            }
            let ms = committed.elapsed().as_secs_f64() * 1000.0;
            seen.push(ms);
            println!("edit {n}: program {id}, version {version}, found after {ms:.0} ms");
        }
    }
    if !seen.is_empty() {
        seen.sort_by(f64::total_cmp);
        println!(
            "edits {}: searchable after p50 {:.0} ms, max {:.0} ms",
            seen.len(),
            seen[seen.len() / 2],
            seen[seen.len() - 1]
        );
    }
}

/// The body of a plain HTTP/1.1 GET.
fn get(addr: &str, host: &str, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}
