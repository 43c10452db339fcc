//! Redis behind the cache interface. The connection is made on first use and remade after
//! a failure, so a server starts, and keeps serving, while Redis is down.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use redis::aio::ConnectionManager;
use redis::AsyncCommands;
use tokio::sync::Mutex;

use super::CacheError;

#[derive(Clone)]
pub struct RedisCache {
    client: redis::Client,
    prefix: Arc<str>,
    conn: Arc<Mutex<Option<ConnectionManager>>>,
}

/// How long one cache operation may take before it counts as a miss: a slow cache must
/// not make pages slow.
const OP_TIMEOUT: Duration = Duration::from_millis(500);

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
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    async fn connection(&self) -> Result<ConnectionManager, CacheError> {
        let mut slot = self.conn.lock().await;
        if let Some(conn) = slot.as_ref() {
            return Ok(conn.clone());
        }
        let conn = tokio::time::timeout(OP_TIMEOUT, ConnectionManager::new(self.client.clone()))
            .await
            .map_err(|_| CacheError::Timeout)??;
        *slot = Some(conn.clone());
        Ok(conn)
    }

    /// Runs one command with a deadline; on failure, logs it and forgets the connection.
    async fn run<T, F, Fut>(&self, op: &str, f: F) -> Result<T, CacheError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let result = async {
            let conn = self.connection().await?;
            tokio::time::timeout(OP_TIMEOUT, f(conn))
                .await
                .map_err(|_| CacheError::Timeout)?
                .map_err(CacheError::from)
        }
        .await;
        if let Err(e) = &result {
            tracing::warn!(op, error = %e, "redis operation failed");
            *self.conn.lock().await = None;
        }
        result
    }

    pub async fn get(&self, key: &str) -> Option<Bytes> {
        let key = self.key(key);
        self.run("get", |mut c| async move {
            c.get::<_, Option<Vec<u8>>>(key).await
        })
        .await
        .ok()
        .flatten()
        .map(Bytes::from)
    }

    pub async fn set(&self, key: &str, value: Bytes, ttl: Duration) {
        let key = self.key(key);
        let ms = ttl.as_millis().max(1) as u64;
        let _ = self
            .run("set", |mut c| async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(&value[..])
                    .arg("PX")
                    .arg(ms)
                    .query_async::<()>(&mut c)
                    .await
            })
            .await;
    }

    /// INCR with the window set on first use (`PEXPIRE … NX`), in one transaction.
    pub async fn incr(&self, key: &str, window: Duration) -> Option<(u64, Duration)> {
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
        .ok()
        .map(|(n, ttl)| (n, Duration::from_millis(ttl.max(0) as u64)))
    }

    pub async fn delete(&self, key: &str) {
        let key = self.key(key);
        let _ = self
            .run("del", |mut c| async move { c.del::<_, ()>(key).await })
            .await;
    }

    pub async fn ping(&self) -> Result<(), CacheError> {
        self.run("ping", |mut c| async move {
            redis::cmd("PING").query_async::<String>(&mut c).await
        })
        .await
        .map(|_| ())
    }
}
