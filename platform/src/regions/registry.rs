//! The registry: which regions exist and which host serves which, held in memory by every
//! server process and reloaded when the shared registry version moves.
//!
//! The version lives in the database (the truth) and is cached for a moment in the shared
//! cache, so N processes behind Redis cost the database one small read per interval; an
//! apply deletes the cached value, so they all notice within one poll.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use tenants::{Host, HostTable, Resolution};

use crate::cache::Cache;
use crate::db::{Db, DbError};

use super::{store, Tenant};

pub const VERSION_KEY: &str = "registry:version";
const VERSION_TTL: Duration = Duration::from_secs(2);

/// What a request's host points at.
#[derive(Debug, Clone)]
pub enum Site {
    /// The platform's own host: the list of regions.
    Apex,
    Region(Arc<Tenant>),
    Unknown,
}

pub struct Registry {
    base_domain: Host,
    current: RwLock<Arc<Snapshot>>,
}

struct Snapshot {
    version: i64,
    tenants: Vec<Arc<Tenant>>,
    hosts: HostTable,
}

impl Registry {
    #[tracing::instrument(skip_all)]
    pub async fn load(db: &Db, base_domain: Host) -> Result<Self, DbError> {
        let snapshot = Snapshot::load(db, &base_domain).await?;
        Ok(Self {
            base_domain,
            current: RwLock::new(Arc::new(snapshot)),
        })
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        self.current.read().expect("registry lock").clone()
    }

    pub fn base_domain(&self) -> &Host {
        &self.base_domain
    }

    pub fn version(&self) -> i64 {
        self.snapshot().version
    }

    /// Resolves a raw `Host` header value.
    pub fn resolve(&self, host: &str) -> Site {
        let snapshot = self.snapshot();
        match snapshot.hosts.resolve(host) {
            Resolution::Apex => Site::Apex,
            Resolution::Unknown => Site::Unknown,
            Resolution::Tenant(slug) => snapshot
                .tenants
                .iter()
                .find(|t| t.config.slug == *slug)
                .map_or(Site::Unknown, |t| Site::Region(t.clone())),
        }
    }

    /// Every region, ordered by region code.
    pub fn tenants(&self) -> Vec<Arc<Tenant>> {
        self.snapshot().tenants.clone()
    }

    /// The region whose slug is `slug`.
    pub fn by_slug(&self, slug: &str) -> Option<Arc<Tenant>> {
        self.snapshot()
            .tenants
            .iter()
            .find(|t| t.slug() == slug)
            .cloned()
    }

    /// Reloads if the shared version moved; returns whether it did.
    pub async fn refresh(&self, db: &Db, cache: &Cache) -> Result<bool, DbError> {
        let version = match cache
            .get_text(VERSION_KEY)
            .await
            .and_then(|v| v.parse().ok())
        {
            Some(v) => v,
            None => {
                let v = store::registry_version(db).await?;
                cache
                    .set_text(VERSION_KEY, &v.to_string(), VERSION_TTL)
                    .await;
                v
            }
        };
        if version == self.version() {
            return Ok(false);
        }
        let snapshot = Snapshot::load(db, &self.base_domain).await?;
        tracing::info!(
            from = self.version(),
            to = snapshot.version,
            regions = snapshot.tenants.len(),
            "regions reloaded"
        );
        *self.current.write().expect("registry lock") = Arc::new(snapshot);
        Ok(true)
    }
}

impl Snapshot {
    async fn load(db: &Db, base_domain: &Host) -> Result<Self, DbError> {
        // The version is read first: a change committed while the tenants are read makes
        // the next poll reload again rather than be missed.
        let version = store::registry_version(db).await?;
        let mut hosts = HostTable::new(base_domain);
        let mut tenants = Vec::new();
        for tenant in store::load_all(db).await? {
            match hosts.insert(&tenant.config.slug, &tenant.config.hosts) {
                Ok(()) => tenants.push(Arc::new(tenant)),
                Err(e) => tracing::error!(slug = tenant.slug(), error = %e, "region not served"),
            }
        }
        Ok(Self {
            version,
            tenants,
            hosts,
        })
    }
}
