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
    pub sessions: SessionPolicy,
    pub rate_limits: RateLimits,
    /// The first retry of a mail that could not be sent; each next one waits twice as long.
    pub mail_retry_base: Duration,
    /// How often the outbox is checked for mail written by other processes and for retries.
    pub mail_poll: Duration,
    /// Concurrent password hashes (each takes 19 MiB and a core for tens of milliseconds).
    pub hash_concurrency: usize,
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
            sessions: SessionPolicy::default(),
            rate_limits: RateLimits::default(),
            mail_retry_base: Duration::from_secs(5),
            mail_poll: Duration::from_secs(1),
            hash_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
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
}
