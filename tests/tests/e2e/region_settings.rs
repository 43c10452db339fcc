//! «Настройки региона» and «Справочники» over HTTP: each broken value is refused next to its
//! field with the same messages as `navigator tenant apply` and nothing applied; a change
//! is served by a second server process on the same database; the downloaded file applies
//! to the region unchanged; a municipality that organizations use stays; nobody but the
//! region's own admin reads or changes anything; profiles are added, renamed and retired
//! with their programs moved, searchable under the new profile.

use platform::demo::accounts::DEMO_PASSWORD;
use tests::browser::Browser;
use tests::catalog::smolensk::CHESS;
use tests::{wait_until, TestApp};

use crate::groups::{smolensk, spawn, version, K, PARENT, PROVIDER, S};

const REGIONAL: &str = "regional@smolensk.demo.navigator.local";
const MUNICIPAL: &str = "municipal@smolensk.demo.navigator.local";
const KRASNOYARSK_REGIONAL: &str = "regional@krasnoyarsk.demo.navigator.local";

async fn source_of(app: &TestApp, slug: &str) -> String {
    let tenant = app.state.registry.by_slug(slug).expect("region");
    platform::region_settings::store::source(&app.state.db, tenant.id)
        .await
        .unwrap()
        .expect("stored file")
}

async fn registry_version(app: &TestApp) -> i64 {
    platform::regions::store::registry_version(&app.state.db)
        .await
        .unwrap()
}

async fn settings_audit(app: &TestApp) -> Vec<String> {
    platform::accounts::store::audit_rows(&app.state.db, smolensk(app), 200)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.action.starts_with("settings.") || r.action.starts_with("dictionary."))
        .map(|r| format!("{} {} {}", r.action, r.subject, r.detail))
        .collect()
}

async fn profile_of(app: &TestApp, program: i64) -> String {
    let (profile,): (String,) =
        sqlx::query_as("SELECT profile_id FROM programs WHERE tenant_id = $1 AND id = $2")
            .bind(smolensk(app))
            .bind(program)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    profile
}

fn coordinator(phone: &str, email: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "organization",
            "Региональный модельный центр дополнительного образования детей Смоленской области"
                .into(),
        ),
        ("person", "Ковалёва Марина Сергеевна".into()),
        ("phone", phone.into()),
        ("email", email.into()),
        (
            "address",
            "214000, г. Смоленск, ул. Октябрьской Революции, д. 14".into(),
        ),
        ("hours", "пн–пт, 9:00–18:00".into()),
    ]
}

fn certificates(min: &str, max: &str) -> Vec<(&'static str, String)> {
    vec![
        ("enabled", "on".into()),
        ("min_age", min.into()),
        ("max_age", max.into()),
        ("self_registration_age", "14".into()),
        ("nominal_rub", "5000".into()),
    ]
}

fn municipality(id: &str, name: &str, lat: &str) -> Vec<(&'static str, String)> {
    vec![
        ("id", id.into()),
        ("name", name.into()),
        ("population_5_18", "1 250".into()),
        ("lat", lat.into()),
        ("lon", "33,40".into()),
        ("nominal_rub", "".into()),
        ("budget_rub", "300000".into()),
    ]
}

