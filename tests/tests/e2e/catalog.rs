//! The public catalog: filters, counts, text search, paging, program and organization
//! pages, the map's GeoJSON, and that one region's catalog never leaks into another's.

use std::time::Duration;

use serde_json::Value;
use tests::catalog::{self, smolensk::*, KRASNOYARSK_CHESS};
use tests::{wait_until, TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";

async fn seeded() -> (TestEnv, TestApp) {
    let (env, app) = TestApp::spawn().await;
    catalog::seed(&app.state).await;
    (env, app)
}

/// Ids of the programs the API finds for `query`, in order.
async fn ids(app: &TestApp, host: &str, query: &str) -> Vec<i64> {
    let (status, body) = app.json(host, &format!("/api/v1/programs?{query}")).await;
    assert_eq!(status, 200, "{query}: {body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

async fn sorted_ids(app: &TestApp, query: &str) -> Vec<i64> {
    let mut v = ids(app, S, query).await;
    v.sort();
    v
}

#[tokio::test]
async fn each_filter_alone() {
    let (_env, app) = seeded().await;
    for (query, expected) in [
        ("", vec![CHESS, ROBOTICS, VOCAL, FOOTBALL, ECOLOGY]),
        ("municipality=smolensk", vec![CHESS, VOCAL]),
        ("organization=2", vec![ROBOTICS]),
        ("direction=sport", vec![CHESS, FOOTBALL]),
        ("profile=chess", vec![CHESS]),
        ("age=6", vec![VOCAL]),
        ("age=10", vec![CHESS, ROBOTICS, FOOTBALL, ECOLOGY]),
        ("level=basic", vec![ROBOTICS, ECOLOGY]),
        ("financing=certificate", vec![ROBOTICS, ECOLOGY]),
        ("financing=free", vec![CHESS, FOOTBALL]),
        ("financing=paid", vec![VOCAL]),
        ("ovz=1", vec![CHESS]),
        ("open=1", vec![CHESS, VOCAL, ECOLOGY]),
    ] {
        assert_eq!(sorted_ids(&app, query).await, expected, "{query}");
    }
}

#[tokio::test]
async fn a_program_paid_by_certificate_or_money_is_found_by_both() {
    let (_env, app) = seeded().await;
    // Before the first search, so the index is built with it.
    catalog::set_financing(&app.state, ROBOTICS, "certificate,paid").await;
    for (query, expected) in [
        ("financing=paid", vec![ROBOTICS, VOCAL]),
        ("financing=certificate", vec![ROBOTICS, ECOLOGY]),
        ("financing=free", vec![CHESS, FOOTBALL]),
        ("financing=paid&organization=2", vec![ROBOTICS]),
    ] {
        assert_eq!(sorted_ids(&app, query).await, expected, "{query}");
    }
    // Each financing counts every program offering it.
    let (_, body) = app.json(S, "/api/v1/programs").await;
    let facets = &body["facets"]["financing"];
    assert_eq!(
        (&facets["paid"], &facets["certificate"], &facets["free"]),
        (&2.into(), &2.into(), &2.into()),
        "{facets}"
    );
    // Its card names the certificate, as before.
    let (_, body) = app.json(S, "/api/v1/programs?financing=paid").await;
    let card = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == ROBOTICS)
        .unwrap()
        .clone();
    assert_eq!(card["financing"]["code"], "certificate", "{card}");
    assert_eq!(card["certificate"], true);
    // The page and the map filter alike.
    let (status, html) = app.page(S, "/programs?financing=paid").await;
    assert_eq!(status, 200);
    assert!(html.contains("Робототехника для начинающих"), "{html}");
    assert!(html.contains("Платно (2)"), "{html}");
    let (_, fc) = app.json(S, "/api/v1/catalog.geojson?financing=paid").await;
    let programs: Vec<i64> = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["program_id"].as_i64().unwrap())
        .collect();
    assert!(programs.contains(&ROBOTICS), "{fc}");
}

#[tokio::test]
async fn filters_combined() {
    let (_env, app) = seeded().await;
    for (query, expected) in [
        ("direction=sport&age=8", vec![CHESS]),
        ("financing=free&municipality=vyazemsky", vec![FOOTBALL]),
        ("open=1&financing=certificate", vec![ECOLOGY]),
        ("q=шахматы&municipality=desnogorsk", vec![]),
        (
            "direction=sport&ovz=1&open=1&age=12&level=start&profile=chess&organization=1",
            vec![CHESS],
        ),
    ] {
        assert_eq!(sorted_ids(&app, query).await, expected, "{query}");
    }
}

#[tokio::test]
async fn counts_per_filter_value_keep_the_other_filters() {
    let (_env, app) = seeded().await;
    let (_, body) = app.json(S, "/api/v1/programs?direction=sport").await;
    assert_eq!(body["total"], 2);
    assert_eq!(body["total_text"], "Найдено 2 программы");
    let count =
        |facet: &str, value: &str| -> u64 { body["facets"][facet][value].as_u64().unwrap_or(0) };
    // Direction counts ignore the direction filter itself (drafts and archive never count).
    assert_eq!(count("direction", "sport"), 2);
    assert_eq!(count("direction", "technical"), 1);
    assert_eq!(count("direction", "art"), 1);
    assert_eq!(count("direction", "natural_science"), 1);
    assert_eq!(count("direction", "tourism"), 0);
    // Other facets count within the sport results.
    assert_eq!(count("municipality", "smolensk"), 1);
    assert_eq!(count("municipality", "vyazemsky"), 1);
    assert_eq!(count("municipality", "desnogorsk"), 0);
    assert_eq!(count("financing", "free"), 2);
    assert_eq!(count("level", "advanced"), 1);
    assert_eq!(body["facets"]["ovz"], 1);
    assert_eq!(body["facets"]["open"], 1);
    assert_eq!(count("organization", "1"), 1, "organizations by id");
}

#[tokio::test]
async fn text_search_uses_russian_stemming() {
    let (_env, app) = seeded().await;
    for (q, expected) in [
        ("шахматы", vec![CHESS]),
        ("ШАХМАТ", vec![CHESS]),
        ("шахматный клуб", vec![CHESS]),
        ("ладьи", vec![CHESS]),
        ("робот", vec![ROBOTICS]),
        ("роботы", vec![ROBOTICS]),
        ("робототехника", vec![ROBOTICS]),
        ("голос", vec![VOCAL]),
        ("экология", vec![ECOLOGY]),
        ("Кванториум", vec![ROBOTICS]),
        ("природа", vec![ECOLOGY]),
        ("секретная", vec![]),
        ("архивные", vec![]),
    ] {
        let query = format!("q={}", urlencode(q));
        assert_eq!(sorted_ids(&app, &query).await, expected, "{q}");
    }
    // The best match first: the title outweighs the description.
    assert_eq!(ids(&app, S, "q=шахматы&per_page=1").await, [CHESS]);
}

#[tokio::test]
async fn hostile_query_strings_never_break_search() {
    let (_env, app) = seeded().await;
    let garbage: String = (0..10_240)
        .map(|i| {
            [
                '"', '(', ')', '[', '*', ':', '~', '^', '\\', 'я', ' ', '-', '+', '!',
            ][i % 14]
        })
        .collect();
    for q in [
        "\"шахматы",
        "(робот",
        "робот AND OR NOT",
        "title:шахматы",
        "шахматы~2^3",
        "*",
        "' OR 1=1 --",
        "%",
        "\u{0}\u{1}",
        garbage.as_str(),
    ] {
        let query = format!("q={}", urlencode(q));
        let (status, body) = app.json(S, &format!("/api/v1/programs?{query}")).await;
        assert_eq!(status, 200, "{q:?}: {body}");
        let (status, _) = app.page(S, &format!("/programs?{query}")).await;
        assert_eq!(status, 200, "{q:?}");
    }
    // Malformed percent-encoding in the page's query is a 400, not a 500.
    let (status, _) = app.page(S, "/programs?q=%E0%A4%A").await;
    assert!(status == 200 || status == 400, "{status}");
}

#[tokio::test]
async fn paging_edges() {
    let (_env, app) = seeded().await;
    let page = |n: &str| format!("sort=title&per_page=2&page={n}");
    let all = ids(&app, S, "sort=title&per_page=100").await;
    assert_eq!(all.len(), 5);
    assert_eq!(ids(&app, S, &page("1")).await, all[0..2]);
    assert_eq!(ids(&app, S, &page("2")).await, all[2..4]);
    assert_eq!(ids(&app, S, &page("3")).await, all[4..5]);
    assert_eq!(ids(&app, S, &page("4")).await, Vec::<i64>::new());
    let (_, body) = app
        .json(S, &format!("/api/v1/programs?{}", page("3")))
        .await;
    assert_eq!(
        (body["total"].as_u64(), body["pages"].as_u64()),
        (Some(5), Some(3))
    );
    for (query, field) in [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("age=300", "age"),
        ("age=-5", "age"),
        ("direction=magic", "direction"),
        ("municipality=moscow", "municipality"),
        ("profile=karate", "profile"),
        ("sort=price", "sort"),
        ("level=expert", "level"),
        ("financing=barter", "financing"),
        ("organization=x", "organization"),
    ] {
        let (status, body) = app.json(S, &format!("/api/v1/programs?{query}")).await;
        assert_eq!(status, 400, "{query}");
        assert_eq!(body["error"]["field"], field, "{query}: {body}");
        assert_eq!(body["error"]["code"], "invalid_parameter");
    }
    // Sorted by title, and newest first by creation date.
    let titles = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, body) = app.json(S, "/api/v1/programs?sort=title").await;
    let mut sorted = titles(&body);
    sorted.sort_by_key(|t| t.to_lowercase());
    assert_eq!(titles(&body), sorted);
    assert_eq!(
        ids(&app, S, "sort=newest").await,
        [ECOLOGY, FOOTBALL, VOCAL, ROBOTICS, CHESS]
    );
}

