//! «Статистика» over HTTP: a fixture made through the real forms — families in two
//! municipalities register, add children of known ages (one with ОВЗ), get and fund a
//! certificate, apply; organizations decide at known hours after the filing (the clock is
//! set) — and every figure of the four dashboards checked against the answer worked out
//! here by hand. The period filter changes the figures and bad dates name their field; a
//! municipal admin sees and downloads only their municipality, a regional admin only their
//! region (the other region's host shows its own), nobody else anything.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use platform::accounts::values::Role;
use platform::demo::accounts::DEMO_PASSWORD;
use tests::browser::{path_of, Browser, Page};
use tests::smtp::SmtpSink;
use tests::{TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";
const PASSWORD: &str = "Надёжный-пароль-2026";
const REGIONAL: &str = "regional@smolensk.demo.navigator.local";
const K_REGIONAL: &str = "regional@krasnoyarsk.demo.navigator.local";
const PROVIDER: &str = "provider@smolensk.demo.navigator.local";
const PARENT: &str = "parent@smolensk.demo.navigator.local";
const OLIMP_STAFF: &str = "staff@olimp.example.ru";
const SMOLENSK_ADMIN: &str = "mun-smolensk@example.ru";
const VYAZMA_ADMIN: &str = "mun-vyazma@example.ru";
/// Fixture groups: Шахматы (Радуга, Смоленск), Вокал (Радуга), Юный эколог (Олимп,
/// Вяземский район, paid by certificate).
const CHESS_GROUP: i64 = 1;
const VOCAL_GROUP: i64 = 3;
const ECOLOGY_GROUP: i64 = 6;

async fn spawn() -> (TestEnv, TestApp, SmtpSink) {
    let (env, app, sink) = TestApp::spawn_with_mail().await;
    tests::catalog::seed(&app.state).await;
    tests::demo_accounts(&app.state).await;
    tests::staff_account(
        &app,
        "smolensk",
        OLIMP_STAFF,
        Role::Provider,
        Some(3),
        DEMO_PASSWORD,
    )
    .await;
    tests::municipal_account(&app, "smolensk", SMOLENSK_ADMIN, "smolensk").await;
    tests::municipal_account(&app, "smolensk", VYAZMA_ADMIN, "vyazemsky").await;
    (env, app, sink)
}

fn years_ago(today: NaiveDate, years: i32) -> String {
    today
        .with_year(today.year() - years)
        .unwrap_or(today)
        .to_string()
}

async fn login<'a>(app: &'a TestApp, host: &str, email: &str) -> Browser<'a> {
    let mut b = Browser::new(app, host);
    b.login(email, DEMO_PASSWORD).await;
    b
}

/// A family of `municipality`, registered and confirmed, logged in.
async fn family<'a>(
    app: &'a TestApp,
    sink: &SmtpSink,
    email: &str,
    municipality: &str,
) -> Browser<'a> {
    let mut b = Browser::new(app, S);
    let page = b
        .submit(
            "/register",
            "/register",
            &[
                ("municipality", municipality),
                ("last_name", "Кузнецова"),
                ("first_name", "Ирина"),
                ("phone", "+79161234567"),
                ("email", email),
                ("password", PASSWORD),
                ("consent", "true"),
            ],
        )
        .await;
    assert!(page.status < 400, "{}", page.body);
    let mail = sink.wait_for(email, 1).await;
    b.get(&path_of(&mail.link("/verify/email").unwrap())).await;
    b.login(email, PASSWORD).await;
    b
}

/// Adds a child of `age` through «Добавить ребёнка»; returns its id.
async fn child(b: &mut Browser<'_>, today: NaiveDate, name: &str, age: i32, ovz: bool) -> String {
    let born = years_ago(today, age);
    let mut fields = vec![
        ("last_name", "Кузнецов"),
        ("first_name", name),
        ("birth_date", born.as_str()),
        ("sex", "male"),
    ];
    if ovz {
        fields.push(("ovz", "1"));
    }
    let page = b
        .submit("/cabinet/children/new", "/cabinet/children/new", &fields)
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let cabinet = b.get("/cabinet").await;
    cabinet
        .body
        .split("/cabinet/children/")
        .filter_map(|s| s.split('"').next())
        .filter_map(|id| id.parse::<i64>().ok())
        .max()
        .unwrap()
        .to_string()
}