async fn submit(
    b: &mut Browser<'_>,
    page: &str,
    action: &str,
    fields: &[(&'static str, String)],
) -> tests::browser::Page {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.submit(page, action, &fields).await
}

/// Text as the templates escape it.
fn html(text: &str) -> String {
    text.replace('/', "&#x2f;").replace('"', "&quot;")
}

/// A broken form: where it is sent, its fields, the field refused and the message there.
type Case = (
    &'static str,
    Vec<(&'static str, String)>,
    &'static str,
    &'static str,
);

#[tokio::test]
async fn each_broken_value_is_refused_with_its_message_and_nothing_applied() {
    let (_env, app) = spawn().await;
    let mut admin = Browser::new(&app, S);
    admin.login(REGIONAL, DEMO_PASSWORD).await;
    let before = source_of(&app, "smolensk").await;
    let registry = registry_version(&app).await;

    let cases: Vec<Case> = vec![
        (
            "/admin/settings/coordinator",
            coordinator("+7 (4812) 00-00-67", "rmc-at-example"),
            "email",
            "«rmc-at-example» не похож на адрес электронной почты",
        ),
        (
            "/admin/settings/coordinator",
            coordinator("12-34", "rmc@p67.навигатор.дети"),
            "phone",
            "«12-34»: укажите номер в формате +7 (XXX) XXX-XX-XX",
        ),
        (
            "/admin/settings/branding",
            vec![
                ("primary_color", "красный".into()),
                ("accent_color", "#e0a526".into()),
            ],
            "primary_color",
            "«красный»: укажите цвет в виде #rrggbb",
        ),
        (
            "/admin/settings/certificates",
            certificates("12", "10"),
            "max_age",
            "возрастной диапазон 12–10 неверен: нужно min_age &lt; max_age ≤ 18",
        ),
        (
            "/admin/settings/certificates",
            certificates("пять", "18"),
            "min_age",
            "«пять»: введите целое неотрицательное число",
        ),
        (
            "/admin/settings/moderation",
            vec![("moderation", "everyone".into())],
            "moderation",
            "выберите один из вариантов",
        ),
        (
            "/admin/settings/municipalities/new",
            municipality("smolensk", "Новый район", "54.5"),
            "id",
            "«smolensk» уже используется другим муниципалитетом",
        ),
        (
            "/admin/settings/municipalities/new",
            municipality("novy", "город Смоленск", "54.5"),
            "name",
            "«город Смоленск» указан дважды",
        ),
        (
            "/admin/settings/municipalities/new",
            municipality("novy", "Новый район", "95"),
            "lat",
            "широта",
        ),
        (
            "/admin/settings/municipalities/desnogorsk",
            municipality("desnogorsk", "", "54.15"),
            "name",
            "не заполнено",
        ),
    ];
    for (path, fields, field, message) in cases {
        let page = submit(&mut admin, path, path, &fields).await;
        assert_eq!(page.status, 422, "{path} {field}: {}", page.body);
        let error = format!("id=\"f-{field}-error\"");
        let at = page
            .body
            .find(&error)
            .unwrap_or_else(|| panic!("{path}: no error at {field}: {}", page.body));
        let shown: String = page.body[at..].chars().take(600).collect();
        assert!(
            shown.contains(&html(message)),
            "{path}: «{message}» not at {field}: {shown}"
        );
        assert!(page.body.contains("aria-invalid=\"true\""), "{path}");
        // What was typed comes back, and nothing was applied anywhere.
        assert_eq!(source_of(&app, "smolensk").await, before, "{path}");
        assert_eq!(registry_version(&app).await, registry, "{path}");
    }
    assert!(settings_audit(&app).await.is_empty());

    // A wrong field among right ones: the right ones are not applied either.
    let mut fields = coordinator("+7 (4812) 11-22-33", "wrong");
    fields[0].1 = "Новое название центра".into();
    let page = submit(
        &mut admin,
        "/admin/settings/coordinator",
        "/admin/settings/coordinator",
        &fields,
    )
    .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("value=\"Новое название центра\""));
    assert_eq!(source_of(&app, "smolensk").await, before);
}

#[tokio::test]
async fn a_change_is_served_by_a_second_process_and_the_file_round_trips() {
    let (env, app) = spawn().await;
    let second = TestApp::start(env.settings()).await;
    let mut admin = Browser::new(&app, S);
    admin.login(REGIONAL, DEMO_PASSWORD).await;

    let page = submit(
        &mut admin,
        "/admin/settings/coordinator",
        "/admin/settings/coordinator",
        &coordinator("8 (4812) 99-88-77", "center@p67.навигатор.дети"),
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let to = page.location.unwrap();
    assert!(to.starts_with("/admin/settings?saved="), "{to}");
    let overview = admin.get(&to).await;
    assert!(overview
        .body
        .contains("Сохранено: Региональный координатор"));
    assert!(overview.body.contains("center@p67.навигатор.дети"));

    // This process serves it at once, the other after its poll.
    let (_, home) = app.page(S, "/").await;
    assert!(home.contains("tel:+74812998877"), "{home}");
    wait_until(
        "the second process serves the new phone",
        std::time::Duration::from_secs(10),
        || async { second.page(S, "/").await.1.contains("tel:+74812998877") },
    )
    .await;

    // Colours and a municipality too; each change is one audit row with its section.
    let page = submit(
        &mut admin,
        "/admin/settings/branding",
        "/admin/settings/branding",
        &[
            ("primary_color", "#123ABC".into()),
            ("accent_color", "#e0a526".into()),
        ],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let page = submit(
        &mut admin,
        "/admin/settings/municipalities/new",
        "/admin/settings/municipalities/new",
        &municipality("novy", "Новый район", "54,5"),
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    wait_until(
        "the second process has the new colour and municipality",
        std::time::Duration::from_secs(10),
        || async {
            let t = second.state.registry.by_slug("smolensk").unwrap();
            t.config.branding.primary_color.as_str() == "#123abc"
                && t.config
                    .municipality("novy")
                    .is_some_and(|m| m.population_5_18 == 1250 && m.budget_rub == Some(300_000))
        },
    )
    .await;
    let audit = settings_audit(&app).await;
    assert_eq!(audit.len(), 3, "{audit:?}");
    assert!(audit[0].starts_with("settings.municipalities region:smolensk"));
    assert!(audit[1].starts_with("settings.branding region:smolensk Оформление: primary_color"));
    assert!(audit[2].starts_with(
        "settings.coordinator region:smolensk Региональный координатор: phone, email"
    ));
    // The municipalities table the other capabilities join follows the file.
    let (name,): (String,) =
        sqlx::query_as("SELECT name FROM municipalities WHERE tenant_id = $1 AND id = 'novy'")
            .bind(smolensk(&app))
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(name, "Новый район");

    // Saving the same values again writes nothing.
    let registry = registry_version(&app).await;
    let page = submit(
        &mut admin,
        "/admin/settings/coordinator",
        "/admin/settings/coordinator",
        &coordinator("8 (4812) 99-88-77", "center@p67.навигатор.дети"),
    )
    .await;
    assert!(page.location.unwrap().contains("unchanged="));
    assert_eq!(registry_version(&app).await, registry);

    // «Скачать настройки»: the stored file, the operator's comments kept, the edits in it.
    let download = admin.get("/admin/settings/download").await;
    assert_eq!(download.status, 200);
    let text = download.body;
    assert_eq!(text, source_of(&app, "smolensk").await);
    assert!(
        text.starts_with("# Настройки арендатора (региона)"),
        "{text}"
    );
    assert!(text.contains("phone = \"8 (4812) 99-88-77\""), "{text}");
    assert!(text.contains("id = \"novy\""));
    assert!(text.contains("logo = \"logos/smolensk.svg\""));
    // Next to the operator's logo, it applies to the region unchanged.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("logos")).unwrap();
    std::fs::copy(
        format!("{}/logos/smolensk.svg", tenants::SAMPLE_REGIONS_DIR),
        dir.path().join("logos/smolensk.svg"),
    )
    .unwrap();
    let file = dir.path().join("smolensk.toml");
    std::fs::write(&file, &text).unwrap();
    let out = env
        .cli(&["tenant", "apply", file.to_str().unwrap()])
        .await
        .unwrap();
    assert!(out.contains("smolensk: без изменений"), "{out}");
    // The logo stayed the operator's through every edit.
    let logo = app.get(S, "/branding/logo").send().await.unwrap();
    assert_eq!(logo.status().as_u16(), 200);
}

#[tokio::test]
async fn a_municipality_in_use_is_not_removed_an_unused_one_is() {
    let (_env, app) = spawn().await;
    let mut admin = Browser::new(&app, S);
    admin.login(REGIONAL, DEMO_PASSWORD).await;
    let before = source_of(&app, "smolensk").await;

    // Радуга is in Smolensk, and so are the demo parent and municipal admin.
    let page = admin
        .submit(
            "/admin/settings",
            "/admin/settings/municipalities/smolensk/remove",
            &[],
        )
        .await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert!(
        page.body.contains(
            "Муниципалитет «город Смоленск» нельзя удалить: к нему относятся организации ("
        ),
        "{}",
        page.body
    );
    assert!(page.body.contains("учётные записи (2)"), "{}", page.body);
    assert_eq!(source_of(&app, "smolensk").await, before);

    let page = submit(
        &mut admin,
        "/admin/settings/municipalities/new",
        "/admin/settings/municipalities/new",
        &municipality("novy", "Новый район", "54.5"),
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let edit = admin.get("/admin/settings/municipalities/novy").await;
    assert!(edit.body.contains("value=\"1250\""), "{}", edit.body);
    let mut fields = municipality("novy", "Новый район", "54.5");
    fields[2].1 = "2000".into();
    let page = submit(
        &mut admin,
        "/admin/settings/municipalities/novy",
        "/admin/settings/municipalities/novy",
        &fields,
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(
        app.state
            .registry
            .by_slug("smolensk")
            .unwrap()
            .config
            .municipality("novy")
            .unwrap()
            .population_5_18,
        2000
    );
    let page = admin
        .submit(
            "/admin/settings",
            "/admin/settings/municipalities/novy/remove",
            &[],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(app
        .state
        .registry
        .by_slug("smolensk")
        .unwrap()
        .config
        .municipality("novy")
        .is_none());
    // Back to the file as it was, comments and all.
    assert_eq!(source_of(&app, "smolensk").await, before);
}

#[tokio::test]
async fn nobody_but_the_regions_own_admin_reads_or_changes_them() {
    let (_env, app) = spawn().await;
    let before = source_of(&app, "smolensk").await;
    let krasnoyarsk = source_of(&app, "krasnoyarsk").await;
    let pages = [
        "/admin/settings",
        "/admin/settings/download",
        "/admin/settings/coordinator",
        "/admin/settings/municipalities/smolensk",
        "/admin/dictionaries",
    ];

    let mut anonymous = Browser::new(&app, S);
    for path in pages {
        let page = anonymous.get(path).await;
        assert_eq!(page.status, 303, "{path}");
        assert!(page.location.unwrap().starts_with("/login"), "{path}");
    }

    for who in [MUNICIPAL, PROVIDER, PARENT] {
        let mut b = Browser::new(&app, S);
        b.login(who, DEMO_PASSWORD).await;
        for path in pages {
            assert_eq!(b.get(path).await.status, 403, "{who} {path}");
        }
        let csrf = b.get("/cabinet/profile").await.csrf();
        let mut fields = coordinator("+7 (4812) 11-11-11", "x@example.ru");
        fields.push(("csrf", csrf.clone()));
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = b.post("/admin/settings/coordinator", &fields).await;
        assert_eq!(page.status, 403, "{who}");
        let page = b
            .post(
                "/admin/settings/municipalities/desnogorsk/remove",
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(page.status, 403, "{who}");
        let page = b
            .post(
                "/admin/dictionaries",
                &[("csrf", &csrf), ("direction", "sport"), ("name", "Городки")],
            )
            .await;
        assert_eq!(page.status, 403, "{who}");
        let page = b
            .post(
                "/admin/dictionaries/chess/retire",
                &[("csrf", &csrf), ("target", "football")],
            )
            .await;
        assert_eq!(page.status, 403, "{who}");
    }

    // The Smolensk admin's session means nothing on Krasnoyarsk's host.
    let mut admin = Browser::new(&app, S);
    admin.login(REGIONAL, DEMO_PASSWORD).await;
    let mut elsewhere = admin.on_host(K);
    for path in pages {
        let page = elsewhere.get(path).await;
        assert_eq!(page.status, 303, "{path}");
    }
    // Krasnoyarsk's admin sees and changes Krasnoyarsk's file only.
    let mut other = Browser::new(&app, K);
    other.login(KRASNOYARSK_REGIONAL, DEMO_PASSWORD).await;
    let page = other.get("/admin/settings").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("город Смоленск"));
    assert!(!page.body.contains("smolensk"), "{}", page.body);
    assert_eq!(
        other
            .get("/admin/settings/municipalities/smolensk")
            .await
            .status,
        404
    );
    let download = other.get("/admin/settings/download").await;
    assert_eq!(download.body, krasnoyarsk);
    let page = other
        .submit(
            "/admin/settings/branding",
            "/admin/settings/branding",
            &[("primary_color", "#00aa00"), ("accent_color", "#ffcc00")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let page = other
        .submit(
            "/admin/settings",
            "/admin/settings/municipalities/smolensk/remove",
            &[],
        )
        .await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert_ne!(source_of(&app, "krasnoyarsk").await, krasnoyarsk);
    assert_eq!(source_of(&app, "smolensk").await, before);
    assert!(settings_audit(&app).await.is_empty());
}

#[tokio::test]
async fn profiles_are_added_renamed_and_retired_with_their_programs_moved() {
    let (_env, app) = spawn().await;
    let mut admin = Browser::new(&app, S);
    admin.login(REGIONAL, DEMO_PASSWORD).await;
    let page = admin.get("/admin/dictionaries").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("value=\"Шахматы\""));

    // Refusals name their field and add nothing.
    for (fields, field, message) in [
        (
            vec![("direction", "sport"), ("name", "  ")],
            "name",
            "не заполнено",
        ),
        (
            vec![("direction", "magic"), ("name", "Городки")],
            "direction",
            "выберите направленность",
        ),
        (
            vec![("direction", "sport"), ("name", "шахматы")],
            "name",
            "профиль «шахматы» в этой направленности уже есть",
        ),
    ] {
        let page = admin
            .submit("/admin/dictionaries", "/admin/dictionaries", &fields)
            .await;
        assert_eq!(page.status, 422, "{fields:?}");
        assert!(
            page.body.contains(&format!("id=\"f-{field}-error\"")) && page.body.contains(message),
            "{fields:?}: {}",
            page.body
        );
    }
    let count = platform::catalog::store::profiles(&app.state.db, smolensk(&app))
        .await
        .unwrap()
        .len();

    let v0 = version(&app).await;
    let page = admin
        .submit(
            "/admin/dictionaries",
            "/admin/dictionaries",
            &[("direction", "sport"), ("name", "Шахматы и шашки")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let profiles = platform::catalog::store::profiles(&app.state.db, smolensk(&app))
        .await
        .unwrap();
    assert_eq!(profiles.len(), count + 1);
    let new = profiles.last().unwrap().clone();
    assert_eq!(
        (new.id.as_str(), new.name.as_str()),
        ("sport-1", "Шахматы и шашки")
    );
    assert!(version(&app).await > v0, "the catalog version moves");

    // A rename shows in the catalog's profile filter.
    let page = admin
        .submit(
            "/admin/dictionaries",
            "/admin/dictionaries/sport-1",
            &[("name", "Интеллектуальные игры")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);

    // Retiring «Шахматы» while programs have it: only with a target of the same direction.
    let page = admin
        .submit(
            "/admin/dictionaries",
            "/admin/dictionaries/chess/retire",
            &[],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body
            .contains("профиль «Шахматы» указан в программах ("),
        "{}",
        page.body
    );
    let page = admin
        .submit(
            "/admin/dictionaries",
            "/admin/dictionaries/chess/retire",
            &[("target", "robotics")],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("выберите другой профиль направленности"));
    assert_eq!(profile_of(&app, CHESS).await, "chess");

    let before = version(&app).await;
    let page = admin
        .submit(
            "/admin/dictionaries",
            "/admin/dictionaries/chess/retire",
            &[("target", "sport-1")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(version(&app).await > before);
    assert_eq!(profile_of(&app, CHESS).await, "sport-1");
    let profiles = platform::catalog::store::profiles(&app.state.db, smolensk(&app))
        .await
        .unwrap();
    assert!(profiles.iter().all(|p| p.id != "chess"));

    // The moved program is found under its new profile, and the old one is no filter.
    wait_until(
        "the catalog lists Шахматы under the new profile",
        std::time::Duration::from_secs(10),
        || async {
            let (status, body) = app.page(S, "/programs?profile=sport-1").await;
            status == 200
                && body.contains("Интеллектуальные игры")
                && body.contains("/programs/1\"")
        },
    )
    .await;
    let (_, body) = app.page(S, "/programs?profile=chess").await;
    assert!(body.contains("такого профиля нет"), "{body}");
    let (_, body) = app.page(S, "/programs?q=%D0%B8%D0%BD%D1%82%D0%B5%D0%BB%D0%BB%D0%B5%D0%BA%D1%82%D1%83%D0%B0%D0%BB%D1%8C%D0%BD%D1%8B%D0%B5").await;
    assert!(
        body.contains("/programs/1\""),
        "free text finds the profile's new name: {body}"
    );

    // An unused profile retires without a target; the history says who did what.
    let page = admin
        .submit(
            "/admin/dictionaries",
            "/admin/dictionaries",
            &[("direction", "art"), ("name", "Граффити")],
        )
        .await;
    assert_eq!(page.status, 303);
    let page = admin
        .submit(
            "/admin/dictionaries",
            "/admin/dictionaries/art-1/retire",
            &[],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let audit = settings_audit(&app).await;
    let actions: Vec<&str> = audit.iter().map(|a| a.split(' ').next().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "dictionary.profile_retire",
            "dictionary.profile_add",
            "dictionary.profile_retire",
            "dictionary.profile_rename",
            "dictionary.profile_add",
        ]
    );
    assert!(
        audit[2].contains("перенесены в «Интеллектуальные игры»"),
        "{audit:?}"
    );
    // The next profile of the direction never takes the retired one's id.
    let page = admin
        .submit(
            "/admin/dictionaries",
            "/admin/dictionaries",
            &[("direction", "art"), ("name", "Стрит-арт")],
        )
        .await;
    assert_eq!(page.status, 303);
    let to = page.location.clone().unwrap();
    assert_eq!(to, "/admin/dictionaries?done=added");
    let page = admin.get(&to).await;
    assert!(page.body.contains("Профиль добавлен."), "{}", page.body);
    assert!(
        page.body.contains("/admin/dictionaries/art-2/retire"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("/admin/dictionaries/art-1/"),
        "{}",
        page.body
    );

    // A form sent without its token changes nothing.
    let page = admin
        .post(
            "/admin/dictionaries",
            &[("direction", "art"), ("name", "Без токена")],
        )
        .await;
    assert_eq!(page.status, 403, "{}", page.body);
    let page = admin
        .post(
            "/admin/settings/coordinator",
            &[
                ("organization", "Без токена"),
                ("phone", "+7 (4812) 11-22-33"),
            ],
        )
        .await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert_eq!(settings_audit(&app).await.len(), audit.len() + 1);
}
