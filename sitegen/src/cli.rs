//! `sitegen --region SLUG | --all --out DIR [--database-url …] [--base-url …]`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use platform::db::Db;
use platform::regions::Tenant;

use crate::{generate, Options, SitegenError, Summary};

/// Writes a region's published catalog and map as a static site for a CDN.
#[derive(Debug, Parser)]
#[command(name = "sitegen", version)]
pub struct Args {
    /// The region (its slug, e.g. `smolensk`).
    #[arg(long, required_unless_present = "all", conflicts_with = "all")]
    pub region: Option<String>,
    /// Every region, each into its own folder `OUT/SLUG`.
    #[arg(long)]
    pub all: bool,
    /// Where the copy goes: a new or empty folder, or an earlier copy to bring up to date.
    #[arg(long)]
    pub out: PathBuf,
    /// The Navigator database.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/navigator.db"
    )]
    pub database_url: String,
    /// The region's dynamic site («Записаться», «Вход» lead there); by default the first
    /// host of the region's configuration over https.
    #[arg(long, conflicts_with = "all")]
    pub base_url: Option<String>,
    /// Where the copy will be published (`https://cdn.example.ru/p67`), for sitemap.xml,
    /// robots.txt and the links of 404.html. Without it no sitemap is written (its addresses
    /// must be absolute) and 404.html links from the server's root.
    #[arg(long, conflicts_with = "all")]
    pub site_url: Option<String>,
    /// The map's tile server, `https://…/{z}/{x}/{y}.png` (without it the map shows its
    /// points on no base layer: the public OpenStreetMap servers forbid such use).
    #[arg(long, env = "NAVIGATOR_MAP_TILES", requires = "map_attribution")]
    pub map_tiles: Option<String>,
    /// The attribution the tile server's licence asks for.
    #[arg(long, env = "NAVIGATOR_MAP_ATTRIBUTION", requires = "map_tiles")]
    pub map_attribution: Option<String>,
    /// The Navigator's data folder: the photos the pages show are copied from its `files/`.
    #[arg(long, env = "NAVIGATOR_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Rendering threads (default: one per core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// No progress line.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn main() -> ExitCode {
    let args = Args::parse();
    // Quiet unless asked: the summary line is the output. `RUST_LOG=sitegen=debug` shows
    // where a run's time goes.
    platform::telemetry::init_with(false, "warn,sqlx=error");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    match runtime.block_on(run(&args)) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sitegen: ошибка: {e}");
            ExitCode::FAILURE
        }
    }
}

pub async fn run(args: &Args) -> Result<Vec<Summary>, SitegenError> {
    let db = connect(&args.database_url).await?;
    let tenants: Vec<Arc<Tenant>> = platform::regions::store::load_all(&db)
        .await?
        .into_iter()
        .map(Arc::new)
        .collect();
    let chosen: Vec<Arc<Tenant>> = match &args.region {
        Some(slug) => {
            let found = tenants.iter().find(|t| t.slug() == slug).cloned();
            vec![found.ok_or_else(|| {
                let known: Vec<&str> = tenants.iter().map(|t| t.slug()).collect();
                SitegenError::UnknownRegion(slug.clone(), known.join(", "))
            })?]
        }
        None if tenants.is_empty() => return Err(SitegenError::NoRegions),
        None => tenants,
    };
    let workers = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let files: Arc<dyn platform::storage::FileStore> = Arc::new(
        platform::storage::LocalStore::new(args.data_dir.join("files")),
    );
    let map_tiles = match (&args.map_tiles, &args.map_attribution) {
        (Some(url), Some(attribution)) => Some(
            platform::settings::MapTiles::parse(url, attribution)
                .map_err(SitegenError::MapTiles)?,
        ),
        _ => None,
    };
    let mut summaries = Vec::new();
    for tenant in chosen {
        let out = if args.all {
            args.out.join(tenant.slug())
        } else {
            args.out.clone()
        };
        let base_url = match &args.base_url {
            Some(url) => parse_url(url).map_err(SitegenError::BaseUrl)?,
            None => default_base_url(&tenant)?,
        };
        let site_url = match &args.site_url {
            Some(url) => Some(parse_url(url).map_err(SitegenError::SiteUrl)?),
            None => None,
        };
        let opts = Options {
            files: files.clone(),
            out,
            base_url,
            site_url,
            map_tiles: map_tiles.clone(),
            workers,
            progress: !args.quiet,
        };
        let summary = generate(&db, tenant, &opts).await?;
        // Said at once: with --all, what was written stays reported if a later region fails.
        println!("{}", summary.describe());
        summaries.push(summary);
    }
    db.close().await;
    Ok(summaries)
}

/// Connects without creating anything: a mistyped SQLite path is an error, not a new
/// empty database.
async fn connect(url: &str) -> Result<Db, SitegenError> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or(path);
        if path != ":memory:" && !Path::new(path).is_file() {
            return Err(SitegenError::NoDatabaseFile(PathBuf::from(path)));
        }
    }
    let db = Db::connect(url)
        .await
        .map_err(|source| SitegenError::Database {
            url: platform::db::redact(url),
            source,
        })?;
    db.ping(std::time::Duration::from_secs(5))
        .await
        .map_err(|source| SitegenError::Database {
            url: platform::db::redact(url),
            source,
        })?;
    Ok(db)
}

/// `https://host[:port][/path]`, without a trailing slash, the host in its ASCII form
/// (sitemaps and some crawlers take no other).
pub fn parse_url(raw: &str) -> Result<String, String> {
    let bad = || format!("«{raw}»: ожидается адрес вида https://p67.навигатор.дети");
    let trimmed = raw.trim().trim_end_matches('/');
    let (scheme, rest) = trimmed
        .split_once("://")
        .filter(|(s, _)| matches!(*s, "https" | "http"))
        .ok_or_else(|| format!("«{raw}»: адрес должен начинаться с https:// или http://"))?;
    if rest.contains(['?', '#', ' ', '"', '\'', '<', '>', '&', '@']) {
        return Err(bad());
    }
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (h, Some(p)),
        Some(_) => return Err(bad()),
        None => (authority, None),
    };
    let host = tenants::Host::parse(host).map_err(|e| format!("«{raw}»: {e}"))?;
    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
    let path = if path.is_empty() {
        String::new()
    } else {
        format!("/{path}")
    };
    Ok(format!("{scheme}://{}{port}{path}", host.as_ascii()))
}

fn default_base_url(tenant: &Tenant) -> Result<String, SitegenError> {
    tenant
        .config
        .hosts
        .first()
        .map(|h| format!("https://{}", h.as_ascii()))
        .ok_or_else(|| {
            SitegenError::BaseUrl(format!(
                "у региона «{}» в конфигурации нет адреса; укажите --base-url",
                tenant.slug()
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::parse_url;

    #[test]
    fn urls_come_out_in_ascii_without_a_trailing_slash() {
        assert_eq!(
            parse_url("https://p67.навигатор.дети/").unwrap(),
            "https://p67.xn--80aafey1amqq.xn--d1acj3b"
        );
        assert_eq!(
            parse_url("http://localhost:8080/copy/").unwrap(),
            "http://localhost:8080/copy"
        );
        for bad in [
            "p67.example",
            "ftp://example.org",
            "https://",
            "https://a.example/?q=1",
            "https://a.example:port",
            "https://user@a.example",
            "https://a b.example",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }
}
