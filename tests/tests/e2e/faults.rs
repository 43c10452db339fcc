//! Under faults: Redis killed or frozen, the database gone. Public pages keep answering at
//! once; what needs the missing store answers 503 with `Retry-After` (a Russian page, or the
//! API's error body), never 500 and never a silent log-out; everything resumes when the
//! store returns, without a restart.
//!
//! Each test starts its own Redis (and, on PostgreSQL, a proxy it can cut), so these run on
//! both CI runs.

use std::time::Duration;

use reqwest::Method;
use tests::browser::{Browser, Page};
use tests::catalog::smolensk::{CHESS, ROBOTICS};
use tests::faults::{CutProxy, RedisServer};
use tests::{wait_until, TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
const PARENT: &str = "parent@smolensk.demo.navigator.local";
const PASSWORD: &str = "navigator-demo-2026";
/// What "at once" means here: far above a page's few milliseconds, far below the 19 s a
/// queue behind a dead Redis cost, and the bound the issue sets.
const PROMPT: Duration = Duration::from_secs(1);

/// The public pages a visitor may open while a store is down.
const PUBLIC: &[&str] = &[
    "/",
    "/programs",
    "/programs?q=шахматы",
    "/map",
    "/api/v1/programs?q=робот",
    "/api/v1/catalog.geojson",
];

async fn seeded(app: &TestApp) {
    tests::catalog::seed(&app.state).await;
    tests::demo_accounts(&app.state).await;
}

/// GETs `path` as `browser`, failing the test if no answer comes within [`PROMPT`].
async fn prompt_get(browser: &Browser<'_>, path: &str) -> reqwest::Response {
    tokio::time::timeout(PROMPT, browser.request(Method::GET, path).send())
        .await
        .unwrap_or_else(|_| panic!("{path} did not answer within {PROMPT:?}"))
        .expect("request")
}

/// Every public page answers 2xx within [`PROMPT`], for several visitors at once.
async fn public_pages_answer(app: &TestApp, what: &str) {
    let mut visits = tokio::task::JoinSet::new();
    for round in 0..3 {
        for path in PUBLIC {
            let request = app.get(S, path);
            let what = what.to_owned();
            visits.spawn(async move {
                let resp = tokio::time::timeout(PROMPT, request.send())
                    .await
                    .unwrap_or_else(|_| panic!("{what}: {path} did not answer within {PROMPT:?}"))
                    .expect("request");
                let status = resp.status().as_u16();
                assert!(
                    (200..300).contains(&status),
                    "{what}: {path} (round {round}) answered {status}: {}",
                    resp.text().await.unwrap_or_default()
                );
            });
        }
    }
    while let Some(visit) = visits.join_next().await {
        visit.expect("a visit panicked");
    }
}

/// The parent's login through the form, by a new browser (the form itself still renders).
async fn log_in(app: &TestApp) -> Page {
    let mut newcomer = Browser::new(app, S);
    let form = newcomer.get("/login").await;
    assert_eq!(form.status, 200, "the login form renders: {}", form.body);
    let csrf = form.csrf();
    newcomer
        .post(
            "/login",
            &[("csrf", &csrf), ("email", PARENT), ("password", PASSWORD)],
        )
        .await
}

/// A 503 page in Russian with `Retry-After`.
fn assert_unavailable_page(page: &Page, what: &str) {
    assert_eq!(page.status, 503, "{what}: {}", page.body);
    assert!(
        page.retry_after
            .as_deref()
            .is_some_and(|s| s.parse::<u64>().is_ok_and(|n| n > 0)),
        "{what}: Retry-After missing: {:?}",
        page.retry_after
    );
    assert!(
        page.body.contains("временно недоступ"),
        "{what}: {}",
        page.body
    );
}

fn assert_unavailable_json(status: u16, json: &serde_json::Value, page: &Page, what: &str) {
    assert_eq!(status, 503, "{what}: {json}");
    assert_eq!(json["error"]["code"], "unavailable", "{what}: {json}");
    assert!(page.retry_after.is_some(), "{what}: Retry-After missing");
}

async fn readyz(app: &TestApp) -> (u16, serde_json::Value) {
    let resp = tokio::time::timeout(PROMPT, app.get("localhost", "/readyz").send())
        .await
        .expect("/readyz answers at once")
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("JSON"))
}

async fn app_with_redis(env: &TestEnv, redis: &RedisServer) -> TestApp {
    let mut settings = env.settings();
    settings.redis_url = Some(redis.url());
    // The test's visitors all come from 127.0.0.1: not one client's flood.
    settings.limits.expensive_per_client = 0;
    let app = TestApp::start(settings).await;
    seeded(&app).await;
    app
}

