//! A platform operator onboards regions from files: the CLI, and servers picking the
//! change up without a restart.

use std::time::Duration;

use tests::{wait_until, write_region, TestApp, TestEnv};

const DEADLINE: Duration = Duration::from_secs(10);

async fn serves(app: &TestApp, host: &str, needle: &str) -> bool {
    let (status, body) = app.page(host, "/").await;
    status == 200 && body.contains(needle)
}

#[tokio::test]
async fn migrate_apply_and_list_from_the_cli() {
    let env = TestEnv::new().await;
    let out = env.cli(&["migrate"]).await.unwrap();
    assert!(out.contains("Миграции применены"), "{out}");
    let out = env.cli(&["tenant", "list"]).await.unwrap();
    assert!(out.contains("Регионов нет"), "{out}");

    let sample = tenants::SAMPLE_REGIONS_DIR;
    let smolensk = format!("{sample}/smolensk.toml");
    let out = env.cli(&["tenant", "apply", &smolensk]).await.unwrap();
    assert_eq!(out.trim(), "smolensk: создан (Смоленская область)");
    let out = env.cli(&["tenant", "apply", &smolensk]).await.unwrap();
    assert_eq!(out.trim(), "smolensk: без изменений (Смоленская область)");

    let out = env.cli(&["demo"]).await.unwrap();
    assert!(
        out.contains("krasnoyarsk: создан") && out.contains("smolensk: без изменений"),
        "{out}"
    );

    let out = env.cli(&["tenant", "list"]).await.unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[1].starts_with("krasnoyarsk") && lines[1].contains("p24.навигатор.дети"));
    assert!(
        lines[2].starts_with("smolensk") && lines[2].contains(" 27 "),
        "{out}"
    );
}

#[tokio::test]
async fn a_new_region_is_served_by_a_running_server_without_restart() {
    let (env, app) = TestApp::spawn().await;
    assert_eq!(app.page("p69.навигатор.дети", "/").await.0, 404);

    let file = write_region(env.data_dir.path(), "tver", 69, "p69.навигатор.дети");
    let out = env
        .cli(&["tenant", "apply", file.to_str().unwrap()])
        .await
        .unwrap();
    assert!(out.contains("tver: создан"), "{out}");
    wait_until("the new region is served", DEADLINE, || {
        serves(&app, "p69.навигатор.дети", "Тестовая область 69")
    })
    .await;
    assert!(serves(&app, "tver.localhost:8080", "Тестовая область 69").await);
    assert!(
        serves(&app, "localhost", "Тестовая область 69").await,
        "region list"
    );

    // A change to the file reaches the running server too.
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Тестовская", "Переименованная")
        .replace("город Тестовск", "город Новотестовск");
    std::fs::write(&file, text).unwrap();
    let out = env
        .cli(&["tenant", "apply", file.to_str().unwrap()])
        .await
        .unwrap();
    assert!(out.contains("tver: обновлён"), "{out}");
    wait_until("the changed region is served", DEADLINE, || {
        serves(&app, "p69.навигатор.дети", "город Новотестовск")
    })
    .await;
    // Other regions are untouched.
    assert!(serves(&app, "p67.навигатор.дети", "Смоленская область").await);
}

#[tokio::test]
async fn two_servers_on_one_database_see_regions_added_through_either() {
    let env = TestEnv::new().await;
    env.apply_samples().await;
    let a = TestApp::start(env.settings()).await;
    let b = TestApp::start(env.settings()).await;

    let first = write_region(env.data_dir.path(), "tver", 69, "p69.навигатор.дети");
    platform::regions::apply_files(
        &a.state.db,
        &a.state.cache,
        a.state.registry.base_domain(),
        &[first],
        a.state.clock.now(),
    )
    .await
    .unwrap();
    let second = write_region(env.data_dir.path(), "pskov", 60, "p60.навигатор.дети");
    platform::regions::apply_files(
        &b.state.db,
        &b.state.cache,
        b.state.registry.base_domain(),
        &[second],
        b.state.clock.now(),
    )
    .await
    .unwrap();

    for (name, app) in [("a", &a), ("b", &b)] {
        for (host, needle) in [
            ("p69.навигатор.дети", "Тестовая область 69"),
            ("p60.навигатор.дети", "Тестовая область 60"),
        ] {
            wait_until(&format!("server {name} serves {host}"), DEADLINE, || {
                serves(app, host, needle)
            })
            .await;
        }
    }
}