#[tokio::test]
async fn html_catalog_keeps_filters_in_the_url_and_names_bad_fields() {
    let (_env, app) = seeded().await;
    let (status, body) = app.page(S, "/programs?direction=sport&age=8").await;
    assert_eq!(status, 200);
    assert!(body.contains("Найдено 1 программа"), "{body}");
    assert!(body.contains("Шахматный клуб «Ладья»") && !body.contains("Футбол</a>"));
    assert!(
        body.contains("<option value=\"sport\" selected>Физкультурно-спортивная (1)</option>"),
        "{body}"
    );
    // The map view of the same filters.
    assert!(
        body.contains("href=\"&#x2f;map?direction=sport&amp;age=8\""),
        "{body}"
    );
    assert!(body.contains("Для детей с ОВЗ (1)"));

    let (status, body) = app.page(S, "/programs?age=300&direction=magic").await;
    assert_eq!(status, 400);
    assert!(body.contains("возраст ребёнка — от 3 до 18 лет"), "{body}");
    assert!(body.contains("неизвестная направленность"));
    assert!(body.contains("aria-invalid=\"true\""));
    // What was typed stays in the form.
    assert!(body.contains("value=\"300\""));

    let (status, body) = app.page(S, "/programs?per_page=2&sort=title").await;
    assert_eq!(status, 200);
    assert!(body.contains("rel=\"next\""));
    assert!(body.contains("page=3"), "pagination links: {body}");

    let (status, body) = app.page(S, "/map?financing=certificate").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("data-query=\"financing=certificate\""),
        "{body}"
    );
    assert!(
        body.contains("src=\"/static/vendor/leaflet/leaflet.js?v="),
        "{body}"
    );
    assert!(
        !body.contains("unpkg") && !body.contains("cdn"),
        "third-party script host"
    );
}