#[tokio::test]
async fn with_redis_killed_pages_answer_at_once_and_logins_wait_for_it() {
    let env = TestEnv::new().await;
    env.apply_samples().await;
    let mut redis = RedisServer::start().await;
    let app = app_with_redis(&env, &redis).await;
    let mut parent = Browser::new(&app, S);
    parent.login(PARENT, PASSWORD).await;
    assert_eq!(parent.get("/cabinet").await.status, 200);
    public_pages_answer(&app, "Redis up").await;

    redis.kill();
    public_pages_answer(&app, "Redis killed").await;
    // The parent is not logged out, but told to come back.
    assert_unavailable_page(&parent.get("/cabinet").await, "cabinet, Redis killed");
    let (status, json, page) = parent.api(Method::GET, "/api/v1/me", None, None).await;
    assert_unavailable_json(status, &json, &page, "/api/v1/me, Redis killed");
    assert!(
        page.body.contains("Вход временно недоступен"),
        "{}",
        page.body
    );
    // A new login cannot be counted nor kept: refused, honestly.
    assert_unavailable_page(&log_in(&app).await, "login, Redis killed");
    let (status, json, page) = Browser::new(&app, S)
        .api(
            Method::POST,
            "/api/v1/auth/login",
            Some(serde_json::json!({"email": PARENT, "password": PASSWORD})),
            None,
        )
        .await;
    assert_unavailable_json(status, &json, &page, "API login, Redis killed");
    let (status, body) = readyz(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["cache"]["ok"], false, "{body}");
    assert!(
        body["cache"]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("Redis"),
        "readyz names Redis: {body}"
    );

    // Redis is back (empty: it keeps nothing): the server uses it again, no restart.
    redis.restart().await;
    wait_until(
        "readyz sees Redis back",
        Duration::from_secs(10),
        || async { readyz(&app).await.0 == 200 },
    )
    .await;
    let mut again = Browser::new(&app, S);
    again.login(PARENT, PASSWORD).await;
    assert_eq!(again.get("/cabinet").await.status, 200);
}

#[tokio::test]
async fn with_redis_frozen_pages_answer_at_once_and_it_is_used_again_when_it_thaws() {
    let env = TestEnv::new().await;
    env.apply_samples().await;
    let redis = RedisServer::start().await;
    let app = app_with_redis(&env, &redis).await;
    let mut parent = Browser::new(&app, S);
    parent.login(PARENT, PASSWORD).await;
    // The catalog's index is built while Redis answers: the timed wave measures the outage.
    public_pages_answer(&app, "Redis up").await;

    // Connections stay open, nothing answers: the worst case for a client without a breaker.
    redis.freeze();
    public_pages_answer(&app, "Redis frozen").await;
    assert_unavailable_page(&parent.get("/cabinet").await, "cabinet, Redis frozen");
    let (status, body) = readyz(&app).await;
    assert_eq!(status, 503, "{body}");

    redis.thaw();
    wait_until(
        "readyz sees Redis thawed",
        Duration::from_secs(10),
        || async { readyz(&app).await.0 == 200 },
    )
    .await;
    // The session survived in Redis, and the server finds it again.
    wait_until(
        "the parent's session is found again",
        Duration::from_secs(10),
        || {
            let req = parent.request(Method::GET, "/cabinet");
            async move { req.send().await.is_ok_and(|r| r.status() == 200) }
        },
    )
    .await;
}

#[tokio::test]
async fn with_the_database_gone_what_needs_it_answers_503_with_retry_after_at_once() {
    let mut env = TestEnv::new().await;
    env.apply_samples().await;
    // On PostgreSQL the server reaches it through a proxy the test can cut and restore; a
    // SQLite file cannot be taken away from open connections, so there the pool is closed.
    let proxy: Option<CutProxy> = env.database_behind_proxy().await;
    let mut settings = env.settings();
    settings.database_wait = Duration::from_millis(300);
    settings.limits.expensive_per_client = 0;
    let app = TestApp::start(settings).await;
    seeded(&app).await;
    let mut parent = Browser::new(&app, S);
    parent.login(PARENT, PASSWORD).await;
    assert_eq!(parent.get("/cabinet").await.status, 200);
    // The catalog's index is built while the database is there.
    public_pages_answer(&app, "database up").await;
    assert_eq!(
        Browser::new(&app, S)
            .get(&format!("/programs/{CHESS}"))
            .await
            .status,
        200
    );

    match &proxy {
        Some(proxy) => proxy.cut(),
        None => app.state.db.close().await,
    }
    // Search, map and home are served from the index.
    public_pages_answer(&app, "database gone").await;
    // A program page seen before is served from its saved copy, and says so; one never
    // seen waits for the database, as the API's program does.
    let mut visitor = Browser::new(&app, S);
    let page = visitor.get(&format!("/programs/{CHESS}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("сохранённая копия"), "{}", page.body);
    assert!(page.body.contains("Шахмат"), "{}", page.body);
    assert_unavailable_page(
        &visitor.get(&format!("/programs/{ROBOTICS}")).await,
        "a program page never saved",
    );
    let resp = prompt_get(&visitor, &format!("/api/v1/programs/{CHESS}")).await;
    assert_eq!(resp.status(), 503, "the API's program needs the database");
    assert!(resp.headers().contains_key("retry-after"));
    let json: serde_json::Value = resp.json().await.expect("JSON");
    assert_eq!(json["error"]["code"], "unavailable", "{json}");
    // The parent's session is in the cache, its account in the database: told to come
    // back, not logged out.
    let page = parent.get("/cabinet").await;
    assert_unavailable_page(&page, "cabinet, database gone");
    let (status, json, page) = parent.api(Method::GET, "/api/v1/me", None, None).await;
    assert_unavailable_json(status, &json, &page, "/api/v1/me, database gone");
    assert_unavailable_page(&log_in(&app).await, "login, database gone");
    let (status, body) = readyz(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["database"]["ok"], false, "{body}");

    if let Some(proxy) = &proxy {
        proxy.restore().await;
        wait_until("the cabinet works again", Duration::from_secs(10), || {
            let req = parent.request(Method::GET, "/cabinet");
            async move { req.send().await.is_ok_and(|r| r.status() == 200) }
        })
        .await;
        wait_until(
            "readyz sees the database back",
            Duration::from_secs(10),
            || async { readyz(&app).await.0 == 200 },
        )
        .await;
    }
}