#[tokio::test]
async fn broken_files_are_refused_with_the_file_and_field_named_and_nothing_changes() {
    let (env, app) = TestApp::spawn().await;
    let dir = env.data_dir.path();
    let good = write_region(dir, "tver", 69, "p69.навигатор.дети");
    let source = std::fs::read_to_string(&good).unwrap();
    let broken = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let zone = broken("zone.toml", source.replace("Europe/Moscow", "Europe/Tver"));
    let unknown = broken(
        "unknown.toml",
        source.replace("zoom = 7", "zoom = 7\ncolour = 1"),
    );
    let taken = broken(
        "taken.toml",
        source.replace(
            "hosts = [\"p69.навигатор.дети\"]",
            "hosts = [\"P67.навигатор.дети\"]",
        ),
    );
    let no_center = broken(
        "nocenter.toml",
        source.replace(
            "population_5_18 = 5000\ncenter = { lat = 57.10, lon = 35.20 }",
            "population_5_18 = 5000",
        ),
    );

    let before = env.cli(&["tenant", "list"]).await.unwrap();
    let good_path = good.display().to_string();
    let err = env
        .cli(&["tenant", "apply", &good_path, &zone, &unknown, &no_center])
        .await
        .unwrap_err()
        .to_string();
    for expected in [
        "ни один регион не изменён",
        &format!("{zone}: time_zone: «Europe/Tver»: неизвестный часовой пояс"),
        &format!("{unknown}: colour: строка"),
        "неизвестное поле",
        &format!("{no_center}: municipalities[1].center: не указаны координаты"),
    ] {
        assert!(err.contains(expected), "message lacks {expected:?}:\n{err}");
    }
    // The valid file of the same run was not applied either.
    assert_eq!(env.cli(&["tenant", "list"]).await.unwrap(), before);

    let err = env
        .cli(&["tenant", "apply", &taken])
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!(
            "{taken}: hosts: хост p67.навигатор.дети уже принадлежит региону smolensk"
        )),
        "{err}"
    );
    assert_eq!(env.cli(&["tenant", "list"]).await.unwrap(), before);
    assert!(serves(&app, "p67.навигатор.дети", "Смоленская область").await);

    let err = env
        .cli(&["tenant", "apply", "/no/such/file.toml"])
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("/no/such/file.toml") && err.contains("не удалось прочитать файл"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unknown_database_scheme_is_a_clear_error() {
    let mut out = Vec::new();
    let err = platform::cli::run_args(
        [
            "navigator",
            "migrate",
            "--database-url",
            "mysql://root:secret@localhost/nav",
        ],
        &mut out,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("неизвестная схема") && err.contains("sqlite://"),
        "{err}"
    );
    assert!(!err.contains("secret"), "password leaked: {err}");
}

/// `navigator demo --applications`: the statistics benchmark's volume, generated again in
/// place on a rerun, numbered after the accounts that were already there.
#[tokio::test]
async fn demo_generates_families_and_applications_and_replaces_them_on_a_rerun() {
    let (env, app) = TestApp::spawn().await;
    let count = |sql: &'static str| {
        let pool = app.state.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let args = [
        "demo",
        "--programs",
        "120",
        "--applications",
        "1000",
        "--region",
        "smolensk",
    ];
    for _ in 0..2 {
        let out = env.cli(&args).await.unwrap();
        assert!(
            out.contains("smolensk: 1000 заявок, 100 семей, 200 детей"),
            "{out}"
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM applications a JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.parent_id WHERE u.email_key LIKE '%@activity.demo.navigator.local'").await,
            1000
        );
        assert_eq!(
            count(
                "SELECT COUNT(*) FROM users WHERE email_key LIKE '%@activity.demo.navigator.local'"
            )
            .await,
            100
        );
    }
    // Every status, and the decided ones with their answer time.
    assert_eq!(
        count("SELECT COUNT(DISTINCT status) FROM applications").await,
        7
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM applications WHERE status IN ('confirmed', 'rejected', 'enrolled', 'withdrawn') AND wait_seconds IS NULL").await,
        0
    );
    // The next account gets a free number: the sequence is past every row.
    assert_eq!(
        count("SELECT COUNT(*) FROM id_sequences s WHERE s.name = 'users' AND s.next_id <= (SELECT MAX(u.id) FROM users u WHERE u.tenant_id = s.tenant_id)").await,
        0
    );
    let out = env.cli(&["demo", "--applications", "0"]).await;
    assert!(out.is_err(), "0 applications is refused");
}