#[tokio::test]
async fn program_and_organization_pages() {
    let (_env, app) = seeded().await;
    let (status, body) = app.page(S, &format!("/programs/{ROBOTICS}")).await;
    assert_eq!(status, 200);
    for expected in [
        "Робототехника для начинающих",
        "Доступна оплата сертификатом",
        "Центр технического творчества «Кванториум»",
        "tel:+74812000002",
        "Вт 15:00–16:30",
        "Иванова Мария Петровна",
        "10 из 15",
        "8–14 лет",
        // Its only group's window closed 40 days ago; on a phone each fact is labelled.
        "Набор закончился",
        "data-label=\"Набор\"",
    ] {
        assert!(body.contains(expected), "program page lacks {expected:?}");
    }
    let (_, body) = app.page(S, &format!("/programs/{CHESS}")).await;
    assert!(body.contains("Идёт набор") && !body.contains("Доступна оплата сертификатом"));

    let (status, body) = app.page(S, &format!("/organizations/{RADUGA}")).await;
    assert_eq!(status, 200);
    assert!(body.contains("Шахматный клуб «Ладья»") && body.contains("Вокальная студия"));
    assert!(
        !body.contains("Архивные шахматы"),
        "archived program listed"
    );
    assert!(
        body.contains("href=\"/programs?municipality=smolensk\""),
        "municipality filter link"
    );

    let (status, p) = app.json(S, &format!("/api/v1/programs/{ROBOTICS}")).await;
    assert_eq!(status, 200);
    assert_eq!(p["certificate"], true);
    assert_eq!(p["groups"][0]["free_seats"], 10);
    assert_eq!(p["organization"]["phone"], "+7 (481) 200-00-02");
    let (status, o) = app
        .json(S, &format!("/api/v1/organizations/{KVANTORIUM}"))
        .await;
    assert_eq!(status, 200);
    let titles: Vec<&str> = o["programs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Робототехника для начинающих"], "draft listed");

    for path in ["/programs/999", "/programs/abc", "/organizations/999"] {
        assert_eq!(app.page(S, path).await.0, 404, "{path}");
    }
    assert_eq!(app.json(S, "/api/v1/programs/999").await.0, 404);
    assert_eq!(app.json(S, "/api/v1/organizations/999").await.0, 404);
    let (status, _) = app.json(S, "/api/v1/programs/abc").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn unpublished_programs_never_appear() {
    let (_env, app) = seeded().await;
    for id in [SECRET, ARCHIVED] {
        assert_eq!(app.page(S, &format!("/programs/{id}")).await.0, 404);
        assert_eq!(app.json(S, &format!("/api/v1/programs/{id}")).await.0, 404);
    }
    assert!(!sorted_ids(&app, "per_page=100").await.contains(&SECRET));
    let (_, fc) = app.json(S, "/api/v1/catalog.geojson").await;
    for f in fc["features"].as_array().unwrap() {
        let id = f["properties"]["program_id"].as_i64().unwrap();
        assert!(
            id != SECRET && id != ARCHIVED,
            "unpublished program {id} on the map"
        );
    }
    let (_, body) = app.page(S, "/programs?per_page=100").await;
    assert!(!body.contains("Секретная") && !body.contains("Архивные"));
}

