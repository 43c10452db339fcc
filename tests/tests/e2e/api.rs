//! `/api/v1`, the OpenAPI spec and the docs.

use serde_json::Value;
use tests::TestApp;

async fn json(app: &TestApp, host: &str, path: &str) -> (u16, Value) {
    let resp = app.get(host, path).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

#[tokio::test]
async fn region_endpoint_returns_the_region_of_the_host_only() {
    let (_env, app) = TestApp::spawn().await;
    let (status, s) = json(&app, "p67.навигатор.дети", "/api/v1/region").await;
    assert_eq!(status, 200);
    assert_eq!(s["slug"], "smolensk");
    assert_eq!(s["code"], 67);
    assert_eq!(s["time_zone"], "Europe/Moscow");
    assert_eq!(s["hosts"][0], "p67.навигатор.дети");
    assert_eq!(s["certificates"]["min_age"], 5);
    let municipalities = s["municipalities"].as_array().unwrap();
    assert!(municipalities.iter().any(|m| m["name"] == "город Смоленск"));

    let (_, k) = json(&app, "krasnoyarsk.localhost", "/api/v1/region").await;
    assert_eq!(k["slug"], "krasnoyarsk");
    assert_eq!(k["time_zone"], "Asia/Krasnoyarsk");
    let text = k.to_string();
    assert!(
        !text.contains("Смоленск"),
        "Krasnoyarsk's API shows Smolensk data"
    );

    let (status, apex) = json(&app, "навигатор.дети", "/api/v1/region").await;
    assert_eq!(status, 404);
    assert_eq!(apex["error"]["code"], "not_a_region");
}

#[tokio::test]
async fn regions_endpoint_answers_on_the_base_domain_only() {
    let (_env, app) = TestApp::spawn().await;
    let (status, list) = json(&app, "навигатор.дети", "/api/v1/regions").await;
    assert_eq!(status, 200);
    let slugs: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["krasnoyarsk", "smolensk"]);
    assert_eq!(list[1]["url"], "http://p67.xn--80aafey1amqq.xn--d1acj3b/");

    let (status, err) = json(&app, "p67.навигатор.дети", "/api/v1/regions").await;
    assert_eq!(status, 404);
    assert_eq!(err["error"]["code"], "not_apex");
}

#[tokio::test]
async fn spec_and_docs_are_served() {
    let (_env, app) = TestApp::spawn().await;
    let (status, spec) = json(&app, "smolensk.localhost", "/api/openapi.json").await;
    assert_eq!(status, 200);
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    assert!(spec["paths"]["/region"].is_object());
    assert!(spec["paths"]["/regions"].is_object());
    assert_eq!(spec["servers"][0]["url"], "/api/v1");
    let (status, docs) = app.page("smolensk.localhost", "/api/docs").await;
    assert_eq!(status, 200);
    assert!(docs.contains("swagger"), "docs page: {docs}");
}

#[tokio::test]
async fn unknown_api_path_is_a_json_404() {
    let (_env, app) = TestApp::spawn().await;
    let (status, err) = json(&app, "smolensk.localhost", "/api/v1/nope").await;
    assert_eq!(status, 404);
    assert_eq!(err["error"]["code"], "not_found");
}

/// The one error body: `{"error": {"code", "message", "field"?}}` and nothing else.
fn assert_error_body(what: &str, body: &Value) {
    let top: Vec<&String> = body.as_object().expect(what).keys().collect();
    assert_eq!(top, ["error"], "{what}: {body}");
    let error = body["error"].as_object().expect(what);
    assert!(
        error["code"].as_str().is_some_and(|c| !c.is_empty()),
        "{what}: {body}"
    );
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: {body}"
    );
    for key in error.keys() {
        assert!(
            ["code", "message", "field"].contains(&key.as_str()),
            "{what}: {body}"
        );
    }
}

#[tokio::test]
async fn every_failure_has_the_one_error_body_the_spec_declares() {
    let (_env, app) = TestApp::spawn().await;
    let host = "p67.навигатор.дети";
    // The spec: every response that is not a success is the one error schema.
    let (_, spec) = json(&app, host, "/api/openapi.json").await;
    let mut failures = 0;
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            for (status, response) in op["responses"].as_object().unwrap() {
                if status.starts_with('2') {
                    continue;
                }
                failures += 1;
                let schema = &response["content"]["application/json; charset=utf-8"]["schema"];
                assert_eq!(
                    schema["$ref"], "#/components/schemas/ApiError",
                    "{method} {path} {status}"
                );
            }
        }
    }
    assert!(failures > 100, "the spec declares {failures} failures only");
    let detail = &spec["components"]["schemas"]["ErrorDetail"];
    assert_eq!(detail["required"], serde_json::json!(["code", "message"]));

    // And what the server sends, whoever answers: a handler, the host check, poem's router,
    // poem-openapi's parsing of a path, a query and a body.
    let url = |path: &str| format!("http://{}{path}", app.addr);
    let client = app.client();
    let with_host = |b: reqwest::RequestBuilder, h: &str| {
        b.header(
            reqwest::header::HOST,
            reqwest::header::HeaderValue::from_bytes(h.as_bytes()).unwrap(),
        )
    };
    let cases: Vec<(&str, reqwest::RequestBuilder, u16)> = vec![
        (
            "a handler's refusal",
            app.get(host, "/api/v1/programs?age=300"),
            400,
        ),
        (
            "no such program",
            app.get(host, "/api/v1/programs/999999"),
            404,
        ),
        (
            "a path id that is no number",
            app.get(host, "/api/v1/programs/abc"),
            400,
        ),
        ("no such route", app.get(host, "/api/v1/nothing-here"), 404),
        ("the apex", app.get("навигатор.дети", "/api/v1/region"), 404),
        (
            "an unknown host",
            app.get("p99.навигатор.дети", "/api/v1/region"),
            404,
        ),
        ("not logged in", app.get(host, "/api/v1/me"), 401),
        (
            "a wrong method",
            with_host(client.delete(url("/api/v1/programs")), host),
            405,
        ),
        (
            "not JSON",
            with_host(client.post(url("/api/v1/auth/login")), host)
                .header("content-type", "text/plain")
                .body("email=x"),
            415,
        ),
        (
            "broken JSON",
            with_host(client.post(url("/api/v1/auth/login")), host)
                .header("content-type", "application/json")
                .body("{\"email\":"),
            400,
        ),
    ];
    for (what, request, status) in cases {
        let resp = request.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), status, "{what}");
        let allow = resp.headers().get("allow").cloned();
        let body: Value = resp.json().await.unwrap();
        assert_error_body(what, &body);
        if status == 405 {
            assert_eq!(allow.unwrap(), "GET", "{what}");
        }
    }
    let (_, body) = json(&app, host, "/api/v1/programs?page=abc").await;
    assert_eq!(body["error"]["field"], "page");
}
