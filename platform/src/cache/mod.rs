//! The shared cache: Redis when `REDIS_URL` is set, an in-process map otherwise.
//!
//! One interface for both, so nothing above this layer knows which one runs. A cache is
//! never the only copy of anything that matters: when Redis is unreachable, reads are
//! misses and writes are dropped (with a warning), and the callers fall back to the
//! database — public pages keep working.

mod memory;
mod redis_cache;

use std::time::Duration;

use bytes::Bytes;

pub use memory::MemoryCache;
pub use redis_cache::RedisCache;

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
    #[error("Redis недоступен: {0}")]
    Unreachable(#[from] redis::RedisError),
}

impl Cache {
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
        match self {
            Cache::Memory(m) => m.get(key),
            Cache::Redis(r) => r.get(key).await,
        }
    }

    pub async fn set(&self, key: &str, value: Bytes, ttl: Duration) {
        match self {
            Cache::Memory(m) => m.set(key, value, ttl),
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
    /// far and the time until the window ends. `None` when the cache is unreachable.
    pub async fn incr(&self, key: &str, window: Duration) -> Option<(u64, Duration)> {
        match self {
            Cache::Memory(m) => Some(m.incr(key, window)),
            Cache::Redis(r) => r.incr(key, window).await,
        }
    }

    pub async fn delete(&self, key: &str) {
        match self {
            Cache::Memory(m) => m.delete(key),
            Cache::Redis(r) => r.delete(key).await,
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