#[tokio::test]
async fn geojson_is_valid_and_follows_filters_and_bbox() {
    let (_env, app) = seeded().await;
    let resp = app.get(S, "/api/v1/catalog.geojson").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    let parsed: geojson::GeoJson = text.parse().expect("valid GeoJSON");
    let geojson::GeoJson::FeatureCollection(fc) = parsed else {
        panic!("not a FeatureCollection");
    };
    // Five published programs, six group locations.
    assert_eq!(fc.features.len(), 6);
    for f in &fc.features {
        let Some(geometry) = &f.geometry else {
            panic!("feature without geometry")
        };
        let geojson::GeometryValue::Point { coordinates } = &geometry.value else {
            panic!("not a point")
        };
        let (lon, lat) = (coordinates[0], coordinates[1]);
        assert!(
            (30.0..36.0).contains(&lon) && (53.0..57.0).contains(&lat),
            "lon/lat swapped? {lon},{lat}"
        );
        let props = f.properties.as_ref().unwrap();
        for key in [
            "program_id",
            "group_id",
            "title",
            "organization",
            "address",
            "ages",
            "financing",
            "url",
        ] {
            assert!(props.contains_key(key), "property {key} missing");
        }
    }
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["total"], 6);
    assert_eq!(json["truncated"], false);

    // Filters apply; the bbox keeps only points inside it.
    let (_, fc) = app.json(S, "/api/v1/catalog.geojson?direction=art").await;
    assert_eq!(fc["features"].as_array().unwrap().len(), 2);
    let (lat, lon) = DESNOGORSK;
    let bbox = format!(
        "{},{},{},{}",
        lon - 0.05,
        lat - 0.05,
        lon + 0.05,
        lat + 0.05
    );
    let (_, fc) = app
        .json(S, &format!("/api/v1/catalog.geojson?bbox={bbox}"))
        .await;
    let ids: Vec<i64> = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["program_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [ROBOTICS]);

    for bad in [
        "0,0,200,10",
        "10,10,5,20",
        "1,2,3",
        "a,b,c,d",
        "0,-91,10,10",
    ] {
        let (status, body) = app
            .json(S, &format!("/api/v1/catalog.geojson?bbox={bad}"))
            .await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["error"]["field"], "bbox");
    }
}

