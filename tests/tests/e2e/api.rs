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
