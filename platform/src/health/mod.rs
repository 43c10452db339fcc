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

async fn database(state: &State) -> Check {
    match state.db.ping(CHECK_DEADLINE).await {
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
    let ping = async {
        if state.cache.known_unreachable() {
            return Err(CacheError::CircuitOpen);
        }
        tokio::time::timeout(CHECK_DEADLINE, state.cache.ping())
            .await
            .unwrap_or(Err(CacheError::Timeout))
    };
    match ping.await {
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
