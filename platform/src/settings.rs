//! What a server process is configured with, from flags or the environment (see `cli`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tenants::Host;

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    /// `sqlite://…` or `postgres://…`; `None` means the SQLite file under `data_dir`.
    pub database_url: Option<String>,
    pub redis_url: Option<String>,
    /// Prefix of every Redis key, so deployments or test runs can share one Redis.
    pub redis_prefix: String,
    pub smtp_url: Option<String>,
    pub data_dir: PathBuf,
    /// `навигатор.дети`: the apex shows the region list, `{slug}.{base}` each region.
    pub base_domain: Host,
    /// Believe `X-Forwarded-Host`/`-Proto` (only behind a proxy that sets them).
    pub trust_proxy: bool,
    /// How often a server checks whether the regions changed.
    pub registry_poll: Duration,
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
            data_dir,
            base_domain: Host::parse("localhost").expect("valid host"),
            trust_proxy: false,
            registry_poll: Duration::from_secs(1),
        }
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("navigator.db").display()),
        }
    }
}