#[tokio::test]
async fn dictionaries() {
    let (_env, app) = seeded().await;
    let (_, dirs) = app.json(S, "/api/v1/directions").await;
    let codes: Vec<&str> = dirs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "technical",
            "natural_science",
            "sport",
            "art",
            "tourism",
            "social"
        ]
    );
    assert!(dirs[0]["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["label"] == "Робототехника"));
    let (_, m) = app.json(S, "/api/v1/municipalities").await;
    assert!(m
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["id"] == "desnogorsk"));
    let (_, m) = app.json(K, "/api/v1/municipalities").await;
    assert!(!m.to_string().contains("desnogorsk"));
}

#[tokio::test]
async fn one_region_never_sees_anothers_catalog() {
    let (_env, app) = seeded().await;
    // Krasnoyarsk has a program 1 of its own; Smolensk's programs 2–5 do not exist there.
    let (_, k1) = app.json(K, "/api/v1/programs/1").await;
    assert_eq!(k1["title"], KRASNOYARSK_CHESS);
    for id in [ROBOTICS, VOCAL, FOOTBALL, ECOLOGY] {
        assert_eq!(app.json(K, &format!("/api/v1/programs/{id}")).await.0, 404);
        assert_eq!(app.page(K, &format!("/programs/{id}")).await.0, 404);
    }
    assert_eq!(
        app.json(K, &format!("/api/v1/organizations/{OLIMP}"))
            .await
            .0,
        404
    );
    let (_, body) = app.page(K, "/programs/1").await;
    assert!(body.contains(KRASNOYARSK_CHESS) && !body.contains("Ладья"));

    // Search: «шахматы» finds each region's own.
    let (_, k) = app
        .json(
            K,
            "/api/v1/programs?q=%D1%88%D0%B0%D1%85%D0%BC%D0%B0%D1%82%D1%8B",
        )
        .await;
    assert_eq!(k["total"], 1);
    assert_eq!(k["items"][0]["title"], KRASNOYARSK_CHESS);
    let (_, body) = app.page(K, "/programs").await;
    assert!(!body.contains("Ладья") && !body.contains("Кванториум"));
    // Smolensk's municipality is not a Krasnoyarsk filter.
    assert_eq!(
        app.json(K, "/api/v1/programs?municipality=desnogorsk")
            .await
            .0,
        400
    );

    // Map: only Krasnoyarsk points, even for a box around Smolensk.
    let (_, fc) = app.json(K, "/api/v1/catalog.geojson").await;
    assert_eq!(fc["features"].as_array().unwrap().len(), 1);
    let (_, fc) = app
        .json(K, "/api/v1/catalog.geojson?bbox=30,53,36,57")
        .await;
    assert_eq!(fc["features"].as_array().unwrap().len(), 0);
    // The apex has no catalog.
    assert_eq!(app.json("навигатор.дети", "/api/v1/programs").await.0, 404);
    assert_eq!(app.page("навигатор.дети", "/programs").await.0, 404);
}

