//! What a server process is configured with, from flags or the environment (see `cli`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tenants::Host;

use crate::accounts::limits::RateLimits;
use crate::accounts::sessions::SessionPolicy;
use crate::mail::dkim::DkimSettings;

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    /// `sqlite://…` or `postgres://…`; `None` means the SQLite file under `data_dir`.
    pub database_url: Option<String>,
    pub redis_url: Option<String>,
    /// Prefix of every Redis key, so deployments or test runs can share one Redis.
    pub redis_prefix: String,
    pub smtp_url: Option<String>,
    /// The most one send may take, connecting included; a server that accepts the
    /// connection and then says nothing costs a worker no more than this. The claim on a row
    /// lasts this plus a margin (`mail::worker::lease`).
    pub smtp_timeout: Duration,
    /// Sign outgoing mail with this DKIM key; `None`: unsigned.
    pub dkim: Option<DkimSettings>,
    pub data_dir: PathBuf,
    /// `навигатор.дети`: the apex shows the region list, `{slug}.{base}` each region.
    pub base_domain: Host,
    /// Believe `X-Forwarded-Host`/`-Proto` (only behind a proxy that sets them).
    pub trust_proxy: bool,
    /// How often a server checks whether the regions changed.
    pub registry_poll: Duration,
    /// How often a server closes enrollment in groups whose study ended (a day's rule: the
    /// applications refuse them at once, this makes the lists and search say so).
    pub study_end_poll: Duration,
    pub sessions: SessionPolicy,
    pub rate_limits: RateLimits,
    /// The first retry of a mail that could not be sent; each next one waits twice as long.
    pub mail_retry_base: Duration,
    /// How often the outbox is checked for mail written by other processes and for retries.
    pub mail_poll: Duration,
    /// Concurrent password hashes (each takes 19 MiB and a core for tens of milliseconds).
    pub hash_concurrency: usize,
    /// How long a query waits for a database connection before the request answers 503.
    pub database_wait: Duration,
    /// How much a request may send, and how many expensive requests an address may run.
    pub limits: RequestLimits,
    /// The maps' tile server; `None`: the map shows its points on no base layer.
    pub map_tiles: Option<MapTiles>,
}

/// A map tile server and the attribution its licence asks for. The public OpenStreetMap
/// servers forbid heavy use: a deployment names its own (`--map-tiles`), and only the demo
/// uses theirs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MapTiles {
    /// `https://tiles.example.ru/{z}/{x}/{y}.png`.
    pub url: String,
    /// «© участники OpenStreetMap», shown in the map's corner.
    pub attribution: String,
}

impl MapTiles {
    /// A tile URL template (https, with `{z}`, `{x}` and `{y}`) and its attribution.
    pub fn parse(url: &str, attribution: &str) -> Result<Self, String> {
        let url = url.trim();
        let attribution = attribution.trim();
        // Tiles over http would be blocked as mixed content on the https pages.
        if !url.starts_with("https://") {
            return Err(format!(
                "адрес подложки карты «{url}» должен начинаться с https://"
            ));
        }
        if let Some(missing) = ["{z}", "{x}", "{y}"].into_iter().find(|p| !url.contains(p)) {
            return Err(format!(
                "в адресе подложки карты «{url}» нет {missing}: ожидается шаблон вида \
                 https://tiles.example.ru/{{z}}/{{x}}/{{y}}.png"
            ));
        }
        if attribution.is_empty() {
            return Err(
                "у подложки карты должна быть подпись об авторских правах (--map-attribution)"
                    .into(),
            );
        }
        Ok(Self {
            url: url.to_owned(),
            attribution: attribution.to_owned(),
        })
    }

    /// The public OpenStreetMap servers: for the demo only.
    pub fn demo() -> Self {
        Self {
            url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
            attribution: "© участники OpenStreetMap".into(),
        }
    }
}

/// What one request, or one client, may take of a process.
#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    /// The largest body of a form or a JSON call: every route unless it takes files.
    pub body: usize,
    /// The largest body of a route that takes files (imports, photos).
    pub upload_body: usize,
    /// Requests one client address may have in flight at once on the expensive paths
    /// (password hashing, search); 0: no bound.
    pub expensive_per_client: usize,
}

impl Default for RequestLimits {
    fn default() -> Self {
        Self {
            // The largest form (a registration, a child's card) is a few KiB.
            body: 64 * 1024,
            // nginx's `client_max_body_size` in deploy/nginx.conf: raise the two together.
            upload_body: 10 * 1024 * 1024,
            // A family behind one NAT address logging in at once, not a flood.
            expensive_per_client: 8,
        }
    }
}

/// `65536`, `64KiB`, `16MiB`, `1GiB` (binary units; `K`, `M`, `G` alone too): a size in bytes.
pub fn parse_size(raw: &str) -> Result<usize, String> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (digits, unit) = raw.split_at(split);
    let unit = unit.trim().to_ascii_lowercase();
    let scale: usize = match unit.trim_end_matches("ib").trim_end_matches('b') {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        _ => {
            return Err(format!(
                "«{raw}»: ожидается размер вида 65536, 64KiB или 16MiB"
            ))
        }
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("«{raw}»: ожидается размер больше нуля, вида 64KiB или 16MiB"))
}

impl Settings {
    /// Defaults for a laptop: everything under `./data`, nothing else installed.
    pub fn local(data_dir: PathBuf) -> Self {
        Self {
            listen: "127.0.0.1:8080".parse().expect("valid address"),
            database_url: None,
            redis_url: None,
            redis_prefix: "navigator:".into(),
            smtp_url: None,
            smtp_timeout: Duration::from_secs(60),
            dkim: None,
            data_dir,
            base_domain: Host::parse("localhost").expect("valid host"),
            trust_proxy: false,
            registry_poll: Duration::from_secs(1),
            study_end_poll: Duration::from_secs(300),
            sessions: SessionPolicy::default(),
            rate_limits: RateLimits::default(),
            mail_retry_base: Duration::from_secs(5),
            mail_poll: Duration::from_secs(1),
            hash_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            database_wait: crate::db::DEFAULT_WAIT,
            limits: RequestLimits::default(),
            map_tiles: None,
        }
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("navigator.db").display()),
        }
    }

    /// Where mail goes as `.eml` files when no SMTP server is configured.
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// Where stored files (photos, logos) live on the local disk: `DATA_DIR/files/ab/cdef….jpg`.
    pub fn files_dir(&self) -> PathBuf {
        self.data_dir.join("files")
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_are_bytes_or_binary_units() {
        assert_eq!(parse_size("65536"), Ok(65536));
        assert_eq!(parse_size("64KiB"), Ok(64 * 1024));
        assert_eq!(parse_size("64k"), Ok(64 * 1024));
        assert_eq!(parse_size("16 MiB"), Ok(16 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert!(parse_size("0").is_err());
        assert!(parse_size("64 KB!").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }
}
