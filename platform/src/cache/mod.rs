//! The shared cache: Redis when `REDIS_URL` is set, an in-process map otherwise.
//!
//! One interface for both, so nothing above this layer knows which one runs. A cache is
//! never the only copy of anything that matters but sessions: when Redis is unreachable,
//! `get` is a miss and `set` is dropped, and the callers fall back to the database — public
//! pages keep working. Sessions use `try_get`/`try_set`, which tell an outage from a miss,
//! so a visitor is told to come back rather than silently logged out.

mod breaker;
mod memory;
mod redis_cache;

use std::time::Duration;

use bytes::Bytes;

pub use memory::MemoryCache;
pub use redis_cache::RedisCache;

use crate::tenant_id::TenantId;

/// The key of one region's entry of `kind`: `{kind}:{tenant}:{rest}`. Every per-region key is
/// made here, so two regions can never share an entry, whatever `rest` holds.
pub fn region_key(kind: &str, tenant: TenantId, rest: &str) -> String {
    format!("{kind}:{tenant}:{rest}")
}

#[derive(Clone)]
pub enum Cache {
    Memory(MemoryCache),
    Redis(RedisCache),
}

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("адрес Redis «{url}» не разобран: {source}")]
    Url {
        url: String,
        source: redis::RedisError,
    },
    #[error("Redis не ответил вовремя")]
    Timeout,
    #[error("Redis недоступен (запросы не отправляются, пока он не ответит на пробный)")]
    CircuitOpen,
    #[error("Redis недоступен: {0}")]
    Unreachable(#[from] redis::RedisError),
}

impl CacheError {
    /// Whether Redis could not be reached (or did not answer in time), as opposed to
    /// refusing a command: only the first opens the circuit.
    pub fn is_unreachable(&self) -> bool {
        match self {
            CacheError::Timeout | CacheError::CircuitOpen => true,
            CacheError::Unreachable(e) => {
                e.is_io_error()
                    || e.is_connection_refusal()
                    || e.is_connection_dropped()
                    || e.is_timeout()
            }
            CacheError::Url { .. } => false,
        }
    }
}

impl Cache {
    /// Another cache on the same Redis (its connection and circuit breaker shared: one
    /// Redis, one view of whether it is up), or another in-process map, so that one use
    /// cannot evict the other's entries (sessions and renderings).
    pub fn sibling(&self) -> Self {
        match self {
            Cache::Memory(_) => Cache::Memory(MemoryCache::new()),
            Cache::Redis(r) => Cache::Redis(r.clone()),
        }
    }

    /// An in-process cache, or Redis at `url`. Every key is prefixed with `prefix`, so
    /// several deployments (or test runs) can share one Redis.
    pub fn new(url: Option<&str>, prefix: &str) -> Result<Self, CacheError> {
        Ok(match url {
            None => Cache::Memory(MemoryCache::new()),
            Some(url) => Cache::Redis(RedisCache::new(url, prefix)?),
        })
    }

    pub fn is_redis(&self) -> bool {
        matches!(self, Cache::Redis(_))
    }

    /// The value under `key`; a miss when absent, expired or the cache is unreachable.
    pub async fn get(&self, key: &str) -> Option<Bytes> {
        self.try_get(key).await.ok().flatten()
    }

    /// The value under `key`, telling a miss from an unreachable cache: for what the cache
    /// is the only copy of (sessions), where "not there" would log people out.
    pub async fn try_get(&self, key: &str) -> Result<Option<Bytes>, CacheError> {
        match self {
            Cache::Memory(m) => Ok(m.get(key)),
            Cache::Redis(r) => r.get(key).await,
        }
    }

    /// Stores `value`; dropped when the cache is unreachable (a cache is never the only copy).
    pub async fn set(&self, key: &str, value: Bytes, ttl: Duration) {
        let _ = self.try_set(key, value, ttl).await;
    }

    pub async fn try_set(&self, key: &str, value: Bytes, ttl: Duration) -> Result<(), CacheError> {
        match self {
            Cache::Memory(m) => {
                m.set(key, value, ttl);
                Ok(())
            }
            Cache::Redis(r) => r.set(key, value, ttl).await,
        }
    }

    /// `get` for text values.
    pub async fn get_text(&self, key: &str) -> Option<String> {
        self.get(key)
            .await
            .and_then(|b| String::from_utf8(b.to_vec()).ok())
    }

    pub async fn set_text(&self, key: &str, value: &str, ttl: Duration) {
        self.set(key, Bytes::copy_from_slice(value.as_bytes()), ttl)
            .await
    }

    /// Counts an event under `key` in a window that starts with the first one: the count so
    /// far and the time until the window ends; an error when the cache is unreachable.
    pub async fn incr(&self, key: &str, window: Duration) -> Result<(u64, Duration), CacheError> {
        match self {
            Cache::Memory(m) => Ok(m.incr(key, window)),
            Cache::Redis(r) => r.incr(key, window).await,
        }
    }

    /// Removes `key`; an error when the cache is unreachable (the entry may outlive it).
    pub async fn delete(&self, key: &str) -> Result<(), CacheError> {
        match self {
            Cache::Memory(m) => {
                m.delete(key);
                Ok(())
            }
            Cache::Redis(r) => r.delete(key).await,
        }
    }

    /// Whether Redis is known to be unreachable right now, without asking it (never, for the
    /// in-process cache): `/readyz` answers at once during an outage.
    pub fn known_unreachable(&self) -> bool {
        match self {
            Cache::Memory(_) => false,
            Cache::Redis(r) => r.circuit_open(),
        }
    }

    /// Whether the cache answers (always, for the in-process one).
    pub async fn ping(&self) -> Result<(), CacheError> {
        match self {
            Cache::Memory(_) => Ok(()),
            Cache::Redis(r) => r.ping().await,
        }
    }
}