#[tokio::test]
async fn the_index_follows_changes_made_by_another_server() {
    let env = TestEnv::new().await;
    env.apply_samples().await;
    let a = TestApp::start(env.settings()).await;
    let b = TestApp::start(env.settings()).await;
    catalog::seed(&b.state).await;
    wait_until(
        "server a sees the seeded catalog",
        Duration::from_secs(10),
        || async { ids(&a, S, "per_page=100").await.len() == 5 },
    )
    .await;
    assert!(ids(&a, S, "q=секретная").await.is_empty());

    // Server b publishes the draft; server a's search (and its cached results) follow.
    let smolensk = b.state.registry.by_slug("smolensk").unwrap();
    platform::programs::service::set_status_as_operator(
        &b.state.db,
        &smolensk,
        SECRET,
        platform::catalog::model::ProgramStatus::Published,
        b.state.clock.now(),
    )
    .await
    .unwrap();
    wait_until(
        "server a finds the newly published program",
        Duration::from_secs(10),
        || async { ids(&a, S, "q=секретная").await == [SECRET] },
    )
    .await;
    assert_eq!(a.page(S, &format!("/programs/{SECRET}")).await.0, 200);
}

#[tokio::test]
async fn a_catalog_deleted_wholesale_leaves_the_index() {
    let (_env, app) = seeded().await;
    assert_eq!(ids(&app, S, "per_page=100").await.len(), 5);
    // The rows go without a `changed_in` to find them by: the version says so.
    let smolensk = app.state.registry.by_slug("smolensk").unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    platform::catalog::store::delete_catalog(&mut tx, smolensk.id)
        .await
        .unwrap();
    let version = platform::catalog::store::bump_version(&mut tx, smolensk.id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let row = platform::catalog::store::version_row(&app.state.db, smolensk.id)
        .await
        .unwrap();
    assert_eq!((row.version, row.reset_in), (version, version));
    app.state.catalog.note_version(smolensk.id, version);
    wait_until(
        "the index has no programs left",
        Duration::from_secs(10),
        || async { ids(&app, S, "per_page=100").await.is_empty() },
    )
    .await;
    assert_eq!(app.page(S, &format!("/programs/{CHESS}")).await.0, 404);
}

#[tokio::test]
async fn demo_catalog_is_deterministic_and_realistic() {
    let one = TestEnv::new().await;
    let out = one
        .cli(&["demo", "--programs", "120", "--region", "smolensk"])
        .await
        .unwrap();
    assert!(out.contains("smolensk: каталог — 120 программ"), "{out}");
    assert!(!out.contains("krasnoyarsk: каталог"), "{out}");
    let two = TestEnv::new().await;
    two.cli(&["demo", "--programs", "120", "--region", "smolensk"])
        .await
        .unwrap();
    let a = TestApp::start(one.settings()).await;
    let b = TestApp::start(two.settings()).await;
    let (_, pa) = a.json(S, "/api/v1/programs?per_page=100&sort=title").await;
    let (_, pb) = b.json(S, "/api/v1/programs?per_page=100&sort=title").await;
    assert_eq!(pa, pb, "two runs of the same demo differ");
    assert!(
        pa["total"].as_u64().unwrap() > 100,
        "most demo programs are published"
    );
    // Every direction is present, and every kind of financing.
    let facets = &pa["facets"];
    assert_eq!(
        facets["direction"].as_object().unwrap().len(),
        6,
        "a direction is empty"
    );
    assert_eq!(
        facets["financing"].as_object().unwrap().len(),
        3,
        "a kind of financing is empty"
    );
    // Points lie in the region (Smolensk oblast is within these bounds).
    let (_, fc) = a.json(S, "/api/v1/catalog.geojson").await;
    for f in fc["features"].as_array().unwrap() {
        let c = &f["geometry"]["coordinates"];
        let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        assert!(
            (30.5..36.0).contains(&lon) && (53.0..56.5).contains(&lat),
            "{lon},{lat}"
        );
    }
    let err = one
        .cli(&["demo", "--region", "moscow"])
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("--region") && err.contains("moscow"), "{err}");
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[tokio::test]
async fn rendered_cards_are_the_program_cards_and_follow_the_region_settings() {
    let (env, app) = seeded().await;
    let smolensk = app.state.registry.by_slug("smolensk").unwrap();
    let index = app.state.catalog.index(&smolensk).await.unwrap();
    let today = smolensk.today(&platform::time::Clock::system());
    // Each search renders the cards it shows once; later pages copy them. Both must be
    // exactly `ProgramCard` as serialized, in the order of the results.
    for query in [
        "per_page=100",
        "per_page=2&page=2",
        "per_page=100&sort=newest",
    ] {
        let (status, body) = app.json(S, &format!("/api/v1/programs?{query}")).await;
        assert_eq!(status, 200, "{body}");
        for item in body["items"].as_array().unwrap() {
            let doc = index.get(item["id"].as_i64().unwrap()).unwrap();
            let card = platform::catalog::views::ProgramCard::of(doc, &index, &smolensk, today);
            assert_eq!(item, &serde_json::to_value(card).unwrap(), "{query}");
        }
    }
    let football = |body: &Value| {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == FOOTBALL)
            .map(|p| p["municipality"]["label"].clone())
    };
    let (_, body) = app.json(S, "/api/v1/programs?per_page=100").await;
    assert_eq!(football(&body).unwrap(), "Вяземский район");
    // The catalog page's card line «organization · municipality».
    let card_line = |name: &str| format!("</a> · {name}</p>");
    let (_, html) = app.page(S, "/programs?per_page=100").await;
    assert!(html.contains(&card_line("Вяземский район")), "{html}");

    // The operator renames a municipality: cards, cached or not, show the new name, while
    // Krasnoyarsk's cards stay as they were.
    let (_, before) = app.json(K, "/api/v1/programs?per_page=100").await;
    let samples = tenants::SAMPLE_REGIONS_DIR;
    let dir = env.data_dir.path();
    std::fs::create_dir_all(dir.join("logos")).unwrap();
    std::fs::copy(
        format!("{samples}/logos/smolensk.svg"),
        dir.join("logos/smolensk.svg"),
    )
    .unwrap();
    let file = dir.join("smolensk.toml");
    let text = std::fs::read_to_string(format!("{samples}/smolensk.toml"))
        .unwrap()
        .replace("Вяземский район", "Вяземский муниципальный округ");
    std::fs::write(&file, text).unwrap();
    env.cli(&["tenant", "apply", file.to_str().unwrap()])
        .await
        .unwrap();
    wait_until(
        "the cards show the renamed municipality",
        Duration::from_secs(10),
        || async {
            let (_, body) = app.json(S, "/api/v1/programs?per_page=100").await;
            football(&body).is_some_and(|m| m == "Вяземский муниципальный округ")
        },
    )
    .await;
    let (_, html) = app.page(S, "/programs?per_page=100").await;
    assert!(
        html.contains(&card_line("Вяземский муниципальный округ")),
        "{html}"
    );
    assert!(!html.contains(&card_line("Вяземский район")), "{html}");
    let (_, after) = app.json(K, "/api/v1/programs?per_page=100").await;
    assert_eq!(before["items"], after["items"]);
}