async fn apply(b: &mut Browser<'_>, group: i64, child: &str) -> String {
    let page = b
        .submit(
            &format!("/apply/{group}"),
            &format!("/apply/{group}"),
            &[("child", child)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    page.location
        .as_deref()
        .unwrap()
        .split("filed=")
        .nth(1)
        .unwrap()
        .to_owned()
}

/// The organization's decision, `hours` after `filed` by the server's clock (logged in
/// anew: a session left idle that long has ended).
async fn decide(
    app: &TestApp,
    staff: &str,
    filed: chrono::DateTime<Utc>,
    hours: i64,
    id: &str,
    action: &str,
    comment: &str,
) {
    app.state.clock.set(filed + Duration::hours(hours));
    let mut b = login(app, S, staff).await;
    let page = b
        .submit(
            &format!("/provider/applications/{id}"),
            &format!("/provider/applications/{id}/{action}"),
            &[("comment", comment)],
        )
        .await;
    assert_eq!(page.status, 303, "{action} {id}: {}", page.body);
}

/// The rows (body and total) of table `key` on a dashboard page, cells as text with
/// ordinary spaces.
fn rows(page: &Page, key: &str) -> Vec<Vec<String>> {
    let marker = format!("id=\"tb-{key}\"");
    let Some(start) = page.body.find(&marker) else {
        return Vec::new();
    };
    let table = &page.body[start..];
    let table = &table[..table.find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    body.split("<tr>").skip(1).map(cells_of).collect()
}

fn cells_of(tr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = tr;
    while let Some(i) = rest.find("<t") {
        let after = &rest[i + 2..];
        if !(after.starts_with("d>")
            || after.starts_with("d ")
            || after.starts_with("h>")
            || after.starts_with("h "))
        {
            rest = after;
            continue;
        }
        let content = &after[after.find('>').unwrap() + 1..];
        let close = content.find("</t").unwrap();
        out.push(
            content[..close]
                .replace('\u{a0}', " ")
                .replace("&#x2f;", "/")
                .replace("&quot;", "\"")
                .trim()
                .to_owned(),
        );
        rest = &content[close..];
    }
    out
}

/// Sent to log in: a redirect to the login page (or a bare 401).
fn assert_login(page: &Page) {
    match page.status {
        303 => assert!(
            page.location
                .as_deref()
                .unwrap_or_default()
                .contains("/login"),
            "{:?}",
            page.location
        ),
        status => assert_eq!(status, 401, "{}", page.body),
    }
}

fn row<'a>(rows: &'a [Vec<String>], first: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r[0] == first)
        .unwrap_or_else(|| panic!("no row «{first}» in {rows:?}"))
}

fn cells(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| s.to_string()).collect()
}

/// `12 345` as the dashboards print it.
fn thousands(n: i64) -> String {
    platform::domain::group_thousands(n).replace('\u{a0}', " ")
}

