//! «Профиль организации» over HTTP: staff edit their organization's profile and places of
//! study and the public organization page shows it; every refusal names its field (ИНН,
//! ОГРН, a place outside the region); nobody else reads or changes it — another
//! organization's staff, a parent, the other region's host; the organization's API token
//! does what the staff do.

use platform::accounts::values::Role;
use platform::demo::accounts::DEMO_PASSWORD;
use platform::organizations::store;
use reqwest::Method;
use serde_json::json;
use tests::browser::Browser;
use tests::catalog::smolensk::{OLIMP, RADUGA};
use tests::{TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";
const PROVIDER: &str = "provider@smolensk.demo.navigator.local";
const PARENT: &str = "parent@smolensk.demo.navigator.local";
const OLIMP_STAFF: &str = "staff@olimp.example.ru";
/// ПАО Сбербанк's numbers: real ones, with right check digits.
const INN: &str = "7707083893";
const OGRN: &str = "1027700132195";
/// An ИП's ИНН and ОГРНИП.
const IP_INN: &str = "500100732259";
const IP_OGRN: &str = "304500116000157";
/// Smolensk, Большая Советская улица; and Moscow, outside Smolensk oblast.
const SMOLENSK: (&str, &str) = ("54.7826", "32.0453");
const MOSCOW: (&str, &str) = ("55.7558", "37.6173");

async fn spawn() -> (TestEnv, TestApp) {
    let (env, app) = TestApp::spawn().await;
    tests::catalog::seed(&app.state).await;
    platform::demo::accounts::ensure(
        &app.state.db,
        &app.state.registry.tenants(),
        app.state.clock.now(),
        &mut Vec::new(),
    )
    .await
    .expect("demo accounts");
    tests::staff_account(
        &app,
        "smolensk",
        OLIMP_STAFF,
        Role::Provider,
        Some(OLIMP),
        DEMO_PASSWORD,
    )
    .await;
    (env, app)
}

fn smolensk(app: &TestApp) -> platform::tenant_id::TenantId {
    app.state.registry.by_slug("smolensk").expect("smolensk").id
}

async fn profile_of(app: &TestApp, org: i64) -> store::Profile {
    store::profile(&app.state.db, smolensk(app), org)
        .await
        .expect("read")
        .expect("organization")
}

/// The places a test added: the fixture's groups meet at places of their own, «ул. Мира, …».
async fn added_places(app: &TestApp, org: i64) -> Vec<store::Place> {
    store::places(&app.state.db, smolensk(app), org)
        .await
        .expect("places")
        .into_iter()
        .filter(|p| !p.address.starts_with("ул. Мира"))
        .collect()
}

fn profile_fields<'a>(name: &'a str, inn: &'a str, ogrn: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("short_name", "ЦДТ «Радуга»"),
        ("org_type", "municipal"),
        ("inn", inn),
        ("ogrn", ogrn),
        ("phone", "+7 (4812) 38-00-01"),
        ("email", "raduga@example.ru"),
        ("website", "raduga.example.ru"),
        (
            "description",
            "Кружки для детей от 5 до 18 лет.\nЗанятия бесплатные.",
        ),
    ]
}