#[tokio::test]
async fn a_card_rendered_once_still_escapes_what_organizations_typed() {
    let (_env, app) = seeded().await;
    let smolensk = app.state.registry.by_slug("smolensk").unwrap();
    let hostile = "Шахматы <script>alert(1)</script> & «Ладья»";
    let version = catalog::rename(&app.state, CHESS, hostile).await;
    app.state.catalog.note_version(smolensk.id, version);
    wait_until(
        "the index has the new title",
        Duration::from_secs(10),
        || async {
            let (_, body) = app.json(S, "/api/v1/programs?per_page=100").await;
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["title"] == hostile)
        },
    )
    .await;
    // Twice: the first page renders the card, the second copies the kept rendering.
    for _ in 0..2 {
        let (_, html) = app.page(S, "/programs?per_page=100").await;
        assert!(
            html.contains("Шахматы &lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; «Ладья»"),
            "{html}"
        );
        assert!(!html.contains("<script>alert"), "{html}");
    }
    // Smolensk's card tables are its own: Krasnoyarsk's pages never show the card.
    let (_, html) = app.page(K, "/programs?per_page=100").await;
    assert!(!html.contains("Ладья"), "{html}");
    let (_, body) = app.json(K, "/api/v1/programs?per_page=100").await;
    assert!(!body.to_string().contains("Ладья"), "{body}");
}

