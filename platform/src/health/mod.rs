//! Probes for load balancers and orchestrators: `/healthz` says the process answers,
//! `/readyz` that it can do its work (database, and Redis when configured).

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{handler, IntoResponse, Response};
use serde::Serialize;

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

#[handler]
pub async fn readyz(state: Data<&State>) -> Response {
    let database = match state.db.ping().await {
        Ok(()) => Check {
            ok: true,
            detail: format!("{:?}", state.db.backend()).to_lowercase(),
        },
        Err(e) => Check {
            ok: false,
            detail: e.to_string(),
        },
    };
    let cache = match (state.cache.is_redis(), state.cache.ping().await) {
        (false, _) => Check {
            ok: true,
            detail: "in-process".into(),
        },
        (true, Ok(())) => Check {
            ok: true,
            detail: "redis".into(),
        },
        (true, Err(e)) => Check {
            ok: false,
            detail: e.to_string(),
        },
    };
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