#[tokio::test]
async fn staff_edit_their_profile_and_places_and_the_public_page_follows() {
    let (_env, app) = spawn().await;
    let tenant = smolensk(&app);
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let page = staff.get("/provider/profile").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Профиль организации"), "{}", page.body);
    // The fixture's groups' places are listed.
    assert!(page.body.contains("ул. Мира, д. 1"), "{}", page.body);
    let cabinet = staff.get("/provider").await;
    assert!(cabinet.body.contains("href=\"/provider/profile\""));

    let before = platform::catalog::store::version(&app.state.db, tenant)
        .await
        .unwrap();
    let name = "Центр детского творчества «Радуга» города Смоленска";
    let saved = staff
        .submit(
            "/provider/profile",
            "/provider/profile",
            &profile_fields(name, INN, OGRN),
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        saved.location.as_deref(),
        Some("/provider/profile?saved=profile")
    );
    let page = staff.get("/provider/profile?saved=profile").await;
    assert!(page.body.contains("Профиль организации сохранён"));
    assert!(page.body.contains(OGRN), "{}", page.body);
    // The history says who changed which fields.
    assert!(page.body.contains("История изменений"), "{}", page.body);
    assert!(page.body.contains("Профиль изменён"), "{}", page.body);

    let p = profile_of(&app, RADUGA).await;
    assert_eq!(
        (p.name.as_str(), p.inn.as_str(), p.ogrn.as_deref()),
        (name, INN, Some(OGRN))
    );
    assert_eq!(p.phone, "+74812380001");
    assert_eq!(p.website.as_deref(), Some("https://raduga.example.ru"));
    // One change, one version, and the organization stamped with it for sitegen.
    let after = platform::catalog::store::version(&app.state.db, tenant)
        .await
        .unwrap();
    assert_eq!(after, before + 1);
    let changed = platform::catalog::store::programs_changed_since(&app.state.db, tenant, before)
        .await
        .unwrap();
    assert!(
        changed.contains(&tests::catalog::smolensk::CHESS),
        "{changed:?}"
    );
    let audit = platform::accounts::store::audit_rows(&app.state.db, tenant, 5)
        .await
        .unwrap();
    let row = audit
        .iter()
        .find(|r| r.action == "organization.profile")
        .expect("audited");
    assert_eq!(row.subject, format!("organization:{RADUGA}"));
    assert!(
        row.detail.contains("name") && row.detail.contains("ogrn"),
        "{}",
        row.detail
    );

    // The public page shows it.
    let (status, public) = app.page(S, &format!("/organizations/{RADUGA}")).await;
    assert_eq!(status, 200);
    assert!(public.contains("Центр детского творчества «Радуга» города Смоленска"));
    assert!(public.contains("raduga.example.ru"));
    assert!(public.contains("raduga@example.ru"));

    // Saving the same again changes nothing: no new version.
    let again = staff
        .submit(
            "/provider/profile",
            "/provider/profile",
            &profile_fields(name, INN, OGRN),
        )
        .await;
    assert_eq!(again.status, 303);
    assert_eq!(
        platform::catalog::store::version(&app.state.db, tenant)
            .await
            .unwrap(),
        after
    );

    // An ИП: 12-digit ИНН with an ОГРНИП; the public page says «Индивидуальный предприниматель».
    let mut ip = profile_fields(name, IP_INN, IP_OGRN);
    ip[2] = ("org_type", "ip");
    let saved = staff
        .submit("/provider/profile", "/provider/profile", &ip)
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let (_, public) = app.page(S, &format!("/organizations/{RADUGA}")).await;
    assert!(
        public.contains("Индивидуальный предприниматель"),
        "{public}"
    );

    // Places of study: add, edit, remove.
    let added = staff
        .submit(
            "/provider/profile",
            "/provider/profile/places/new",
            &[
                ("address", "г. Смоленск, ул. Большая Советская, д. 1"),
                ("lat", SMOLENSK.0),
                ("lon", SMOLENSK.1),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let places = added_places(&app, RADUGA).await;
    assert_eq!(places.len(), 1);
    let id = places[0].id;
    assert_eq!(places[0].location.lat, 54.7826);
    let page = staff.get("/provider/profile").await;
    assert!(page.body.contains("ул. Большая Советская, д. 1"));
    let (_, public) = app.page(S, &format!("/organizations/{RADUGA}")).await;
    assert!(public.contains("Места обучения"), "{public}");
    assert!(public.contains("ул. Большая Советская, д. 1"), "{public}");
    let v = platform::catalog::store::version(&app.state.db, tenant)
        .await
        .unwrap();
    let edited = staff
        .submit(
            &format!("/provider/profile/places/{id}"),
            &format!("/provider/profile/places/{id}"),
            &[
                ("address", "г. Смоленск, ул. Ленина, д. 12"),
                ("lat", "54,7790"),
                ("lon", "32,0500"),
            ],
        )
        .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    let places = added_places(&app, RADUGA).await;
    assert_eq!(places[0].address, "г. Смоленск, ул. Ленина, д. 12");
    assert_eq!(places[0].location.lon, 32.05);
    assert_eq!(
        platform::catalog::store::version(&app.state.db, tenant)
            .await
            .unwrap(),
        v + 1
    );
    let removed = staff
        .submit(
            "/provider/profile",
            &format!("/provider/profile/places/{id}/delete"),
            &[],
        )
        .await;
    assert_eq!(removed.status, 303, "{}", removed.body);
    assert!(added_places(&app, RADUGA).await.is_empty());
}

#[tokio::test]
async fn every_refusal_names_its_field_and_changes_nothing() {
    let (_env, app) = spawn().await;
    let tenant = smolensk(&app);
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let before = profile_of(&app, RADUGA).await;
    let version = platform::catalog::store::version(&app.state.db, tenant)
        .await
        .unwrap();
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            profile_fields("Новое имя", "7707083894", OGRN),
            "ИНН указан с ошибкой: не сходится контрольная цифра",
        ),
        (
            profile_fields("Новое имя", INN, "1027700132194"),
            "ОГРН указан с ошибкой: не сходится контрольная цифра",
        ),
        (
            profile_fields("Новое имя", "77070838", OGRN),
            "ИНН состоит из 10 цифр (организация) или 12 цифр (ИП), а здесь 8",
        ),
        (
            {
                let mut f = profile_fields("Новое имя", INN, OGRN);
                f[2] = ("org_type", "ip");
                f
            },
            "у индивидуального предпринимателя ИНН из 12 цифр",
        ),
        (
            profile_fields("Новое имя", IP_INN, OGRN),
            "у организации ИНН из 10 цифр",
        ),
        (profile_fields("", INN, OGRN), "укажите полное название"),
        (
            {
                let mut f = profile_fields("Новое имя", INN, OGRN);
                f[7] = ("website", "мой сайт");
                f
            },
            "укажите адрес сайта",
        ),
    ];
    for (fields, message) in cases {
        let page = staff
            .submit("/provider/profile", "/provider/profile", &fields)
            .await;
        assert_eq!(page.status, 422, "{message}: {}", page.body);
        assert!(page.body.contains(message), "{message}: {}", page.body);
        assert!(page.body.contains("field-error"));
    }
    let outside = staff
        .submit(
            "/provider/profile",
            "/provider/profile/places/new",
            &[
                ("address", "г. Москва, Красная площадь"),
                ("lat", MOSCOW.0),
                ("lon", MOSCOW.1),
            ],
        )
        .await;
    assert_eq!(outside.status, 422, "{}", outside.body);
    assert!(
        outside
            .body
            .contains("долгота 37.6173 — вне региона «Смоленская область»"),
        "{}",
        outside.body
    );
    let nowhere = staff
        .submit(
            "/provider/profile",
            "/provider/profile/places/new",
            &[("address", ""), ("lat", "север"), ("lon", "")],
        )
        .await;
    assert_eq!(nowhere.status, 422);
    for message in [
        "укажите адрес",
        "«север»: широту — число в градусах",
        "укажите долготу",
    ] {
        assert!(
            nowhere.body.contains(message),
            "{message}: {}",
            nowhere.body
        );
    }
    // The API names the field.
    let csrf = staff.get("/provider/profile").await.csrf();
    let (status, body, _) = staff
        .api(
            Method::PUT,
            "/api/v1/provider/profile",
            Some(json!({
                "name": "Новое имя", "short_name": "Радуга", "org_type": "municipal",
                "inn": "7707083894", "ogrn": OGRN, "phone": "+74812380001",
                "email": "raduga@example.ru", "website": null, "description": "Кружки",
            })),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "inn");
    let (status, body, _) = staff
        .api(
            Method::POST,
            "/api/v1/provider/places",
            Some(json!({ "address": "Москва", "lat": 55.7558, "lon": 37.6173 })),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "lon");

    assert_eq!(profile_of(&app, RADUGA).await, before);
    assert!(added_places(&app, RADUGA).await.is_empty());
    assert_eq!(
        platform::catalog::store::version(&app.state.db, tenant)
            .await
            .unwrap(),
        version
    );
}

