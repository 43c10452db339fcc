//! One log line per request: request id, region, method, path, status, duration. The id is
//! returned in `X-Request-Id`, so a user's report can be matched to the server's log.

use std::time::Instant;

use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use rand::Rng;
use tracing::Instrument;

pub struct RequestLog;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

impl<E: Endpoint> Middleware<E> for RequestLog {
    type Output = RequestLogEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        RequestLogEndpoint(ep)
    }
}

pub struct RequestLogEndpoint<E>(E);

impl<E: Endpoint> Endpoint for RequestLogEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let request_id = format!("{:016x}", rand::rng().random::<u64>());
        let span = tracing::info_span!(
            "request",
            request_id = %request_id,
            method = %req.method(),
            path = %logged_path(req.uri().path()),
            tenant = tracing::field::Empty,
        );
        async move {
            let started = Instant::now();
            let mut response = match self.0.call(req).await {
                Ok(r) => r.into_response(),
                Err(e) => e.into_response(),
            };
            let status = response.status().as_u16();
            let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
            if status >= 500 {
                tracing::error!(status, duration_ms, "request failed");
            } else {
                tracing::info!(status, duration_ms, "request");
            }
            if let Ok(value) = request_id.parse() {
                response.headers_mut().insert(REQUEST_ID_HEADER, value);
            }
            Ok(response)
        }
        .instrument(span)
        .await
    }
}

/// The path as the log shows it: a calendar feed's path is its secret, and stays out.
fn logged_path(path: &str) -> &str {
    if path.starts_with("/calendar/") {
        "/calendar/…"
    } else {
        path
    }
}
