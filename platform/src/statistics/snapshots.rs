//! Dashboards are served from snapshots. At a region's full size (100 000 programs, a
//! million applications) an охват takes seconds of database work (BENCHMARKS.md), far
//! too long for a page, and the figures of a period move slowly: so each computed
//! dashboard is kept for `FRESH_FOR` and shown «по состоянию на» its time, and a warmer
//! (`warm`, every `WARM_EVERY` from `app`) computes again, one at a time, the snapshots
//! that would expire before its next round: of the school year (what a dashboard opens on)
//! opened in the last day, of another period opened in the last hour. One computation runs
//! at a time per region and process: a burst of views waits for the one in progress
//! instead of repeating it, and one region's statistics never queue behind another's.

use std::collections::HashMap;
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

/// How long a computed dashboard is shown before a view computes it again.
pub const FRESH_FOR: Duration = Duration::minutes(15);
/// How often the warmer runs (under `FRESH_FOR`, so a warmed snapshot never expires).
pub const WARM_EVERY: std::time::Duration = std::time::Duration::from_secs(10 * 60);
/// School-year dashboards opened within this long are kept warm…
const WANTED_FOR: Duration = Duration::hours(24);
/// …and those of another period opened within this long.
const OTHER_PERIOD_WANTED_FOR: Duration = Duration::hours(1);
/// At most this many snapshots are kept; the least recently opened go first.
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

struct Kept {
    snapshot: Arc<Snapshot>,
    opened_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct Statistics {
    db: Db,
    clock: Clock,
    kept: Arc<Mutex<HashMap<Key, Kept>>>,
    /// One computation at a time per region.
    turns: Arc<Mutex<HashMap<TenantId, Arc<tokio::sync::Mutex<()>>>>>,
}

impl Statistics {
    pub fn new(db: Db, clock: Clock) -> Self {
        Self {
            db,
            clock,
            kept: Arc::default(),
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

    /// Drops the region's snapshots: its settings (child population, budgets) changed.
    pub fn forget(&self, tenant: TenantId) {
        self.kept
            .lock()
            .expect("statistics snapshots")
            .retain(|key, _| key.tenant != tenant);
    }

    /// The dashboard `kind` of `scope` for `period`: the snapshot while fresh, otherwise
    /// computed now (after the computation in progress, if any).
    #[tracing::instrument(skip(self, tenant, scope), fields(region = tenant.slug()))]
    pub async fn dashboard(
        &self,
        tenant: &Tenant,
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
        if let Some(s) = self.fresh(&key, true) {
            return Ok(s);
        }
        let turn = self.turn(tenant.id);
        let _turn = turn.lock().await;
        if let Some(s) = self.fresh(&key, true) {
            return Ok(s);
        }
        self.compute(tenant, scope, key).await
    }

    /// Computes again, oldest first, the wanted snapshots that would expire before the next
    /// round; returns how many. A failure is logged and the others still get their turn.
    #[tracing::instrument(skip(self, registry))]
    pub async fn warm(&self, registry: &Registry) -> Result<usize, ServiceError> {
        let now = self.clock.now();
        let next_round = Duration::from_std(WARM_EVERY).unwrap_or(FRESH_FOR);
        let tenants = registry.tenants();
        let mut wanted: Vec<(DateTime<Utc>, Key)> = {
            let kept = self.kept.lock().expect("statistics snapshots");
            kept.iter()
                .filter(|(key, k)| {
                    let school_year = tenants.iter().any(|t| {
                        t.id == key.tenant
                            && key.period == Period::school_year(t.today(&self.clock))
                    });
                    let wanted_for = if school_year {
                        WANTED_FOR
                    } else {
                        OTHER_PERIOD_WANTED_FOR
                    };
                    now - k.opened_at < wanted_for
                        && k.snapshot.computed_at + FRESH_FOR <= now + next_round
                })
                .map(|(key, k)| (k.snapshot.computed_at, key.clone()))
                .collect()
        };
        wanted.sort_by_key(|(at, _)| *at);
        let mut done = 0;
        for (_, key) in wanted {
            let Some(tenant) = tenants.iter().find(|t| t.id == key.tenant) else {
                continue;
            };
            let scope = match &key.municipality {
                None => AdminScope::Region,
                Some(m) => AdminScope::Municipality(m.clone()),
            };
            let turn = self.turn(tenant.id);
            let _turn = turn.lock().await;
            match self.compute(tenant, &scope, key).await {
                Ok(_) => done += 1,
                Err(e) => {
                    tracing::warn!(region = tenant.slug(), error = %e, "statistics snapshot not refreshed")
                }
            }
        }
        Ok(done)
    }

    fn fresh(&self, key: &Key, opened: bool) -> Option<Arc<Snapshot>> {
        let now = self.clock.now();
        let mut kept = self.kept.lock().expect("statistics snapshots");
        let k = kept.get_mut(key)?;
        if opened {
            k.opened_at = now;
        }
        (now - k.snapshot.computed_at < FRESH_FOR).then(|| k.snapshot.clone())
    }

    async fn compute(
        &self,
        tenant: &Tenant,
        scope: &AdminScope,
        key: Key,
    ) -> Result<Arc<Snapshot>, ServiceError> {
        let computed_at = self.clock.now();
        let request = Request {
            db: &self.db,
            tenant,
            scope,
            period: key.period,
            today: tenant.today(&self.clock),
        };
        let tables = dashboards::build(key.kind, &request).await?;
        let snapshot = Arc::new(Snapshot {
            computed_at,
            tables,
        });
        let mut kept = self.kept.lock().expect("statistics snapshots");
        let opened_at = kept.get(&key).map_or(computed_at, |k| k.opened_at);
        if kept.len() >= MAX_KEPT && !kept.contains_key(&key) {
            let now = self.clock.now();
            kept.retain(|_, k| now - k.opened_at < WANTED_FOR);
            if kept.len() >= MAX_KEPT {
                if let Some(oldest) = kept
                    .iter()
                    .min_by_key(|(_, k)| k.opened_at)
                    .map(|(key, _)| key.clone())
                {
                    kept.remove(&oldest);
                }
            }
        }
        kept.insert(
            key,
            Kept {
                snapshot: snapshot.clone(),
                opened_at,
            },
        );
        Ok(snapshot)
    }
}
