//! The catalog of every region this process serves: one in-memory index per region that
//! follows the region's catalog version (polled from the database, so a change made by
//! another process is picked up too), and search results cached under a key that contains
//! the version of the index that produced them.
//!
//! A new version is applied to the current index (the programs changed since read from
//! the database, `CatalogIndex::apply`): milliseconds, where a full build of a large region
//! takes seconds. Once the applied changes pass `compact_after` programs, a full build is
//! made in the background and replaces the patched index. How soon a change is answered:
//! another process's commit is seen at the next poll of the versions (`registry_poll`,
//! 1 s by default), which starts the apply at once; so within the poll interval plus the
//! apply (tens of milliseconds), under 2 s. This process's own writes (`note_version`)
//! start it right away.

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
use super::index::{CatalogIndex, Changes};
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

/// Programs applied to an index since its full build past which a full build is made in
/// the background: 1 % of the catalog (a region's small catalog is rebuilt in
/// milliseconds anyway, so at least 64). The changed programs' text index grows with them,
/// and each search looks words up in it.
fn compact_after(programs: usize) -> usize {
    (programs / 100).max(64)
}

/// Past `compact_after` times this, changes are not applied at all: a full build answers
/// sooner than applying thousands of programs.
const MAX_APPLIED_FACTOR: usize = 4;

/// How long a cached search result lives. Staleness is not the concern (the key holds the
/// index version); memory is.
const RESULT_TTL: Duration = Duration::from_secs(600);

pub struct Catalog {
    db: Db,
    cache: Cache,
    indexes: RwLock<HashMap<TenantId, Arc<CatalogIndex>>>,
    /// Latest catalog version seen per region.
    known: RwLock<HashMap<TenantId, i64>>,
    /// Regions whose index is being brought up to date in the background.
    rebuilding: Mutex<HashSet<TenantId>>,
    /// Regions whose index is being built afresh in the background (see `compact`).
    compacting: Mutex<HashSet<TenantId>>,
    /// One build at a time per process: a build of 100 000 programs takes the CPU.
    build_lock: tokio::sync::Mutex<()>,
    /// Per region, its cards for its current revision and day.
    cards: Mutex<HashMap<TenantId, Arc<Cards>>>,
    /// Bytes the rendered cards keep, together (bounded by `cards::BUDGET`).
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
            compacting: Mutex::default(),
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

    /// Reads every region's catalog version, and starts bringing the indexes of those that
    /// changed up to date: a change becomes searchable without waiting for a search.
    pub async fn refresh_versions(self: &Arc<Self>) -> Result<(), DbError> {
        let versions = store::versions(&self.db).await?;
        for (tenant, version) in versions {
            self.note_version(tenant, version);
        }
        Ok(())
    }

    /// Records a version this process just committed, so it need not wait for the poll,
    /// and starts applying it to the region's index.
    pub fn note_version(self: &Arc<Self>, tenant: TenantId, version: i64) {
        {
            let mut known = self.known.write().expect("versions lock");
            let entry = known.entry(tenant).or_default();
            *entry = (*entry).max(version);
        }
        if self
            .current(tenant)
            .is_some_and(|index| index.version < version)
        {
            self.rebuild_in_background(tenant);
        }
    }

