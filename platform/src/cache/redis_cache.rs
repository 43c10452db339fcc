//! Redis behind the cache interface. The connection is made on first use and remade after
//! a failure, so a server starts, and keeps serving, while Redis is down. A circuit breaker
//! ([`Breaker`]) makes every call fail at once while Redis is unreachable, so an outage costs
//! a page nothing but its cache.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use redis::aio::ConnectionManager;
use redis::AsyncCommands;

use super::breaker::{Breaker, Permit};
use super::CacheError;

#[derive(Clone)]
pub struct RedisCache {
    client: redis::Client,
    prefix: Arc<str>,
    /// The live connection, if any. A plain mutex, held only to clone or replace it: a
    /// connection is made by the breaker's one probe, never by a queue of callers.
    conn: Arc<Mutex<Option<ConnectionManager>>>,
    breaker: Arc<Breaker>,
}

/// How long one cache operation (or a connection attempt) may take before it counts as a
/// failure: a slow cache must not make pages slow, and a frozen one opens the circuit.
const OP_TIMEOUT: Duration = Duration::from_millis(300);

impl RedisCache {
    pub fn new(url: &str, prefix: &str) -> Result<Self, CacheError> {
        let client = redis::Client::open(url).map_err(|source| CacheError::Url {
            url: crate::db::redact(url),
            source,
        })?;
        Ok(Self {
            client,
            prefix: prefix.into(),
            conn: Arc::new(Mutex::new(None)),
            breaker: Arc::new(Breaker::new()),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<ConnectionManager>> {
        self.conn.lock().expect("redis connection slot")
    }

    async fn connection(&self) -> Result<ConnectionManager, CacheError> {
        if let Some(conn) = self.slot().as_ref() {
            return Ok(conn.clone());
        }
        let conn = tokio::time::timeout(OP_TIMEOUT, ConnectionManager::new(self.client.clone()))
            .await
            .map_err(|_| CacheError::Timeout)??;
        *self.slot() = Some(conn.clone());
        Ok(conn)
    }

    /// Runs one command with a deadline, if the breaker lets it. A failure forgets the
    /// connection and opens the circuit; it is logged once per outage, not once per call.
    async fn run<T, F, Fut>(&self, op: &str, f: F) -> Result<T, CacheError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let permit = self.breaker.permit(Instant::now());
        if permit == Permit::Refused {
            return Err(CacheError::CircuitOpen);
        }
        // A probe whose caller gave up (a deadline above, a client gone) must not leave the
        // breaker waiting for its answer forever: dropped unfinished, it counts as failed.
        let mut abandoned = (permit == Permit::Probe).then(|| AbandonedProbe(&self.breaker));
        let result = async {
            let conn = self.connection().await?;
            tokio::time::timeout(OP_TIMEOUT, f(conn))
                .await
                .map_err(|_| CacheError::Timeout)?
                .map_err(CacheError::from)
        }
        .await;
        std::mem::forget(abandoned.take());
        match &result {
            Ok(_) => {
                if permit == Permit::Probe {
                    tracing::info!(op, "redis reachable: cache in use");
                }
                self.breaker.succeeded();
            }
            // A refusal by a Redis that answers (a wrong type, out of memory) says nothing
            // about reaching it: logged, the circuit stays as it is.
            Err(e) if !e.is_unreachable() => {
                tracing::warn!(op, error = %e, "redis refused the command");
            }
            Err(e) => {
                if self.breaker.failed(Instant::now()) {
                    tracing::warn!(op, error = %e, "redis unreachable: cache calls fail fast until it answers");
                } else {
                    tracing::debug!(op, error = %e, "redis probe failed");
                }
                *self.slot() = None;
            }
        }
        result
    }

    /// Whether the breaker refuses calls right now (Redis known to be unreachable).
    pub fn circuit_open(&self) -> bool {
        self.breaker.is_open(Instant::now())
    }

    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, CacheError> {
        let key = self.key(key);
        let value = self
            .run("get", |mut c| async move {
                c.get::<_, Option<Vec<u8>>>(key).await
            })
            .await?;
        Ok(value.map(Bytes::from))
    }

    pub async fn set(&self, key: &str, value: Bytes, ttl: Duration) -> Result<(), CacheError> {
        let key = self.key(key);
        let ms = ttl.as_millis().max(1) as u64;
        self.run("set", |mut c| async move {
            redis::cmd("SET")
                .arg(key)
                .arg(&value[..])
                .arg("PX")
                .arg(ms)
                .query_async::<()>(&mut c)
                .await
        })
        .await
    }

    /// INCR with the window set on first use (`PEXPIRE … NX`), in one transaction.
    pub async fn incr(&self, key: &str, window: Duration) -> Result<(u64, Duration), CacheError> {
        let key = self.key(key);
        let ms = window.as_millis().max(1) as u64;
        self.run("incr", |mut c| async move {
            redis::pipe()
                .atomic()
                .incr(&key, 1u64)
                .cmd("PEXPIRE")
                .arg(&key)
                .arg(ms)
                .arg("NX")
                .ignore()
                .cmd("PTTL")
                .arg(&key)
                .query_async::<(u64, i64)>(&mut c)
                .await
        })
        .await
        .map(|(n, ttl)| (n, Duration::from_millis(ttl.max(0) as u64)))
    }

    pub async fn delete(&self, key: &str) -> Result<(), CacheError> {
        let key = self.key(key);
        self.run("del", |mut c| async move { c.del::<_, ()>(key).await })
            .await
    }

    pub async fn ping(&self) -> Result<(), CacheError> {
        self.run("ping", |mut c| async move {
            redis::cmd("PING").query_async::<String>(&mut c).await
        })
        .await
        .map(|_| ())
    }
}

/// Marks a probe failed when dropped before it finished (see `run`).
struct AbandonedProbe<'a>(&'a Breaker);

impl Drop for AbandonedProbe<'_> {
    fn drop(&mut self) {
        self.0.failed(Instant::now());
    }
}