#[tokio::test]
async fn nobody_else_reads_or_changes_it() {
    let (env, app) = spawn().await;
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let csrf = staff.get("/provider/profile").await.csrf();
    let (status, place, _) = staff
        .api(
            Method::POST,
            "/api/v1/provider/places",
            Some(json!({ "address": "г. Смоленск, ул. Ленина, д. 1", "lat": 54.78, "lon": 32.05 })),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 200, "{place}");
    let id = place["id"].as_i64().unwrap();
    let before = profile_of(&app, RADUGA).await;

    // Another organization's staff: their own profile, never Радуга's.
    let mut other = Browser::new(&app, S);
    other.login(OLIMP_STAFF, DEMO_PASSWORD).await;
    let (status, mine, _) = other
        .api(Method::GET, "/api/v1/provider/profile", None, None)
        .await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["id"], OLIMP);
    assert!(
        mine["places"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["address"].as_str().unwrap().starts_with("ул. Мира")),
        "{mine}"
    );
    let other_csrf = other.get("/provider/profile").await.csrf();
    let body = json!({ "address": "Чужой адрес", "lat": 54.7, "lon": 32.0 });
    let (status, _, _) = other
        .api(
            Method::PUT,
            &format!("/api/v1/provider/places/{id}"),
            Some(body),
            Some(&other_csrf),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _, _) = other
        .api(
            Method::DELETE,
            &format!("/api/v1/provider/places/{id}"),
            None,
            Some(&other_csrf),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        other
            .get(&format!("/provider/profile/places/{id}"))
            .await
            .status,
        404
    );
    let page = other
        .submit(
            "/provider/profile",
            &format!("/provider/profile/places/{id}/delete"),
            &[],
        )
        .await;
    assert_eq!(page.status, 404);

    // A parent: 403 on the page and the API.
    let mut parent = Browser::new(&app, S);
    parent.login(PARENT, DEMO_PASSWORD).await;
    assert_eq!(parent.get("/provider/profile").await.status, 403);
    let (status, _, _) = parent
        .api(Method::GET, "/api/v1/provider/profile", None, None)
        .await;
    assert_eq!(status, 403);
    let parent_csrf = parent.get("/cabinet").await.csrf();
    let (status, _, _) = parent
        .api(
            Method::DELETE,
            &format!("/api/v1/provider/places/{id}"),
            None,
            Some(&parent_csrf),
        )
        .await;
    assert_eq!(status, 403);

    // The other region's host: the session is Smolensk's, so nobody is logged in there.
    let mut elsewhere = staff.on_host(K);
    let (status, _, _) = elsewhere
        .api(Method::GET, "/api/v1/provider/profile", None, None)
        .await;
    assert_eq!(status, 401);
    let (status, _, _) = elsewhere
        .api(
            Method::DELETE,
            &format!("/api/v1/provider/places/{id}"),
            None,
            Some(&csrf),
        )
        .await;
    assert!(matches!(status, 401 | 403), "{status}");
    assert_ne!(elsewhere.get("/provider/profile").await.status, 200);

    assert_eq!(profile_of(&app, RADUGA).await, before);
    let places = added_places(&app, RADUGA).await;
    assert_eq!(places.len(), 1);
    assert_eq!(places[0].address, "г. Смоленск, ул. Ленина, д. 1");

    // The organization's API token acts for it, without a cookie or a CSRF header.
    let out = env
        .cli(&[
            "token", "add", "--region", "smolensk", "--email", PROVIDER, "--name", "1С",
        ])
        .await
        .unwrap();
    let token = out.lines().nth(1).unwrap().trim().to_owned();
    let call = |method: Method, path: String, body: Option<serde_json::Value>| {
        let (app, token) = (&app, token.clone());
        async move {
            let mut req = app
                .client()
                .request(method, format!("http://{}{path}", app.addr))
                .header("Host", S)
                .header("Authorization", format!("Bearer {token}"));
            if let Some(b) = body {
                req = req.json(&b);
            }
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            (
                status,
                resp.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        }
    };
    let (status, profile) = call(Method::GET, "/api/v1/provider/profile".into(), None).await;
    assert_eq!(status, 200, "{profile}");
    assert_eq!(profile["id"], RADUGA);
    assert!(
        profile["places"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == id),
        "{profile}"
    );
    let (status, saved) = call(
        Method::PUT,
        "/api/v1/provider/profile".into(),
        Some(json!({
            "name": "ЦДТ «Радуга» (через API)", "short_name": "Радуга", "org_type": "municipal",
            "inn": INN, "ogrn": OGRN, "phone": "+74812380001", "email": "raduga@example.ru",
            "website": null, "description": "Кружки",
        })),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["ogrn"], OGRN);
    assert_eq!(saved["website"], serde_json::Value::Null);
    let (status, _) = call(
        Method::PUT,
        format!("/api/v1/provider/places/{id}"),
        Some(json!({ "address": "г. Смоленск, ул. Ленина, д. 2", "lat": 54.78, "lon": 32.05 })),
    )
    .await;
    assert_eq!(status, 200);
    let (status, list) = call(Method::GET, "/api/v1/provider/places".into(), None).await;
    assert_eq!(status, 200);
    let mine = list.as_array().unwrap().iter().find(|p| p["id"] == id);
    assert_eq!(mine.unwrap()["address"], "г. Смоленск, ул. Ленина, д. 2");
    let (status, _) = call(
        Method::DELETE,
        format!("/api/v1/provider/places/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (_, public) = app.page(S, &format!("/organizations/{RADUGA}")).await;
    assert!(public.contains("ЦДТ «Радуга» (через API)"));
}
