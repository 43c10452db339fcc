//! Dashboards are served from snapshots. At a region's full size (100 000 programs, a
//! million applications) an охват takes seconds of database work (BENCHMARKS.md), far
//! too long for a page, and the figures of a period move slowly. So each computed
//! dashboard is kept and shown «по состоянию на» its time: for `FRESH_FOR` as it is, after
//! that still shown at once while it is computed again in the background (the next view
//! has the new one). Only a dashboard never computed in this process is computed while
//! its viewer waits — and the warmer (`warm`, every `WARM_EVERY` from `app`) computes the
//! school-year dashboards (what a dashboard opens on) of every region and municipality,
//! and before they expire those someone opened lately, so that wait is rare.
//!
//! One computation runs at a time per region and process: a burst of views waits for the
//! one in progress instead of repeating it, and one region's statistics never queue
//! behind another's. Snapshots live in the process: N processes compute N times.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

use crate::accounts::AdminScope;
use crate::db::Db;
use crate::regions::{Registry, Tenant};
use crate::service_error::ServiceError;
use crate::tenant_id::TenantId;
use crate::time::Clock;

use super::dashboards::{self, Kind, Request};
use super::period::Period;
use super::table::Table;

/// How long a computed dashboard is shown as it is; after that it is computed again.
pub const FRESH_FOR: Duration = Duration::minutes(15);
/// How often the warmer runs (under `FRESH_FOR`, so a snapshot in use never goes stale).
pub const WARM_EVERY: std::time::Duration = std::time::Duration::from_secs(10 * 60);
/// School-year dashboards opened within this long are kept fresh…
const WANTED_FOR: Duration = Duration::hours(24);
/// …and those of another period opened within this long.
const OTHER_PERIOD_WANTED_FOR: Duration = Duration::hours(1);
/// At most this many snapshots are kept; of the others, the least recently opened go.
const MAX_KEPT: usize = 2_000;

/// A dashboard of a scope and period, as computed at `computed_at`.
#[derive(Debug)]
pub struct Snapshot {
    pub computed_at: DateTime<Utc>,
    pub tables: Vec<Table>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    tenant: TenantId,
    municipality: Option<String>,
    kind: Kind,
    period: Period,
}

impl Key {
    fn scope(&self) -> AdminScope {
        match &self.municipality {
            None => AdminScope::Region,
            Some(m) => AdminScope::Municipality(m.clone()),
        }
    }
}

struct Kept {
    snapshot: Arc<Snapshot>,
    /// When a person last opened it; `None` for one only the warmer made.
    opened_at: Option<DateTime<Utc>>,
    /// The region's settings changed since: computed again on its next view.
    expired: bool,
}

#[derive(Clone)]
pub struct Statistics {
    db: Db,
    clock: Clock,
    kept: Arc<Mutex<HashMap<Key, Kept>>>,
    /// The snapshots being computed again in the background.
    refreshing: Arc<Mutex<HashSet<Key>>>,
    /// One computation at a time per region.
    turns: Arc<Mutex<HashMap<TenantId, Arc<tokio::sync::Mutex<()>>>>>,
}

impl Statistics {
    pub fn new(db: Db, clock: Clock) -> Self {
        Self {
            db,
            clock,
            kept: Arc::default(),
            refreshing: Arc::default(),
            turns: Arc::default(),
        }
    }

    /// The region's turn to compute.
    fn turn(&self, tenant: TenantId) -> Arc<tokio::sync::Mutex<()>> {
        self.turns
            .lock()
            .expect("statistics turns")
            .entry(tenant)
            .or_default()
            .clone()
    }

    /// Marks the region's snapshots for computing again: its settings (child population,
    /// budgets) changed.
    pub fn forget(&self, tenant: TenantId) {
        for (_, k) in self
            .kept
            .lock()
            .expect("statistics snapshots")
            .iter_mut()
            .filter(|(key, _)| key.tenant == tenant)
        {
            k.expired = true;
        }
    }

    /// The dashboard `kind` of `scope` for `period`: its snapshot (a stale one is computed
    /// again in the background), or, for one never computed, computed now.
    #[tracing::instrument(skip(self, tenant, scope), fields(region = tenant.slug()))]
    pub async fn dashboard(
        &self,
        tenant: &Arc<Tenant>,
        scope: &AdminScope,
        kind: Kind,
        period: Period,
    ) -> Result<Arc<Snapshot>, ServiceError> {
        let key = Key {
            tenant: tenant.id,
            municipality: scope.municipality().map(str::to_owned),
            kind,
            period,
        };
        if let Some((snapshot, fresh)) = self.open(&key) {
            if !fresh {
                self.refresh_later(tenant.clone(), key);
            }
            return Ok(snapshot);
        }
        let turn = self.turn(tenant.id);
        let _turn = turn.lock().await;
        if let Some((snapshot, _)) = self.open(&key) {
            return Ok(snapshot);
        }
        let snapshot = self.compute(tenant, key.clone()).await?;
        self.open(&key);
        Ok(snapshot)
    }