#[tokio::test]
async fn dashboards_give_the_figures_worked_out_by_hand_in_each_scope() {
    let (env, app, sink) = spawn().await;
    let smolensk = app.state.registry.by_slug("smolensk").unwrap();
    let today = smolensk.today(&app.state.clock);
    // A period around today: the fixture's groups study from today on.
    let from = today - Duration::days(30);
    let to = today + Duration::days(30);
    let q = format!("from={from}&to={to}");

    // Смоленск: Аня, 8, with ОВЗ; Борис, 11, with a funded certificate. Вязьма: Вова, 10.
    let mut smolensk_family = family(&app, &sink, "smolensk-family@example.ru", "smolensk").await;
    let anya = child(&mut smolensk_family, today, "Аня", 8, true).await;
    let boris = child(&mut smolensk_family, today, "Борис", 11, false).await;
    let mut vyazma_family = family(&app, &sink, "vyazma-family@example.ru", "vyazemsky").await;
    let vova = child(&mut vyazma_family, today, "Вова", 10, false).await;

    smolensk_family
        .submit(
            "/cabinet",
            &format!("/cabinet/children/{boris}/certificate"),
            &[],
        )
        .await;
    let mut raduga = login(&app, S, PROVIDER).await;
    let number: String = sqlx::query_scalar("SELECT number FROM certificates LIMIT 1")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let found = raduga
        .get(&format!("/provider/certificates?number={number}"))
        .await;
    let cert = found
        .body
        .split("/provider/certificates/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    raduga
        .submit(
            &format!("/provider/certificates/{cert}"),
            &format!("/provider/certificates/{cert}/confirm"),
            &[],
        )
        .await;
    let funded = smolensk_family
        .submit(
            "/cabinet",
            &format!("/cabinet/children/{boris}/funding"),
            &[],
        )
        .await;
    assert_eq!(funded.status, 200, "{}", funded.body);

    let anya_chess = apply(&mut smolensk_family, CHESS_GROUP, &anya).await;
    let anya_vocal = apply(&mut smolensk_family, VOCAL_GROUP, &anya).await;
    let boris_chess = apply(&mut smolensk_family, CHESS_GROUP, &boris).await;
    let boris_ecology = apply(&mut smolensk_family, ECOLOGY_GROUP, &boris).await;
    let vova_chess = apply(&mut vyazma_family, CHESS_GROUP, &vova).await;
    let filed = app.state.clock.now();

    // Радуга answers in 2, 10, 30 and 80 hours; Олимп in 50.
    decide(&app, PROVIDER, filed, 2, &anya_chess, "confirm", "").await;
    decide(&app, PROVIDER, filed, 3, &anya_chess, "enroll", "").await;
    decide(&app, PROVIDER, filed, 10, &vova_chess, "confirm", "").await;
    decide(&app, PROVIDER, filed, 11, &vova_chess, "enroll", "").await;
    decide(
        &app,
        PROVIDER,
        filed,
        30,
        &anya_vocal,
        "reject",
        "Группа укомплектована",
    )
    .await;
    decide(&app, OLIMP_STAFF, filed, 50, &boris_ecology, "confirm", "").await;
    decide(&app, OLIMP_STAFF, filed, 51, &boris_ecology, "enroll", "").await;
    decide(&app, PROVIDER, filed, 80, &boris_chess, "confirm", "").await;
    decide(&app, PROVIDER, filed, 81, &boris_chess, "enroll", "").await;
    let month = {
        let d = smolensk.today(&app.state.clock);
        format!("{:04}-{:02}", d.year(), d.month())
    };
    env.cli(&["billing", "run", "--region", "smolensk", "--month", &month])
        .await
        .unwrap();

    let mut ministry = login(&app, S, REGIONAL).await;
    let cabinet = ministry.get("/admin").await;
    assert!(cabinet.body.contains("href=\"/admin/statistics\""));

    // Охват. The region: Аня, Борис, Вова; by family: Смоленск 2 (Аня with ОВЗ), Вязьма 1.
    let page = ministry
        .get(&format!("/admin/statistics/coverage?{q}"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("role=\"img\""), "a chart");
    assert!(page
        .body
        .contains("<desc id=\"ch-coverage-municipalities-d\">"));
    let population =
        |id: &str| i64::from(smolensk.config.municipality(id).unwrap().population_5_18);
    let region: i64 = smolensk
        .config
        .municipalities
        .iter()
        .map(|m| i64::from(m.population_5_18))
        .sum();
    let share = |n: i64, of: i64| {
        platform::statistics::table::Value::Share(Some(n as f64 / of as f64))
            .shown()
            .replace('\u{a0}', " ")
    };
    let by_m = rows(&page, "coverage-municipalities");
    let smolensk_name = &smolensk.config.municipality("smolensk").unwrap().name;
    let vyazma_name = &smolensk.config.municipality("vyazemsky").unwrap().name;
    assert_eq!(
        row(&by_m, smolensk_name),
        cells(&[
            smolensk_name,
            &thousands(population("smolensk")),
            "2",
            &share(2, population("smolensk")),
            "1"
        ])
    );
    assert_eq!(
        row(&by_m, vyazma_name)[2..],
        cells(&["1", &share(1, population("vyazemsky")), "0"])
    );
    assert_eq!(
        row(&by_m, "Всего по региону"),
        cells(&[
            "Всего по региону",
            &thousands(region),
            "3",
            &share(3, region),
            "1"
        ])
    );
    let by_d = rows(&page, "coverage-directions");
    assert_eq!(row(&by_d, "Физкультурно-спортивная")[1], "3");
    assert_eq!(row(&by_d, "Физкультурно-спортивная")[3], "1");
    assert_eq!(row(&by_d, "Естественнонаучная")[1], "1");
    assert_eq!(row(&by_d, "Художественная")[1], "0", "Аня was refused");
    let by_age = rows(&page, "coverage-ages");
    assert_eq!(row(&by_age, "5–9 лет")[1..], cells(&["1", "33,3 %", "1"]));
    assert_eq!(row(&by_age, "10–14 лет")[1..], cells(&["2", "66,7 %", "0"]));
    assert_eq!(row(&by_age, "15–17 лет")[1], "0");
    assert_eq!(
        row(&rows(&page, "coverage-ovz"), "Дети с ОВЗ")[1..],
        cells(&["1", "33,3 %"])
    );

    // Спрос. Seats: groups of published programs studying in the period, 15 each —
    // sport: Шахматы + Футбол, art: two of Вокал, natural science: Юный эколог.
    let page = ministry.get(&format!("/admin/statistics/demand?{q}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let by_d = rows(&page, "demand-directions");
    assert_eq!(
        row(&by_d, "Физкультурно-спортивная")[1..],
        cells(&["3", "30", "0,10", "0"])
    );
    assert_eq!(
        row(&by_d, "Художественная")[1..],
        cells(&["1", "30", "0,03", "0"])
    );
    assert_eq!(
        row(&by_d, "Естественнонаучная")[1..],
        cells(&["1", "15", "0,07", "0"])
    );
    assert_eq!(
        row(&by_d, "Техническая")[1..],
        cells(&["0", "15", "0,00", "0"])
    );
    assert_eq!(
        row(&by_d, "Всего по региону")[1..],
        cells(&["5", "90", "0,06", "0"])
    );
    let programs = rows(&page, "demand-programs");
    let order: Vec<&str> = programs.iter().map(|r| r[5].as_str()).collect();
    assert_eq!(order, ["0,20", "0,07", "0,03"], "{programs:?}");
    assert!(programs[0][0].contains("Шахматный клуб"));
    assert!(page
        .body
        .contains("Заявок больше, чем мест, нет ни в одной программе."));
    assert_eq!(
        rows(&page, "demand-refusals"),
        vec![cells(&["Группа укомплектована", "1", "100,0 %"])]
    );
    let no_offer = rows(&page, "demand-no-offer");
    assert_eq!(row(&no_offer, smolensk_name)[1], "4");
    assert_eq!(row(&no_offer, vyazma_name)[1], "4");
    assert_eq!(
        row(
            &no_offer,
            &smolensk.config.municipality("desnogorsk").unwrap().name
        )[1],
        "5"
    );

    // Работа организаций. Радуга: 2, 10, 30, 80 h → median the 2nd (10), 90th the 4th
    // (80), 3 of 4 within 72 h. Олимп: 50 h. All: median the 3rd of five (30).
    let page = ministry.get(&format!("/admin/statistics/work?{q}")).await;
    let work = rows(&page, "work-organizations");
    assert_eq!(work[0][0], "СШ «Олимп»", "the slowest first: {work:?}");
    assert_eq!(work[0][2..], cells(&["1", "50 ч", "50 ч", "100,0 %", "0"]));
    assert_eq!(
        row(&work, "ДДТ «Радуга»")[1..],
        cells(&[smolensk_name, "4", "10 ч", "80 ч", "75,0 %", "0"])
    );
    assert_eq!(
        row(&work, "Всего по региону")[1..],
        cells(&["", "5", "30 ч", "80 ч", "80,0 %", "0"])
    );

    // Сертификаты и деньги: Борис's certificate, its nominal, the contract for Юный
    // эколог (1 800 ₽ a month) and this month's charge.
    let page = ministry.get(&format!("/admin/statistics/money?{q}")).await;
    let certs = rows(&page, "money-certificates");
    assert_eq!(
        row(&certs, smolensk_name)[1..],
        cells(&["1", "1", "1", "1", "1"])
    );
    assert_eq!(
        row(&certs, vyazma_name)[1..],
        cells(&["0", "0", "0", "0", "0"])
    );
    let nominal = smolensk
        .config
        .nominal_rub(smolensk.config.municipality("smolensk").unwrap());
    let budget_m = smolensk.config.municipality("smolensk").unwrap();
    let years = i64::from(to.year() - from.year() + 1);
    let budget = smolensk.config.budget_rub(budget_m) as i64 * years;
    let money = |rub: i64| {
        platform::domain::Money::from_rub(rub)
            .to_string()
            .replace('\u{a0}', " ")
    };
    let line = row(&rows(&page, "money-budget"), smolensk_name).to_vec();
    assert_eq!(line[1], money(budget));
    assert_eq!(line[2], money(i64::from(nominal)));
    assert_eq!(line[4], money(1800), "this month's charge");
    let billing = rows(&page, "money-billing");
    assert_eq!(billing[0][1..], cells(&["1", &money(1800)]));

    // Another period: nothing filed, nobody studying.
    let past = ministry
        .get("/admin/statistics/demand?from=2020-01-01&to=2020-12-31")
        .await;
    assert_eq!(
        row(&rows(&past, "demand-directions"), "Всего по региону")[1..],
        cells(&["0", "0", "—", "0"])
    );
    let past = ministry
        .get("/admin/statistics/coverage?from=01.01.2020&to=31.12.2020")
        .await;
    assert_eq!(
        row(&rows(&past, "coverage-municipalities"), "Всего по региону")[2],
        "0"
    );

    // Bad dates: the fields are named, no figures, no 500.
    let bad = ministry
        .get("/admin/statistics/work?from=вчера&to=2026-02-30")
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("начало периода — дата в виде ДД.ММ.ГГГГ"));
    assert!(bad.body.contains("href=\"#f-to\""));
    assert!(!bad.body.contains("id=\"tb-work-organizations\""));
    let backwards = ministry
        .get(&format!("/admin/statistics/work?from={to}&to={from}"))
        .await;
    assert_eq!(backwards.status, 422);
    assert!(backwards.body.contains("конец периода раньше его начала"));
    let export = ministry
        .get("/admin/statistics/work/work-organizations.csv?from=x")
        .await;
    assert_eq!(export.status, 400);

    // Exports: the table as CSV (numbers as Excel reads them) and XLSX.
    let csv = ministry
        .get(&format!(
            "/admin/statistics/work/work-organizations.csv?{q}"
        ))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with('\u{feff}'));
    assert!(
        csv.body.contains("ДДТ «Радуга»;") && csv.body.contains(";4;10;80;75%;0\r\n"),
        "{}",
        csv.body
    );
    let xlsx = ministry
        .request(
            reqwest::Method::GET,
            &format!("/admin/statistics/money/money-budget.xlsx?{q}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));

    // A municipal admin: their municipality only, on the page and in the files.
    let mut vyazma = login(&app, S, VYAZMA_ADMIN).await;
    assert!(vyazma
        .get("/municipal")
        .await
        .body
        .contains("href=\"/municipal/statistics\""));
    let page = vyazma.get(&format!("/municipal/statistics?{q}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let by_m = rows(&page, "coverage-municipalities");
    assert_eq!(by_m.len(), 2, "{by_m:?}");
    assert_eq!(row(&by_m, vyazma_name)[2], "1");
    let page = vyazma.get(&format!("/municipal/statistics/work?{q}")).await;
    let work = rows(&page, "work-organizations");
    assert_eq!(work.len(), 2, "Олимп and the total: {work:?}");
    assert_eq!(work[0][0], "СШ «Олимп»");
    let page = vyazma
        .get(&format!("/municipal/statistics/demand?{q}"))
        .await;
    let by_d = rows(&page, "demand-directions");
    assert_eq!(row(&by_d, "Естественнонаучная")[1..3], cells(&["1", "15"]));
    assert_eq!(
        row(&by_d, "Физкультурно-спортивная")[1..3],
        cells(&["0", "15"])
    );
    let csv = vyazma
        .get(&format!(
            "/municipal/statistics/work/work-organizations.csv?{q}"
        ))
        .await;
    assert_eq!(csv.status, 200);
    assert!(!csv.body.contains("Радуга"), "{}", csv.body);
    assert!(csv.body.contains("СШ «Олимп»"));
    let mut smolensk_admin = login(&app, S, SMOLENSK_ADMIN).await;
    let page = smolensk_admin
        .get(&format!("/municipal/statistics/coverage?{q}"))
        .await;
    let by_m = rows(&page, "coverage-municipalities");
    assert_eq!(
        row(&by_m, smolensk_name)[2..],
        cells(&["2", &share(2, population("smolensk")), "1"])
    );
    assert!(!page.body.contains(vyazma_name.as_str()));
    let csv = smolensk_admin
        .get(&format!(
            "/municipal/statistics/money/money-certificates.csv?{q}"
        ))
        .await;
    assert!(!csv.body.contains(vyazma_name.as_str()), "{}", csv.body);
    // …and not the region's.
    assert_eq!(smolensk_admin.get("/admin/statistics").await.status, 403);
    assert_eq!(
        smolensk_admin
            .get("/admin/statistics/work/work-organizations.csv")
            .await
            .status,
        403
    );
    assert_eq!(ministry.get("/municipal/statistics").await.status, 403);

    // Krasnoyarsk's ministry, on its host: its own region, none of Smolensk's figures;
    // Smolensk's session means nothing there.
    let mut krasnoyarsk = login(&app, K, K_REGIONAL).await;
    let page = krasnoyarsk
        .get(&format!("/admin/statistics/work?{q}"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("Радуга") && !page.body.contains("Олимп"));
    assert!(page.body.contains("Заявок в выбранном периоде нет."));
    let page = krasnoyarsk
        .get(&format!("/admin/statistics/coverage?{q}"))
        .await;
    assert!(!page.body.contains(smolensk_name.as_str()));
    assert_login(&ministry.on_host(K).get("/admin/statistics").await);

    // Nobody else: a parent, an organization, a visitor.
    let mut parent = login(&app, S, PARENT).await;
    let mut provider = login(&app, S, PROVIDER).await;
    for path in [
        "/admin/statistics",
        "/municipal/statistics/demand",
        "/admin/statistics/money/money-budget.csv",
        "/municipal/statistics/money/money-budget.xlsx",
    ] {
        assert_eq!(parent.get(path).await.status, 403, "{path}");
        assert_eq!(provider.get(path).await.status, 403, "{path}");
        assert_login(&Browser::new(&app, S).get(path).await);
    }
    assert_eq!(ministry.get("/admin/statistics/nonsense").await.status, 404);
}

/// A dashboard is served from its snapshot («по состоянию на»): an application filed after
/// it shows once the snapshot is older than 15 minutes — the stale one is shown once more
/// while it is computed again in the background; the warmer computes the school-year
/// dashboards of every scope once, then again before they go stale those that were opened.
#[tokio::test]
async fn dashboards_are_snapshots_computed_again_after_15_minutes_or_by_the_warmer() {
    let (_env, app, sink) = spawn().await;
    let today = app
        .state
        .registry
        .by_slug("smolensk")
        .unwrap()
        .today(&app.state.clock);
    let none = "Заявок в выбранном периоде нет.";
    let warm = || app.state.statistics.warm(&app.state.registry);
    let mut ministry = login(&app, S, REGIONAL).await;
    let mut smolensk = login(&app, S, SMOLENSK_ADMIN).await;
    let first = ministry.get("/admin/statistics/work").await;
    assert!(first.body.contains(none), "{}", first.body);
    assert!(
        first.body.contains("Данные по состоянию на"),
        "{}",
        first.body
    );
    assert!(smolensk
        .get("/municipal/statistics/work")
        .await
        .body
        .contains(none));
    // The first round computes every scope's school-year dashboards not computed yet: the
    // two regions' and each of their municipalities', four each, less the two above.
    let scopes: usize = app
        .state
        .registry
        .tenants()
        .iter()
        .map(|t| 1 + t.config.municipalities.len())
        .sum();
    assert_eq!(warm().await.unwrap(), scopes * 4 - 2);
    assert_eq!(warm().await.unwrap(), 0, "nothing is due");

    let mut mama = family(&app, &sink, "snapshot@example.ru", "smolensk").await;
    let misha = child(&mut mama, today, "Миша", 9, false).await;
    apply(&mut mama, CHESS_GROUP, &misha).await;

    // Both scopes: the snapshot, unchanged.
    assert!(ministry
        .get("/admin/statistics/work")
        .await
        .body
        .contains(none));
    assert!(smolensk
        .get("/municipal/statistics/work")
        .await
        .body
        .contains(none));

    // Sixteen minutes on: the stale snapshot is shown once more at once, and computed
    // again behind it; the next view has the application.
    app.state
        .clock
        .set(app.state.clock.now() + Duration::minutes(16));
    let mut ministry = login(&app, S, REGIONAL).await;
    assert!(ministry
        .get("/admin/statistics/work")
        .await
        .body
        .contains(none));
    let ministry = std::sync::Arc::new(tokio::sync::Mutex::new(ministry));
    tests::wait_until(
        "the stale dashboard computed again",
        std::time::Duration::from_secs(10),
        || {
            let ministry = ministry.clone();
            async move {
                let page = ministry.lock().await.get("/admin/statistics/work").await;
                !page.body.contains(none) && page.body.contains("Радуга")
            }
        },
    )
    .await;
    // The warmer: of the opened, the municipality's is due; the region's was just computed.
    assert_eq!(warm().await.unwrap(), 1);
    assert_eq!(warm().await.unwrap(), 0);
    let mut smolensk = login(&app, S, SMOLENSK_ADMIN).await;
    let page = smolensk.get("/municipal/statistics/work").await;
    assert!(
        !page.body.contains(none) && page.body.contains("Радуга"),
        "{}",
        page.body
    );
}