#[tokio::test]
async fn the_chosen_organizer_stays_in_the_filter_even_when_it_finds_nothing() {
    let (_env, app) = seeded().await;
    // Кванториум has robotics only: with «шахматы» it finds nothing, but stays chosen.
    let (status, html) = app
        .page(
            S,
            &format!(
                "/programs?organization={KVANTORIUM}&q=%D1%88%D0%B0%D1%85%D0%BC%D0%B0%D1%82%D1%8B"
            ),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!(r#"<option value="{KVANTORIUM}" selected>"#)),
        "{html}"
    );
    // An organization with nothing published is listed by its number.
    let (status, html) = app.page(S, "/programs?organization=999").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"<option value="999" selected>Организация № 999 (0)</option>"#),
        "{html}"
    );
    // Organizers are listed by name.
    let (_, html) = app.page(S, "/programs").await;
    let select = html.split(r#"id="f-organization""#).nth(1).unwrap();
    let select = select.split("</select>").next().unwrap();
    // «…<option value="1">ДДТ «Радуга» (2)</option>…»: the labels, after «Все».
    let names: Vec<&str> = select
        .split("</option>")
        .filter_map(|o| {
            o.rsplit_once('>')?
                .1
                .rsplit_once(" (")
                .map(|(name, _)| name)
        })
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert!(names.len() >= 3, "{select}");
    assert_eq!(names, sorted, "{select}");
}

/// A parent opening the bare catalog sees their municipality's programs, with «Все
/// муниципалитеты» one click away; anyone else, and any search, is left as asked.
#[tokio::test]
async fn the_catalog_opens_on_the_parent_s_municipality() {
    let (_env, app) = TestApp::spawn().await;
    catalog::seed(&app.state).await;
    tests::demo_accounts(&app.state).await;
    let mut mama = tests::browser::Browser::new(&app, S);
    let password = platform::demo::accounts::DEMO_PASSWORD;
    mama.login("parent@smolensk.demo.navigator.local", password)
        .await;
    let bare = mama.get("/programs").await;
    assert_eq!(bare.status, 303);
    let own = bare.location.unwrap();
    assert_eq!(own, "/programs?municipality=smolensk");
    let page = mama.get(&own).await;
    assert!(
        page.body.contains("Муниципалитет: город Смоленск"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Все муниципалитеты"));
    assert!(
        !page.body.contains(">Футбол</a>"),
        "Вяземский район's program is not shown"
    );
    let all = mama.get("/programs?municipality=").await;
    assert_eq!(all.status, 200);
    assert!(all.body.contains(">Футбол</a>"));
    // The choice is remembered: the catalog's links back to a bare /programs keep it.
    let again = mama.get("/programs").await;
    assert_eq!(again.status, 200, "no redirect after «Все муниципалитеты»");
    assert!(again.body.contains(">Футбол</a>"));
    // Not logged in, or a search: as asked.
    assert_eq!(app.page(S, "/programs").await.0, 200);
    assert_eq!(mama.get("/programs?q=шахматы").await.status, 200);
}

#[tokio::test]
async fn the_site_has_an_icon() {
    let (_env, app) = TestApp::spawn().await;
    let asked = app.get(S, "/favicon.ico").send().await.unwrap();
    assert_eq!(asked.status(), 307);
    let to = asked.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/static/favicon.svg?v="), "{to}");
    let icon = app.get(S, &to).send().await.unwrap();
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    let home = app.page(S, "/").await.1;
    assert!(home.contains("rel=\"icon\""));
}
