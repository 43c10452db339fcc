//! The administrators' audit log and exports over HTTP (issue 18): the log filtered by
//! action, object, person and period, a page at a time, and per child the staff's views of
//! its personal data; the programs with their states; applications, the certificates'
//! registry and the programs as XLSX (typed cells) and CSV (BOM, `;`), streamed past one
//! chunk of rows, each download with children's data in the audit log. A municipal admin
//! sees and downloads only their municipality (two municipalities tried), a regional admin
//! only their region (the other region's host tried), nobody else anything; a bad filter is
//! a page naming the field, and writes nothing.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use platform::demo::accounts::DEMO_PASSWORD;
use platform::tenant_id::TenantId;
use reqwest::Method;
use tests::browser::{path_of, Browser};
use tests::smtp::SmtpSink;
use tests::{TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";
const PASSWORD: &str = "Надёжный-пароль-2026";
const PROVIDER: &str = "provider@smolensk.demo.navigator.local";
const PARENT: &str = "parent@smolensk.demo.navigator.local";
const REGIONAL: &str = "regional@smolensk.demo.navigator.local";
const K_REGIONAL: &str = "regional@krasnoyarsk.demo.navigator.local";
/// The municipal admin of Smolensk city (ДДТ «Радуга», the demo provider's organization).
const CITY_ADMIN: &str = "city@smolensk.example.ru";
/// The municipal admin of Desnogorsk (ЦТТ «Кванториум»).
const DESNOGORSK_ADMIN: &str = "desnogorsk@smolensk.example.ru";
const CHESS_GROUP: i64 = 1;

async fn spawn() -> (TestEnv, TestApp, SmtpSink) {
    let (env, app, sink) = TestApp::spawn_with_mail().await;
    tests::catalog::seed(&app.state).await;
    tests::demo_accounts(&app.state).await;
    tests::municipal_account(&app, "smolensk", CITY_ADMIN, "smolensk").await;
    tests::municipal_account(&app, "smolensk", DESNOGORSK_ADMIN, "desnogorsk").await;
    (env, app, sink)
}

fn smolensk(app: &TestApp) -> TenantId {
    app.state.registry.by_slug("smolensk").expect("smolensk").id
}

async fn logged_in<'a>(app: &'a TestApp, host: &str, email: &str) -> Browser<'a> {
    let mut b = Browser::new(app, host);
    b.login(email, DEMO_PASSWORD).await;
    b
}

