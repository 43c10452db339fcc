//! Probes, request ids, and behaviour when the database or Redis is gone.

use std::time::Duration;

use tests::{wait_until, TestApp, TestEnv};

/// `/readyz` answers within about 100 ms, so a database still opening its first connection
/// on a loaded machine may say "not ready" for a moment: wait for it, as a balancer would.
async fn ready(app: &TestApp, host: &str) {
    wait_until("the server is ready", Duration::from_secs(10), || async {
        app.page(host, "/readyz").await.0 == 200
    })
    .await;
}

#[tokio::test]
async fn healthz_and_readyz_answer_on_any_host() {
    let (_env, app) = TestApp::spawn().await;
    for host in ["127.0.0.1:8080", "p67.навигатор.дети", "unknown.example"] {
        assert_eq!(app.page(host, "/healthz").await, (200, "ok".to_owned()));
        ready(&app, host).await;
        let (status, body) = app.page(host, "/readyz").await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("\"status\":\"ready\""));
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let (_env, app) = TestApp::spawn().await;
    let mut ids = Vec::new();
    for (host, path) in [
        ("smolensk.localhost", "/"),
        ("nope.example", "/"),
        ("localhost", "/healthz"),
    ] {
        let resp = app.get(host, path).send().await.unwrap();
        let id = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(id.len(), 16, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        ids.push(id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 3, "request ids repeat");
}

#[tokio::test]
async fn readyz_fails_when_the_database_is_gone() {
    let (env, app) = TestApp::spawn().await;
    ready(&app, "localhost").await;
    env.lose_database(&app).await;
    let (status, body) = app.page("localhost", "/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("\"database\":{\"ok\":false"), "{body}");
    // The process itself is still up.
    assert_eq!(app.page("localhost", "/healthz").await.0, 200);
}

#[tokio::test]
async fn when_redis_is_unreachable_readyz_fails_but_pages_work() {
    let env = TestEnv::new().await;
    env.apply_samples().await;
    let mut settings = env.settings();
    // Nothing listens on port 1.
    settings.redis_url = Some("redis://127.0.0.1:1/".into());
    let app = TestApp::start(settings).await;
    let (status, body) = app.page("localhost", "/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("\"cache\":{\"ok\":false"), "{body}");
    let (status, body) = app.page("p67.навигатор.дети", "/").await;
    assert_eq!(status, 200);
    assert!(body.contains("Смоленская область"));
}
