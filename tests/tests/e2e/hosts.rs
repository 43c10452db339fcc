//! Host → region resolution over real HTTP.

use tests::TestApp;

const SMOLENSK: &str = "Навигатор дополнительного образования Смоленской области";
const KRASNOYARSK: &str = "Навигатор дополнительного образования Красноярского края";

#[tokio::test]
async fn every_form_of_a_region_host_reaches_that_region() {
    let (_env, app) = TestApp::spawn().await;
    for host in [
        "p67.навигатор.дети",
        "P67.Навигатор.Дети",
        "p67.xn--80aafey1amqq.xn--d1acj3b",
        "P67.XN--80AAFEY1AMQQ.XN--D1ACJ3B:8080",
        "p67.навигатор.дети:443",
        "p67.навигатор.дети.",
        "smolensk.localhost",
        "smolensk.localhost:8080",
        "SMOLENSK.LOCALHOST:8080",
        "smolensk.навигатор.дети",
        "smolensk.xn--80aafey1amqq.xn--d1acj3b",
    ] {
        let (status, body) = app.page(host, "/").await;
        assert_eq!(status, 200, "{host}");
        assert!(body.contains(SMOLENSK), "{host}: not Smolensk's page");
        assert!(!body.contains(KRASNOYARSK), "{host}: shows another region");
    }
    let (status, body) = app.page("p24.навигатор.дети", "/").await;
    assert_eq!(status, 200);
    assert!(body.contains(KRASNOYARSK) && !body.contains(SMOLENSK));
}

#[tokio::test]
async fn region_home_shows_name_branding_municipalities_and_coordinator() {
    let (_env, app) = TestApp::spawn().await;
    let (_, body) = app.page("p67.навигатор.дети", "/").await;
    for expected in [
        "<html lang=\"ru\">",
        "--primary: #9b1c31",
        "Смоленская область",
        "Вяземский район",
        "Ярцевский район",
        "Региональный модельный центр дополнительного образования детей Смоленской области",
        "tel:+74812000067",
        "(МСК)",
        "Перейти к содержанию",
    ] {
        assert!(body.contains(expected), "home page lacks {expected:?}");
    }
    // Krasnoyarsk is four hours ahead of Moscow, and its own municipalities only.
    let (_, body) = app.page("krasnoyarsk.localhost:8080", "/").await;
    assert!(body.contains("(МСК+4)"));
    assert!(body.contains("Норильск") && !body.contains("Вяземский район"));
}

#[tokio::test]
async fn apex_lists_every_region_with_links_on_the_same_host_family() {
    let (_env, app) = TestApp::spawn().await;
    let (status, body) = app.page("localhost:8080", "/").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("http:&#x2f;&#x2f;smolensk.localhost:8080&#x2f;"),
        "{body}"
    );
    assert!(body.contains("http:&#x2f;&#x2f;krasnoyarsk.localhost:8080&#x2f;"));

    for apex in ["навигатор.дети", "XN--80AAFEY1AMQQ.XN--D1ACJ3B:443"] {
        let (status, body) = app.page(apex, "/").await;
        assert_eq!(status, 200, "{apex}");
        // On the real domain, a region is linked by its configured host.
        assert!(
            body.contains("p67.xn--80aafey1amqq.xn--d1acj3b"),
            "{apex}: {body}"
        );
        assert!(body.contains("Красноярский край"));
    }
}

#[tokio::test]
async fn unknown_host_gets_a_russian_404_linking_to_the_region_list() {
    let (_env, app) = TestApp::spawn().await;
    for host in [
        "p99.навигатор.дети",
        "example.org",
        "tver.localhost:8080",
        "127.0.0.1:8080",
        "bad host!",
    ] {
        let (status, body) = app.page(host, "/").await;
        assert_eq!(status, 404, "{host}");
        assert!(body.contains("Такого региона на платформе нет"), "{host}");
        assert!(body.contains("Список регионов"), "{host}");
    }
    let (_, body) = app.page("tver.localhost:8080", "/").await;
    assert!(
        body.contains("href=\"http:&#x2f;&#x2f;localhost:8080&#x2f;\""),
        "{body}"
    );
    // The API answers unknown hosts in JSON.
    let resp = app
        .get("example.org", "/api/v1/region")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let json: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(json["error"]["code"], "unknown_host");
}

#[tokio::test]
async fn unknown_path_on_a_region_is_a_404_page_of_that_region() {
    let (_env, app) = TestApp::spawn().await;
    let (status, body) = app.page("p67.навигатор.дети", "/no-such-page").await;
    assert_eq!(status, 404);
    assert!(body.contains("Страница не найдена") && body.contains("Навигатор67"));
}

#[tokio::test]
async fn forwarded_host_is_ignored_unless_the_proxy_is_trusted() {
    let (env, app) = TestApp::spawn().await;
    let resp = app
        .get("p24.навигатор.дети", "/api/v1/region")
        .header("x-forwarded-host", "p67.навигатор.дети")
        .send()
        .await
        .unwrap();
    let json: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(json["slug"], "krasnoyarsk");

    let mut settings = env.settings();
    settings.trust_proxy = true;
    let proxied = TestApp::start(settings).await;
    let resp = proxied
        .get("10.0.0.5:8080", "/api/v1/region")
        .header("x-forwarded-host", "p67.навигатор.дети")
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    let json: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(json["slug"], "smolensk");
}

#[tokio::test]
async fn static_assets_and_logo_are_served_by_the_binary() {
    let (_env, app) = TestApp::spawn().await;
    let resp = app
        .get("smolensk.localhost", "/static/navigator.css")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert!(resp.text().await.unwrap().contains("--primary"));

    let resp = app
        .get("smolensk.localhost", "/branding/logo")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/svg+xml");
    assert!(resp.text().await.unwrap().contains("Смоленская область"));
    // Each region its own logo; none on the apex.
    let k = app.page("krasnoyarsk.localhost", "/branding/logo").await.1;
    assert!(k.contains("Красноярский край") && !k.contains("Смоленская область"));
    assert_eq!(app.page("localhost", "/branding/logo").await.0, 404);
    assert_eq!(app.page("localhost", "/static/nope.css").await.0, 404);
}
