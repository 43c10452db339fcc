//! Probes for load balancers and orchestrators: `/healthz` says the process answers,
//! `/readyz` that it can do its work (database, and Redis when configured). Both checks run
//! at once, each within [`CHECK_DEADLINE`], so a balancer polling `/readyz` learns of an
//! outage at once instead of timing out itself; a Redis the circuit breaker already knows
//! to be down is not even asked.

use std::time::Duration;

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{handler, IntoResponse, Response};
use serde::Serialize;

use crate::cache::CacheError;
use crate::db::DbError;
use crate::State;

#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

#[derive(Serialize)]
struct Readiness {
    status: &'static str,
    database: Check,
    cache: Check,
}

#[derive(Serialize)]
struct Check {
    ok: bool,
    detail: String,
}

/// How long each check may take: `/readyz` answers within about this.
const CHECK_DEADLINE: Duration = Duration::from_millis(80);

#[handler]
pub async fn readyz(state: Data<&State>) -> Response {
    let (database, cache) = tokio::join!(database(&state), cache(&state));
    let ready = database.ok && cache.ok;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Json(Readiness {
        status: if ready { "ready" } else { "not ready" },
        database,
        cache,
    })
    .with_status(status)
    .into_response()
}

/// Runs `check` in a task of its own and waits at most [`CHECK_DEADLINE`] for it: the check
/// itself goes on to its end (a reconnecting probe of the cache's breaker, a database
/// connection being opened), so a slow answer warms the next one instead of being wasted.
async fn within_deadline<T: Send + 'static>(
    check: impl std::future::Future<Output = T> + Send + 'static,
) -> Option<T> {
    tokio::time::timeout(CHECK_DEADLINE, tokio::spawn(check))
        .await
        .ok()
        .and_then(Result::ok)
}

async fn database(state: &State) -> Check {
    let db = state.db.clone();
    let ping = within_deadline(async move { db.ping(crate::db::DEFAULT_WAIT).await });
    let answer = ping
        .await
        .unwrap_or(Err(DbError::Query(sqlx::Error::PoolTimedOut)));
    match answer {
        Ok(()) => Check {
            ok: true,
            detail: format!("{:?}", state.db.backend()).to_lowercase(),
        },
        Err(e) => Check {
            ok: false,
            detail: e.to_string(),
        },
    }
}

async fn cache(state: &State) -> Check {
    if !state.cache.is_redis() {
        return Check {
            ok: true,
            detail: "in-process".into(),
        };
    }
    let answer = if state.cache.known_unreachable() {
        Err(CacheError::CircuitOpen)
    } else {
        let cache = state.cache.clone();
        within_deadline(async move { cache.ping().await })
            .await
            .unwrap_or(Err(CacheError::Timeout))
    };
    match answer {
        Ok(()) => Check {
            ok: true,
            detail: "redis".into(),
        },
        Err(e) => Check {
            ok: false,
            detail: e.to_string(),
        },
    }
}