    fn current(&self, tenant: TenantId) -> Option<Arc<CatalogIndex>> {
        self.indexes
            .read()
            .expect("index lock")
            .get(&tenant)
            .cloned()
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
        match self.current(tenant.id) {
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
            if let Err(e) = this.update(tenant).await {
                tracing::error!(%tenant, error = %e, "catalog index update failed");
            }
            this.rebuilding
                .lock()
                .expect("rebuild lock")
                .remove(&tenant);
            // A version noted while this task was finishing started no task of its own.
            if this
                .current(tenant)
                .is_some_and(|index| index.version < this.known_version(tenant))
            {
                this.rebuild_in_background(tenant);
            }
        });
    }

    /// Brings the region's index to the latest known version: applies the changes, or
    /// builds afresh where they cannot be applied.
    async fn update(self: &Arc<Self>, tenant: TenantId) -> Result<(), CatalogError> {
        while let Some(current) = self.current(tenant) {
            if current.version >= self.known_version(tenant) {
                break;
            }
            match self.apply_changes(tenant, &current).await? {
                Some(next) => {
                    let compact = next.applied() > compact_after(next.docs.len());
                    self.install(tenant, Arc::new(next), Some(&current));
                    if compact {
                        self.compact_in_background(tenant);
                    }
                }
                None => {
                    let _guard = self.build_lock.lock().await;
                    self.build(tenant).await?;
                }
            }
        }
        Ok(())
    }

    /// The index of the region's current version made from `index` and what changed
    /// since; `None` when a full build is due instead (too many changes, or ones `apply`
    /// declines).
    #[tracing::instrument(skip(self, index), fields(from = index.version))]
    async fn apply_changes(
        &self,
        tenant: TenantId,
        index: &Arc<CatalogIndex>,
    ) -> Result<Option<CatalogIndex>, CatalogError> {
        let started = std::time::Instant::now();
        // Read before the changes, as in `build`: a change committed meanwhile is applied
        // again with the next version.
        let store::Version { version, reset_in } = store::version_row(&self.db, tenant).await?;
        if reset_in > index.version {
            // Rows were deleted without a trace since: only a full build knows which.
            return Ok(None);
        }
        let organizations =
            store::organizations_changed_since(&self.db, tenant, index.version).await?;
        let org_ids: Vec<i64> = organizations.iter().map(|o| o.id).collect();
        let ids = store::programs_changed_with(&self.db, tenant, index.version, &org_ids).await?;
        if index.applied() + ids.len() > MAX_APPLIED_FACTOR * compact_after(index.docs.len()) {
            return Ok(None);
        }
        let (programs, groups) = store::listed_programs(&self.db, tenant, &ids).await?;
        let changes = Changes {
            ids,
            programs,
            groups,
            organizations,
            profiles: store::profiles(&self.db, tenant).await?,
        };
        let load_us = started.elapsed().as_micros() as u64;
        let changed = changes.ids.len();
        let index = index.clone();
        let (next, cpu) = tokio::task::spawn_blocking(move || {
            let cpu = super::cpu_time::ThreadCpu::start();
            let next = index.apply(version, changes);
            (next, cpu.elapsed())
        })
        .await?;
        let next = next?;
        tracing::info!(
            %tenant,
            version,
            changed,
            applied = next.is_some(),
            load_us,
            apply_cpu_us = cpu.map(|d| d.as_micros() as u64),
            us = started.elapsed().as_micros() as u64,
            "catalog changes applied"
        );
        Ok(next)
    }

    /// Makes `index` the region's, unless a newer one is there already. `based_on` is the
    /// index it was made from: a full build installed meanwhile at the same version wins.
    fn install(
        &self,
        tenant: TenantId,
        index: Arc<CatalogIndex>,
        based_on: Option<&Arc<CatalogIndex>>,
    ) {
        let mut indexes = self.indexes.write().expect("index lock");
        let replace = match (indexes.get(&tenant), based_on) {
            (None, _) => true,
            (Some(now), Some(base)) if Arc::ptr_eq(now, base) => true,
            (Some(now), _) => {
                now.version < index.version || (based_on.is_none() && now.version <= index.version)
            }
        };
        if replace {
            indexes.insert(tenant, index);
        }
    }

    /// Builds the region's index afresh in the background, while changes keep being
    /// applied to the current one; then catches it up and swaps it in.
    fn compact_in_background(self: &Arc<Self>, tenant: TenantId) {
        if !self.compacting.lock().expect("compact lock").insert(tenant) {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            if let Err(e) = this.compact(tenant).await {
                tracing::error!(%tenant, error = %e, "catalog index compaction failed");
            }
            this.compacting
                .lock()
                .expect("compact lock")
                .remove(&tenant);
        });
    }

    async fn compact(&self, tenant: TenantId) -> Result<(), CatalogError> {
        let mut fresh = {
            let _guard = self.build_lock.lock().await;
            Arc::new(self.load_and_build(tenant).await?)
        };
        loop {
            let now = self.current(tenant).map_or(0, |i| i.version);
            if fresh.version >= now {
                self.install(tenant, fresh, None);
                return Ok(());
            }
            match self.apply_changes(tenant, &fresh).await? {
                Some(next) => fresh = Arc::new(next),
                // Left to the next compaction.
                None => return Ok(()),
            }
        }
    }

    /// Builds the region's index afresh and makes it the region's.
    async fn build(&self, tenant: TenantId) -> Result<Arc<CatalogIndex>, CatalogError> {
        let index = Arc::new(self.load_and_build(tenant).await?);
        self.known
            .write()
            .expect("versions lock")
            .entry(tenant)
            .and_modify(|v| *v = (*v).max(index.version))
            .or_insert(index.version);
        self.indexes
            .write()
            .expect("index lock")
            .insert(tenant, index.clone());
        Ok(index)
    }

    #[tracing::instrument(skip(self))]
    async fn load_and_build(&self, tenant: TenantId) -> Result<CatalogIndex, CatalogError> {
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
        tracing::info!(
            %tenant,
            version,
            programs = index.docs.len(),
            load_ms,
            ms = started.elapsed().as_millis() as u64,
            "catalog index built"
        );
        Ok(index)
    }

    /// The region's rendered cards for its revision and day (kept with the programs'
    /// records: see `cards.rs`).
    pub fn cards(&self, tenant: &Tenant, today: NaiveDate) -> Arc<Cards> {
        let mut cards = self.cards.lock().expect("cards lock");
        match cards.get(&tenant.id) {
            Some(table) if table.fits(tenant, today) => table.clone(),
            _ => {
                let table = Arc::new(Cards::new(tenant, today, self.card_bytes.clone()));
                cards.insert(tenant.id, table.clone());
                table
            }
        }
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