    /// One round of the warmer: computes the school-year dashboards of every region and
    /// municipality not computed yet, then, oldest first, the snapshots opened lately that
    /// would go stale before the next round. Returns how many it computed; a failure is
    /// logged and the others still get their turn.
    #[tracing::instrument(skip(self, registry))]
    pub async fn warm(&self, registry: &Registry) -> Result<usize, ServiceError> {
        let tenants = registry.tenants();
        let mut done = 0;
        for tenant in &tenants {
            let period = Period::school_year(tenant.today(&self.clock));
            let scopes = std::iter::once(None).chain(
                tenant
                    .config
                    .municipalities
                    .iter()
                    .map(|m| Some(m.id.to_string())),
            );
            for municipality in scopes {
                for kind in Kind::ALL {
                    let key = Key {
                        tenant: tenant.id,
                        municipality: municipality.clone(),
                        kind,
                        period,
                    };
                    if !self
                        .kept
                        .lock()
                        .expect("statistics snapshots")
                        .contains_key(&key)
                    {
                        done += self.compute_in_turn(tenant, key).await;
                    }
                }
            }
        }
        for key in self.due(&tenants) {
            if let Some(tenant) = tenants.iter().find(|t| t.id == key.tenant) {
                done += self.compute_in_turn(tenant, key).await;
            }
        }
        Ok(done)
    }

    /// The snapshots opened lately that would go stale before the next round, oldest first.
    fn due(&self, tenants: &[Arc<Tenant>]) -> Vec<Key> {
        let now = self.clock.now();
        let next_round = Duration::from_std(WARM_EVERY).unwrap_or(FRESH_FOR);
        let kept = self.kept.lock().expect("statistics snapshots");
        let mut due: Vec<(DateTime<Utc>, Key)> = kept
            .iter()
            .filter(|(key, k)| {
                let school_year = tenants.iter().any(|t| {
                    t.id == key.tenant && key.period == Period::school_year(t.today(&self.clock))
                });
                let wanted_for = if school_year {
                    WANTED_FOR
                } else {
                    OTHER_PERIOD_WANTED_FOR
                };
                k.opened_at.is_some_and(|at| now - at < wanted_for)
                    && (k.expired || k.snapshot.computed_at + FRESH_FOR <= now + next_round)
            })
            .map(|(key, k)| (k.snapshot.computed_at, key.clone()))
            .collect();
        due.sort_by_key(|(at, _)| *at);
        due.into_iter().map(|(_, key)| key).collect()
    }

    /// Computes `key` in the region's turn: 1 done, or 0 with the failure logged.
    async fn compute_in_turn(&self, tenant: &Tenant, key: Key) -> usize {
        let turn = self.turn(tenant.id);
        let _turn = turn.lock().await;
        match self.compute(tenant, key).await {
            Ok(_) => 1,
            Err(e) => {
                tracing::warn!(region = tenant.slug(), error = %e, "statistics snapshot not computed");
                0
            }
        }
    }

    /// Computes a stale snapshot again in the background, once however many views ask.
    fn refresh_later(&self, tenant: Arc<Tenant>, key: Key) {
        if !self
            .refreshing
            .lock()
            .expect("statistics refreshes")
            .insert(key.clone())
        {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            let still_stale = this.open_quietly(&key).is_none_or(|(_, fresh)| !fresh);
            if still_stale {
                this.compute_in_turn(&tenant, key.clone()).await;
            }
            this.refreshing
                .lock()
                .expect("statistics refreshes")
                .remove(&key);
        });
    }

    /// The kept snapshot and whether it is fresh, marked as opened now.
    fn open(&self, key: &Key) -> Option<(Arc<Snapshot>, bool)> {
        let now = self.clock.now();
        let mut kept = self.kept.lock().expect("statistics snapshots");
        let k = kept.get_mut(key)?;
        k.opened_at = Some(now);
        Some((k.snapshot.clone(), Self::is_fresh(k, now)))
    }

    /// The same without marking it opened.
    fn open_quietly(&self, key: &Key) -> Option<(Arc<Snapshot>, bool)> {
        let now = self.clock.now();
        let kept = self.kept.lock().expect("statistics snapshots");
        let k = kept.get(key)?;
        Some((k.snapshot.clone(), Self::is_fresh(k, now)))
    }

    fn is_fresh(k: &Kept, now: DateTime<Utc>) -> bool {
        !k.expired && now - k.snapshot.computed_at < FRESH_FOR
    }

    async fn compute(&self, tenant: &Tenant, key: Key) -> Result<Arc<Snapshot>, ServiceError> {
        let computed_at = self.clock.now();
        let scope = key.scope();
        let request = Request {
            db: &self.db,
            tenant,
            scope: &scope,
            period: key.period,
            today: tenant.today(&self.clock),
        };
        let tables = dashboards::build(key.kind, &request).await?;
        let snapshot = Arc::new(Snapshot {
            computed_at,
            tables,
        });
        let mut kept = self.kept.lock().expect("statistics snapshots");
        let opened_at = kept.get(&key).and_then(|k| k.opened_at);
        if kept.len() >= MAX_KEPT && !kept.contains_key(&key) {
            // Out go the least recently opened (never opened: first).
            if let Some(oldest) = kept
                .iter()
                .min_by_key(|(_, k)| k.opened_at)
                .map(|(key, _)| key.clone())
            {
                kept.remove(&oldest);
            }
        }
        kept.insert(
            key,
            Kept {
                snapshot: snapshot.clone(),
                opened_at,
                expired: false,
            },
        );
        Ok(snapshot)
    }
}
