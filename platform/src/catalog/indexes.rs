//! The catalog of every region this process serves: one in-memory index per region that
//! follows the region's catalog version (polled from the database, so a change made by
//! another process is picked up too), and search results cached under a key that contains
//! the version of the index that produced them.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use bytes::Bytes;
use chrono::NaiveDate;

use crate::cache::{Cache, MemoryCache};
use crate::db::{Db, DbError};
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::tenant_id::TenantId;

use super::cards::Cards;
use super::index::CatalogIndex;
use super::store;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("не удалось построить поисковый индекс: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("построение индекса прервано: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error("построение индекса прервано")]
    Interrupted,
}

/// The catalog's failures as the cores' one error: the database out of reach stays an
/// outage (503), the rest is internal.
impl From<CatalogError> for ServiceError {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::Db(e) => e.into(),
            other => ServiceError::Internal(other.into()),
        }
    }
}

/// How long a cached search result lives. Staleness is not the concern (the key holds the
/// index version); memory is.
const RESULT_TTL: Duration = Duration::from_secs(600);

pub struct Catalog {
    db: Db,
    cache: Cache,
    indexes: RwLock<HashMap<TenantId, Arc<CatalogIndex>>>,
    /// Latest catalog version seen per region.
    known: RwLock<HashMap<TenantId, i64>>,
    /// Regions whose index is being rebuilt in the background.
    rebuilding: Mutex<HashSet<TenantId>>,
    /// One build at a time per process: a build of 100 000 programs takes the CPU.
    build_lock: tokio::sync::Mutex<()>,
    /// Per region, the rendered cards of its current index, revision and day.
    cards: Mutex<HashMap<TenantId, Arc<Cards>>>,
    /// Bytes those tables keep, together (bounded by `cards::BUDGET`).
    card_bytes: Arc<AtomicUsize>,
    /// The last page of each program this process showed, for when the database is out of
    /// reach. In the process, not in Redis: a crawler walking the catalog must not fill the
    /// store that holds the sessions, and a copy is only needed where the page was seen.
    saved: MemoryCache,
}

/// What the saved program pages may take of a process.
const SAVED_BYTES: usize = 32 * 1024 * 1024;
/// How long a saved page may be served.
const SAVED_TTL: Duration = Duration::from_secs(6 * 60 * 60);

impl Catalog {
    pub fn new(db: Db, cache: Cache) -> Arc<Self> {
        Arc::new(Self {
            db,
            cache,
            indexes: RwLock::default(),
            known: RwLock::default(),
            rebuilding: Mutex::default(),
            build_lock: tokio::sync::Mutex::new(()),
            cards: Mutex::default(),
            card_bytes: Arc::default(),
            saved: MemoryCache::with_limit(SAVED_BYTES),
        })
    }

    /// Keeps `page` as the copy of program `id` to show while the database is away.
    pub fn save_copy(&self, tenant: TenantId, id: i64, page: Bytes) {
        let key = crate::cache::region_key("program", tenant, &id.to_string());
        self.saved.set(&key, page, SAVED_TTL);
    }

    /// The saved copy of program `id`, if this process showed it lately.
    pub fn saved_copy(&self, tenant: TenantId, id: i64) -> Option<Bytes> {
        self.saved.get(&crate::cache::region_key(
            "program",
            tenant,
            &id.to_string(),
        ))
    }

    /// Forgets the copy of a program no longer published.
    pub fn forget_copy(&self, tenant: TenantId, id: i64) {
        self.saved.delete(&crate::cache::region_key(
            "program",
            tenant,
            &id.to_string(),
        ));
    }

    /// Reads every region's catalog version.
    pub async fn refresh_versions(&self) -> Result<(), DbError> {
        let versions = store::versions(&self.db).await?;
        let mut known = self.known.write().expect("versions lock");
        for (tenant, version) in versions {
            let entry = known.entry(tenant).or_default();
            *entry = (*entry).max(version);
        }
        Ok(())
    }

    /// Records a version this process just committed, so it need not wait for the poll.
    pub fn note_version(&self, tenant: TenantId, version: i64) {
        let mut known = self.known.write().expect("versions lock");
        let entry = known.entry(tenant).or_default();
        *entry = (*entry).max(version);
    }

    fn known_version(&self, tenant: TenantId) -> i64 {
        self.known
            .read()
            .expect("versions lock")
            .get(&tenant)
            .copied()
            .unwrap_or(0)
    }

