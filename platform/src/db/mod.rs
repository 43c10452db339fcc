//! Storage: one pool for SQLite or PostgreSQL, chosen by the URL scheme.
//!
//! Queries are written once in portable SQL with `$1` placeholders (SQLite accepts them
//! too) and run through sqlx's `Any` driver, so no query exists in two dialects. Only the
//! migrations differ per dialect (types, identity columns).

mod migrations;

pub use migrations::migrator;

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyQueryResult};
use sqlx::{AnyPool, Executor, Row};

use crate::tenant_id::TenantId;

pub use sqlx::Error as SqlError;

/// A transaction on the pool; store functions take `&mut Tx` when they must be atomic
/// with other writes.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "адрес базы данных «{url}»: неизвестная схема; поддерживаются sqlite:// и postgres://"
    )]
    UnknownScheme { url: String },
    #[error("не удалось создать папку для базы данных {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("не удалось подключиться к базе данных: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("не удалось применить миграции: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Query(#[from] sqlx::Error),
}

#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// How long a query waits for a free connection by default. A database that cannot be
/// reached must cost a request at most this before it answers 503, not the 30 s of sqlx.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(1);

impl DbError {
    /// Whether the database could not be reached (no connection in time, a connection
    /// lost, the server shutting down), as opposed to a query it refused: the first is an
    /// outage the visitor may retry, the second a bug.
    pub fn is_unavailable(&self) -> bool {
        match self {
            DbError::Connect(_) => true,
            DbError::Query(e) => sql_unavailable(e),
            _ => false,
        }
    }
}

fn sql_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => true,
        // PostgreSQL: connection exceptions (08…), the server going down (57P01
        // admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now), and no
        // connection slot left (53300 too_many_connections).
        sqlx::Error::Database(d) => d.code().is_some_and(|c| {
            c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}

/// Whether an error, anywhere in its chain, is the database being unreachable.
pub fn unavailable_in(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<DbError>()
            .is_some_and(DbError::is_unavailable)
            || cause
                .downcast_ref::<sqlx::Error>()
                .is_some_and(sql_unavailable)
    })
}

impl Db {
    /// Connects to `url`, waiting [`DEFAULT_WAIT`] for a connection. A SQLite file (and
    /// its folder) is created if missing.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        Self::connect_waiting(url, DEFAULT_WAIT).await
    }

    /// Connects to `url`; a query waits at most `wait` for a connection, then fails as
    /// unavailable.
    #[tracing::instrument(skip_all, fields(backend))]
    pub async fn connect_waiting(url: &str, wait: Duration) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = normalize_url(url)?;
        tracing::Span::current().record("backend", tracing::field::debug(backend));
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(wait)
            // A warm connection lets `/readyz` answer within its deadline under load.
            .min_connections(1)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers proceed while one writer commits; foreign keys are
                        // off by default in SQLite and we rely on them.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            });
        let pool = options.connect(&url).await.map_err(DbError::Connect)?;
        Ok(Self { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a deferred transaction that reads and then writes cannot wait for a
    /// concurrent writer and fails with "database is locked" instead.
    pub async fn begin(&self) -> Result<Tx, DbError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Applies the migrations of this backend that are not applied yet.
    #[tracing::instrument(skip_all)]
    pub async fn migrate(&self) -> Result<(), DbError> {
        migrations::migrator(self.backend).run(&self.pool).await?;
        Ok(())
    }

    /// A round trip to the database within `deadline`, for readiness checks.
    pub async fn ping(&self, deadline: Duration) -> Result<(), DbError> {
        let query = sqlx::query("SELECT 1").execute(&self.pool);
        let _: AnyQueryResult = tokio::time::timeout(deadline, query)
            .await
            .map_err(|_| DbError::Query(sqlx::Error::PoolTimedOut))??;
        Ok(())
    }

    /// Closes every connection; later queries fail. Used at shutdown.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Hands out `count` consecutive ids of the sequence `name` in the region; returns the first.
pub async fn next_ids(
    tx: &mut Tx,
    tenant: TenantId,
    name: &str,
    count: i64,
) -> Result<i64, DbError> {
    sqlx::query(
        "INSERT INTO id_sequences (tenant_id, name, next_id) VALUES ($1, $2, 1) \
         ON CONFLICT (tenant_id, name) DO NOTHING",
    )
    .bind(tenant)
    .bind(name)
    .execute(&mut **tx)
    .await?;
    let row = sqlx::query(
        "UPDATE id_sequences SET next_id = next_id + $3 WHERE tenant_id = $1 AND name = $2 \
         RETURNING next_id",
    )
    .bind(tenant)
    .bind(name)
    .bind(count)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get::<i64, _>(0)? - count)
}

/// Picks the backend from the scheme and makes SQLite create its file when missing.
fn normalize_url(url: &str) -> Result<(Backend, String), DbError> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "postgres" | "postgresql" => Ok((Backend::Postgres, url.to_owned())),
        "sqlite" => {
            let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
            let path = rest.split('?').next().unwrap_or_default();
            if !path.is_empty() && path != ":memory:" {
                if let Some(parent) = Path::new(path)
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                {
                    std::fs::create_dir_all(parent).map_err(|source| DbError::DataDir {
                        path: parent.display().to_string(),
                        source,
                    })?;
                }
            }
            let url = if url.contains("mode=") {
                url.to_owned()
            } else if url.contains('?') {
                format!("{url}&mode=rwc")
            } else {
                format!("{url}?mode=rwc")
            };
            Ok((Backend::Sqlite, url))
        }
        _ => Err(DbError::UnknownScheme { url: redact(url) }),
    }
}

/// Hides a password in a URL before it is printed.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(start), Some(at)) if at > start => {
            let creds = &url[start + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..start + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_picks_backend() {
        assert_eq!(
            normalize_url("postgres://h/db").unwrap().0,
            Backend::Postgres
        );
        let (b, url) = normalize_url("sqlite::memory:").unwrap();
        assert_eq!(
            (b, url.as_str()),
            (Backend::Sqlite, "sqlite::memory:?mode=rwc")
        );
        let err = normalize_url("mysql://u:secret@h/db")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("неизвестная схема") && !err.contains("secret"),
            "{err}"
        );
    }

    #[test]
    fn redacts_password() {
        assert_eq!(redact("postgres://u:p@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
    }
}