/// A confirmed parent with child «Экспортов Миша», 9, who applied to the chess group of
/// ДДТ «Радуга»; returns the child's and the application's numbers.
async fn family(app: &TestApp, sink: &SmtpSink) -> (i64, String) {
    let email = "export-family@example.ru";
    let mut b = Browser::new(app, S);
    b.submit(
        "/register",
        "/register",
        &[
            ("municipality", "smolensk"),
            ("last_name", "Экспортова"),
            ("first_name", "Ирина"),
            ("phone", "+79161234567"),
            ("email", email),
            ("password", PASSWORD),
            ("consent", "true"),
        ],
    )
    .await;
    let mail = sink.wait_for(email, 1).await;
    b.get(&path_of(&mail.link("/verify/email").unwrap())).await;
    b.login(email, PASSWORD).await;
    let born = chrono::Utc::now().date_naive() - chrono::Duration::days(9 * 365 + 30);
    let page = b
        .submit(
            "/cabinet/children/new",
            "/cabinet/children/new",
            &[
                ("last_name", "Экспортов"),
                ("first_name", "Миша"),
                ("birth_date", &born.to_string()),
                ("sex", "male"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let cabinet = b.get("/cabinet").await;
    let child: i64 = cabinet
        .body
        .split("/cabinet/children/")
        .filter_map(|s| s.split('"').next())
        .filter_map(|id| id.parse::<i64>().ok())
        .max()
        .expect("the child");
    let filed = b
        .submit(
            &format!("/apply/{CHESS_GROUP}"),
            &format!("/apply/{CHESS_GROUP}"),
            &[("child", &child.to_string())],
        )
        .await;
    assert_eq!(filed.status, 303, "{}", filed.body);
    let id = filed
        .location
        .as_deref()
        .and_then(|l| l.split("filed=").nth(1))
        .expect("the application")
        .to_owned();
    (child, id)
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE tenant_id = $1 AND action = $2")
            .bind(smolensk(app))
            .bind(action)
            .fetch_one(app.state.db.pool())
            .await
            .expect("count");
    n
}

/// A download's status, content type and bytes.
async fn download(b: &Browser<'_>, path: &str) -> (u16, String, Vec<u8>) {
    let resp = b.request(Method::GET, path).send().await.expect("download");
    let status = resp.status().as_u16();
    let kind = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, kind, resp.bytes().await.expect("body").to_vec())
}

fn csv_lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8(bytes.to_vec()).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("a BOM first");
    text.split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn sheet(book: &[u8]) -> Vec<Vec<Data>> {
    let mut xlsx: Xlsx<_> = Xlsx::new(Cursor::new(book.to_vec())).expect("an xlsx");
    let name = xlsx.sheet_names()[0].clone();
    let range = xlsx.worksheet_range(&name).expect("the sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

#[tokio::test]
async fn the_audit_log_filters_pages_and_lists_a_childs_views() {
    let (_env, app, sink) = spawn().await;
    let (child, application) = family(&app, &sink).await;
    // The organization's staff open the application: a view of the child's data.
    let mut provider = logged_in(&app, S, PROVIDER).await;
    let card = provider
        .get(&format!("/provider/applications/{application}"))
        .await;
    assert_eq!(card.status, 200);

    let mut regional = logged_in(&app, S, REGIONAL).await;
    let log = regional.get("/admin/audit").await;
    assert_eq!(log.status, 200, "{}", log.body);
    assert!(log.body.contains("Просмотр персональных данных ребёнка"));
    let views = regional.get("/admin/audit?action=child_data_view").await;
    assert!(views.body.contains(PROVIDER), "{}", views.body);
    assert!(
        views
            .body
            .contains(&format!("admin/audit/children/{child}\">")),
        "{}",
        views.body.split("<tbody>").nth(1).unwrap_or("")
    );
    let logins = regional.get("/admin/audit?action=login").await;
    assert!(!logins
        .body
        .contains("<span class=\"hint\">child_data_view</span>"));
    let by_person = regional.get("/admin/audit?who=PROVIDER@smolensk").await;
    assert!(by_person.body.contains(PROVIDER));
    assert!(!by_person.body.contains("export-family@example.ru"));
    let by_object = regional
        .get(&format!("/admin/audit?object=child:{child}"))
        .await;
    assert!(by_object.body.contains(PROVIDER));
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Duration::days(2);
    let later = regional
        .get(&format!(
            "/admin/audit?action=child_data_view&from={}",
            tomorrow.format("%d.%m.%Y")
        ))
        .await;
    assert!(later.body.contains("Записей, подходящих под условия, нет"));
    let bad = regional
        .get("/admin/audit?from=31.02.2026&action=drop&object=Program:")
        .await;
    assert_eq!(bad.status, 422);
    for message in [
        "«31.02.2026»: укажите дату в формате ДД.ММ.ГГГГ",
        "Выберите действие из списка",
        "Объект — вид и номер через двоеточие",
    ] {
        assert!(bad.body.contains(message), "{message}");
    }

    // The child's page: who viewed its data.
    let page = regional
        .get(&format!("/admin/audit/children/{child}"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(PROVIDER) && page.body.contains("ДДТ «Радуга»"));
    assert!(page.body.contains(&format!("application {application}")));

    // Pages of 50, newest first, each row once.
    let tenant = smolensk(&app);
    let mut tx = app.state.db.begin().await.unwrap();
    for i in 0..60 {
        platform::accounts::store::audit(
            &mut tx,
            tenant,
            &platform::accounts::store::Audit {
                actor: None,
                action: "password_reset",
                subject: &format!("user:{}", 1000 + i),
                detail: "",
                ip: None,
                organization: None,
                at: chrono::Utc::now(),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let first = regional.get("/admin/audit?action=password_reset").await;
    let subjects = |body: &str| -> Vec<i64> {
        body.split("<td>user:")
            .skip(1)
            .filter_map(|s| s.split('<').next()?.parse().ok())
            .collect()
    };
    let on_first = subjects(&first.body);
    assert_eq!(on_first.len(), 50);
    assert_eq!(on_first[0], 1059, "newest first");
    let next = first
        .body
        .split("href=\"")
        .find(|s| s.contains("before="))
        .and_then(|s| s.split('"').next())
        .expect("a link to the earlier rows")
        .replace("&amp;", "&")
        .replace("&#x2f;", "/");
    let second = regional.get(&next).await;
    let on_second = subjects(&second.body);
    assert_eq!(on_second, (1000..1010).rev().collect::<Vec<_>>());
    assert!(second.body.contains("К новым записям"));

    // A municipal admin sees what concerns their municipality only.
    let mut city = logged_in(&app, S, CITY_ADMIN).await;
    let theirs = city.get("/municipal/audit?action=child_data_view").await;
    assert_eq!(theirs.status, 200);
    assert!(theirs.body.contains(PROVIDER));
    let mut desnogorsk = logged_in(&app, S, DESNOGORSK_ADMIN).await;
    let not_theirs = desnogorsk
        .get("/municipal/audit?action=child_data_view")
        .await;
    assert_eq!(not_theirs.status, 200);
    assert!(!not_theirs.body.contains(PROVIDER));
    let child_page = desnogorsk
        .get(&format!("/municipal/audit/children/{child}"))
        .await;
    assert!(!child_page.body.contains(PROVIDER));
    assert_eq!(desnogorsk.get("/admin/audit").await.status, 403);

    // Nobody else: the provider, a parent, an anonymous visitor, the other region's admin.
    assert_eq!(provider.get("/admin/audit").await.status, 403);
    assert_eq!(provider.get("/municipal/audit").await.status, 403);
    let mut parent = logged_in(&app, S, PARENT).await;
    assert_eq!(parent.get("/admin/audit").await.status, 403);
    let anonymous = Browser::new(&app, S).get("/admin/audit").await;
    assert!(
        anonymous.status == 303 || anonymous.status == 401,
        "{}",
        anonymous.status
    );
    let mut other = logged_in(&app, K, K_REGIONAL).await;
    let theirs = other.get("/admin/audit?action=child_data_view").await;
    assert_eq!(theirs.status, 200);
    assert!(!theirs.body.contains(PROVIDER));
    let foreign_child = other.get(&format!("/admin/audit/children/{child}")).await;
    assert!(!foreign_child.body.contains(PROVIDER));
}

#[tokio::test]
async fn exports_are_typed_scoped_and_audited() {
    let (_env, app, sink) = spawn().await;
    let (_child, application) = family(&app, &sink).await;
    let regional = logged_in(&app, S, REGIONAL).await;

    // Applications as CSV: a BOM, `;`, the child's name, in the log with the filter.
    let before = audit_count(&app, "export").await;
    let (status, kind, bytes) = download(
        &regional,
        "/admin/exports/applications?format=csv&status=new",
    )
    .await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/csv"), "{kind}");
    let lines = csv_lines(&bytes);
    assert!(
        lines[0].starts_with("№ заявки;Подана;Состояние;"),
        "{}",
        lines[0]
    );
    let row = lines
        .iter()
        .find(|l| l.starts_with(&format!("{application};")))
        .expect("the application");
    assert!(
        row.contains(";Новая;") && row.contains(";Экспортов;Миша;"),
        "{row}"
    );
    assert_eq!(audit_count(&app, "export").await, before + 1);
    let (detail,): (String,) = sqlx::query_as(
        "SELECT detail FROM audit_log WHERE tenant_id = $1 AND action = 'export' \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(smolensk(&app))
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(detail, "CSV, регион; состояние new");

    // The same as XLSX: numbers as numbers, dates as dates, a header to filter by.
    let (status, kind, bytes) =
        download(&regional, "/admin/exports/applications?format=xlsx").await;
    assert_eq!(status, 200);
    assert!(kind.contains("spreadsheetml"), "{kind}");
    let rows = sheet(&bytes);
    assert_eq!(rows[0][0], Data::String("№ заявки".into()));
    let mine = rows
        .iter()
        .find(|r| r[0] == Data::Float(application.parse::<f64>().unwrap()))
        .expect("the application as a number");
    assert!(matches!(mine[1], Data::DateTime(_)), "{:?}", mine[1]);
    assert!(
        matches!(mine[12], Data::DateTime(_)),
        "birth date {:?}",
        mine[12]
    );

    // The certificates' registry; programs without children's data are not logged.
    let (status, _, bytes) = download(&regional, "/admin/exports/certificates?format=csv").await;
    assert_eq!(status, 200);
    assert!(csv_lines(&bytes)[0].starts_with("Номер сертификата;Состояние;"));
    let logged = audit_count(&app, "export").await;
    let (status, _, bytes) =
        download(&regional, "/admin/exports/programs?format=csv&status=draft").await;
    assert_eq!(status, 200);
    let drafts = csv_lines(&bytes);
    assert!(
        drafts[1..].iter().all(|l| l.contains(";Черновик;")),
        "{drafts:?}"
    );
    assert!(drafts.len() > 1);
    assert_eq!(audit_count(&app, "export").await, logged);

    // The programs' list shows every state.
    let mut page_browser = logged_in(&app, S, REGIONAL).await;
    let list = page_browser.get("/admin/programs").await;
    assert_eq!(list.status, 200);
    for state in ["Опубликовано", "Черновик", "Архив"] {
        assert!(list.body.contains(state), "{state}");
    }

    // A bad filter is the page with the field's message; nothing is logged.
    let bad = download(
        &regional,
        "/admin/exports/applications?format=csv&from=32.13.2026&organization=abc",
    )
    .await;
    assert_eq!(bad.0, 422);
    let body = String::from_utf8(bad.2).unwrap();
    assert!(body.contains("«32.13.2026»: укажите дату в формате ДД.ММ.ГГГГ"));
    assert!(body.contains("«abc»: номер организации — целое число"));
    assert_eq!(
        download(&regional, "/admin/exports/applications?format=pdf")
            .await
            .0,
        422
    );
    assert_eq!(
        download(&regional, "/admin/exports/children?format=csv")
            .await
            .0,
        404
    );
    assert_eq!(audit_count(&app, "export").await, logged);

    // A municipal admin: their municipality's organizations only, never another's.
    let desnogorsk = logged_in(&app, S, DESNOGORSK_ADMIN).await;
    let (status, _, bytes) =
        download(&desnogorsk, "/municipal/exports/applications?format=csv").await;
    assert_eq!(status, 200);
    assert_eq!(csv_lines(&bytes).len(), 1, "no application of Desnogorsk");
    let (_, _, bytes) = download(&desnogorsk, "/municipal/exports/programs?format=csv").await;
    let programs = csv_lines(&bytes);
    assert!(programs.len() > 1);
    assert!(
        programs[1..].iter().all(|l| l.contains("ЦТТ «Кванториум»")),
        "{programs:?}"
    );
    assert_eq!(
        download(
            &desnogorsk,
            "/municipal/exports/applications?format=csv&municipality=smolensk"
        )
        .await
        .0,
        403
    );
    assert_eq!(
        download(&desnogorsk, "/admin/exports/applications?format=csv")
            .await
            .0,
        403
    );
    let city = logged_in(&app, S, CITY_ADMIN).await;
    let (_, _, bytes) = download(&city, "/municipal/exports/applications?format=csv").await;
    assert!(csv_lines(&bytes)
        .iter()
        .any(|l| l.starts_with(&format!("{application};"))));

    // Nobody else; the other region's admin gets their own region only.
    let provider = logged_in(&app, S, PROVIDER).await;
    assert_eq!(
        download(&provider, "/admin/exports/applications?format=csv")
            .await
            .0,
        403
    );
    let parent = logged_in(&app, S, PARENT).await;
    assert_eq!(
        download(&parent, "/municipal/exports/applications?format=csv")
            .await
            .0,
        403
    );
    let other = logged_in(&app, K, K_REGIONAL).await;
    let (status, _, bytes) = download(&other, "/admin/exports/applications?format=csv").await;
    assert_eq!(status, 200);
    assert!(!String::from_utf8(bytes).unwrap().contains("Экспортов"));
}

#[tokio::test]
async fn a_whole_region_streams_past_one_chunk() {
    let (_env, app) = TestApp::spawn().await;
    tests::demo_accounts(&app.state).await;
    let tenant = app.state.registry.by_slug("smolensk").unwrap();
    platform::demo::fill(&app.state.db, &tenant, 2_345, &app.state.clock)
        .await
        .expect("a catalog");
    let regional = logged_in(&app, S, REGIONAL).await;
    let (status, _, bytes) = download(&regional, "/admin/exports/programs?format=csv").await;
    assert_eq!(status, 200);
    let lines = csv_lines(&bytes);
    let ids: Vec<i64> = lines[1..]
        .iter()
        .map(|l| l.split(';').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(
        ids,
        (1..=2_345).collect::<Vec<_>>(),
        "every program once, in order"
    );
    let (status, _, bytes) = download(&regional, "/admin/exports/programs?format=xlsx").await;
    assert_eq!(status, 200);
    let rows = sheet(&bytes);
    assert_eq!(rows.len(), 2_346);
    assert_eq!(rows[2_345][0], Data::Float(2_345.0));
    // The list shows the first 50 and leads on to the next.
    let mut b = logged_in(&app, S, REGIONAL).await;
    let page = b.get("/admin/programs").await;
    assert!(
        page.body.contains("after=50"),
        "the next page starts after 50"
    );
    let next = b.get("/admin/programs?after=50").await;
    assert!(next.body.contains("<td>51</td>") && !next.body.contains("<td>50</td>"));
}