    /// The region's index. The first request builds it; when a newer version is known, the
    /// current index keeps answering while a new one is built in the background.
    pub async fn index(
        self: &Arc<Self>,
        tenant: &Tenant,
    ) -> Result<Arc<CatalogIndex>, CatalogError> {
        let known = self.known_version(tenant.id);
        let current = self
            .indexes
            .read()
            .expect("index lock")
            .get(&tenant.id)
            .cloned();
        match current {
            Some(index) if index.version >= known => Ok(index),
            Some(stale) => {
                self.rebuild_in_background(tenant.id);
                Ok(stale)
            }
            None => {
                let _guard = self.build_lock.lock().await;
                if let Some(index) = self.indexes.read().expect("index lock").get(&tenant.id) {
                    return Ok(index.clone());
                }
                self.build(tenant.id).await
            }
        }
    }

    fn rebuild_in_background(self: &Arc<Self>, tenant: TenantId) {
        if !self.rebuilding.lock().expect("rebuild lock").insert(tenant) {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            let result = {
                let _guard = this.build_lock.lock().await;
                this.build(tenant).await
            };
            if let Err(e) = result {
                tracing::error!(%tenant, error = %e, "catalog index rebuild failed");
            }
            this.rebuilding
                .lock()
                .expect("rebuild lock")
                .remove(&tenant);
        });
    }

    #[tracing::instrument(skip(self))]
    async fn build(&self, tenant: TenantId) -> Result<Arc<CatalogIndex>, CatalogError> {
        let started = std::time::Instant::now();
        // The version is read before the data: a change committed meanwhile leaves this
        // index one version behind, and the next request rebuilds it.
        let version = store::version(&self.db, tenant).await?;
        let (groups_tx, groups_rx) = tokio::sync::oneshot::channel();
        let db = self.db.clone();
        tokio::spawn(async move {
            let _ = groups_tx.send(store::group_locations(&db, tenant).await);
        });
        let catalog = store::published_catalog(&self.db, tenant, store::Descriptions::With).await?;
        let profiles = store::profiles(&self.db, tenant).await?;
        let load_ms = started.elapsed().as_millis() as u64;
        let index = tokio::task::spawn_blocking(move || {
            CatalogIndex::build(version, catalog, profiles, move || {
                groups_rx
                    .blocking_recv()
                    .map_err(|_| CatalogError::Interrupted)?
                    .map_err(CatalogError::from)
            })
        })
        .await??;
        let index = Arc::new(index);
        tracing::info!(
            %tenant,
            version,
            programs = index.docs.len(),
            load_ms,
            ms = started.elapsed().as_millis() as u64,
            "catalog index built"
        );
        self.note_version(tenant, version);
        self.indexes
            .write()
            .expect("index lock")
            .insert(tenant, index.clone());
        Ok(index)
    }

    /// The rendered cards of `index` for the region and day; a new table when any of the
    /// three changed.
    pub fn cards(&self, index: &CatalogIndex, tenant: &Tenant, today: NaiveDate) -> Arc<Cards> {
        let current = |cards: &HashMap<TenantId, Arc<Cards>>| {
            cards
                .get(&tenant.id)
                .filter(|table| table.fits(index, tenant, today))
                .cloned()
        };
        if let Some(table) = current(&self.cards.lock().expect("cards lock")) {
            return table;
        }
        // A slot per program: made without holding the lock every region's pages take.
        let table = Arc::new(Cards::new(index, tenant, today, self.card_bytes.clone()));
        let mut cards = self.cards.lock().expect("cards lock");
        if let Some(made_meanwhile) = current(&cards) {
            return made_meanwhile;
        }
        cards.insert(tenant.id, table.clone());
        table
    }

    /// A rendering (JSON, HTML) from the cache, or made by `render` and cached. Callers put
    /// the index version in `key`, so a changed catalog never serves an old rendering.
    pub async fn cached<E>(
        &self,
        key: &str,
        render: impl FnOnce() -> Result<String, E>,
    ) -> Result<Bytes, E> {
        if let Some(hit) = self.cache.get(key).await {
            return Ok(hit);
        }
        let value = Bytes::from(render()?);
        self.cache.set(key, value.clone(), RESULT_TTL).await;
        Ok(value)
    }
}
