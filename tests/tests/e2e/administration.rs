//! The region's administrators over HTTP: the organizations registry (search, filters,
//! export, create, edit, deactivate, reactivate) and the administrator accounts (invite,
//! remove). Each admin reaches only their scope: a municipal admin their municipality (the
//! neighbour's organization is not found), a regional admin their region (not from the other
//! region's host), nobody else anything. A deactivated organization's programs leave the
//! search and their pages, its applications stay with the family; a removed admin's session
//! ends at once.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use platform::accounts::values::Role;
use platform::demo::accounts::DEMO_PASSWORD;
use platform::tenant_id::TenantId;
use reqwest::Method;
use tests::browser::{path_of, Browser};
use tests::catalog::smolensk::{ARCHIVED, CHESS, KVANTORIUM, OLIMP, RADUGA};
use tests::smtp::SmtpSink;
use tests::{TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";
const PROVIDER: &str = "provider@smolensk.demo.navigator.local";
const PARENT: &str = "parent@smolensk.demo.navigator.local";
/// The demo municipal admin: of «город Смоленск», where «Радуга» is.
const MUNICIPAL: &str = "municipal@smolensk.demo.navigator.local";
/// The neighbour: of «город Десногорск», where «Кванториум» is.
const DESNA: &str = "admin@desnogorsk.example.ru";
const REGIONAL: &str = "regional@smolensk.demo.navigator.local";
const K_REGIONAL: &str = "regional@krasnoyarsk.demo.navigator.local";
const NEW_PASSWORD: &str = "Служебный-пароль-1";
const CHESS_GROUP: i64 = 1;
const PARENT_PASSWORD: &str = "Смоленск-лето-2026";

async fn spawn() -> (TestEnv, TestApp, SmtpSink) {
    let (env, app, sink) = TestApp::spawn_with_mail().await;
    tests::catalog::seed(&app.state).await;
    tests::demo_accounts(&app.state).await;
    tests::municipal_account(&app, "smolensk", DESNA, "desnogorsk").await;
    (env, app, sink)
}

fn smolensk(app: &TestApp) -> TenantId {
    app.state.registry.by_slug("smolensk").expect("smolensk").id
}

async fn as_user<'a>(app: &'a TestApp, host: &str, email: &str) -> Browser<'a> {
    let mut b = Browser::new(app, host);
    b.login(email, DEMO_PASSWORD).await;
    b
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .bind(smolensk(app))
        .fetch_one(app.state.db.pool())
        .await
        .expect("count");
    n
}

async fn organizations(app: &TestApp) -> i64 {
    count(
        app,
        "SELECT COUNT(*) FROM organizations WHERE tenant_id = $1",
    )
    .await
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE tenant_id = $1 AND action = $2 \
         AND actor_id IS NOT NULL",
    )
    .bind(smolensk(app))
    .bind(action)
    .fetch_one(app.state.db.pool())
    .await
    .expect("count");
    n
}

async fn name_of(app: &TestApp, id: i64) -> String {
    let (name,): (String,) =
        sqlx::query_as("SELECT name FROM organizations WHERE tenant_id = $1 AND id = $2")
            .bind(smolensk(app))
            .bind(id)
            .fetch_one(app.state.db.pool())
            .await
            .expect("name");
    name
}

async fn download(b: &Browser<'_>, path: &str) -> (u16, Vec<u8>) {
    let resp = b.request(Method::GET, path).send().await.expect("GET");
    let status = resp.status().as_u16();
    (status, resp.bytes().await.expect("body").to_vec())
}

/// The first sheet of a workbook, as cells.
fn cells(book: &[u8]) -> Vec<Vec<Data>> {
    let mut xlsx: Xlsx<_> = Xlsx::new(Cursor::new(book.to_vec())).expect("an xlsx");
    let range = xlsx.worksheet_range("Организации").expect("the sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

/// A valid new organization of `municipality` (ИНН and ОГРН with their check digits).
fn new_org<'a>(name: &'a str, municipality: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("short_name", "ЦДО «Новая»"),
        ("org_type", "municipal"),
        ("inn", "7707083893"),
        ("ogrn", "1027700132195"),
        ("municipality", municipality),
        ("address", "ул. Новая, д. 1"),
        ("phone", "+7 (481) 200-00-99"),
        ("email", "new@example.org"),
        ("website", ""),
        ("description", "Кружки для детей."),
    ]
}

#[tokio::test]
async fn municipal_admins_see_edit_and_export_only_their_municipality() {
    let (_env, app, _sink) = spawn().await;
    let mut own = as_user(&app, S, MUNICIPAL).await;
    let cabinet = own.get("/municipal").await;
    assert!(cabinet.body.contains("href=\"/municipal/organizations\""));
    let list = own.get("/municipal/organizations").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("«Радуга»"), "{}", list.body);
    assert!(!list.body.contains("Кванториум") && !list.body.contains("Олимп"));
    assert!(list.body.contains("class=\"table-wrap\""));
    assert!(list.body.contains("<form method=\"get\""));

    // The neighbour's organization: not found in the own cabinet; the region's cabinet
    // is closed to a municipal admin altogether (not narrowed to their municipality).
    let path = format!("/municipal/organizations/{KVANTORIUM}/edit");
    assert_eq!(own.get(&path).await.status, 404, "{path}");
    for path in [
        format!("/admin/organizations/{KVANTORIUM}/edit"),
        format!("/admin/organizations/{RADUGA}/edit"),
        "/admin/organizations".to_owned(),
        format!("/admin/organizations/{RADUGA}/staff"),
    ] {
        assert_eq!(own.get(&path).await.status, 403, "{path}");
    }
    let csrf = list.csrf();
    let before = name_of(&app, KVANTORIUM).await;
    let mut edit = new_org("Чужая", "desnogorsk");
    edit.push(("csrf", &csrf));
    let page = own
        .post(
            &format!("/municipal/organizations/{KVANTORIUM}/edit"),
            &edit,
        )
        .await;
    assert_eq!(page.status, 404);
    let page = own
        .post(
            &format!("/municipal/organizations/{KVANTORIUM}/deactivate"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 404);
    assert_eq!(name_of(&app, KVANTORIUM).await, before);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM organizations WHERE tenant_id = $1 AND deactivated_at IS NOT NULL"
        )
        .await,
        0
    );

    // Creating in the neighbour's municipality is refused by field; in their own, done.
    let orgs = organizations(&app).await;
    let page = own
        .submit(
            "/municipal/organizations/new",
            "/municipal/organizations/new",
            &new_org("Центр «Новый»", "desnogorsk"),
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("не ваш муниципалитет"), "{}", page.body);
    assert_eq!(organizations(&app).await, orgs);
    let page = own
        .submit(
            "/municipal/organizations/new",
            "/municipal/organizations/new",
            &new_org("Центр «Новый»", "smolensk"),
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(organizations(&app).await, orgs + 1);
    assert_eq!(audited(&app, "organization.create").await, 1);
    let created = page.location.expect("to the new organization");
    let form = own.get(&created).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("Пригласить сотрудника"));

    // The export holds the same rows as the page: numbers as numbers, dates as dates.
    let (status, csv) = download(&own, "/municipal/organizations/export.csv?q=радуга").await;
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv).expect("utf-8");
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("«Радуга»") && !csv.contains("Новый") && !csv.contains("Кванториум"));
    let (status, book) = download(&own, "/municipal/organizations/export.xlsx").await;
    assert_eq!(status, 200);
    let rows = cells(&book);
    assert_eq!(rows.len(), 3, "header, «Радуга», «Новый»");
    assert_eq!(rows[0][0], Data::String("№".into()));
    assert!(rows.iter().skip(1).all(|r| matches!(r[0], Data::Float(_))));
    assert!(rows
        .iter()
        .skip(1)
        .all(|r| matches!(r[10], Data::DateTime(_))));
    let names: Vec<String> = rows.iter().skip(1).map(|r| r[1].to_string()).collect();
    assert!(names.iter().all(|n| !n.contains("Кванториум")), "{names:?}");

    // The neighbour sees theirs, not this one.
    let mut desna = as_user(&app, S, DESNA).await;
    let list = desna.get("/municipal/organizations").await;
    assert!(list.body.contains("Кванториум") && !list.body.contains("«Радуга»"));
    assert_eq!(
        desna
            .get(&format!("/municipal/organizations/{RADUGA}/edit"))
            .await
            .status,
        404
    );
    let (_, csv) = download(&desna, "/municipal/organizations/export.csv").await;
    assert!(!String::from_utf8(csv).unwrap().contains("Радуга"));
}

#[tokio::test]
async fn registry_filters_and_pages_without_javascript() {
    let (_env, app, _sink) = spawn().await;
    let mut admin = as_user(&app, S, REGIONAL).await;
    let cabinet = admin.get("/admin").await;
    assert!(cabinet.body.contains("href=\"/admin/organizations\""));
    assert!(cabinet.body.contains("href=\"/admin/staff\""));
    let all = admin.get("/admin/organizations").await;
    assert_eq!(all.status, 200, "{}", all.body);
    for name in ["«Радуга»", "Кванториум", "Олимп"] {
        assert!(all.body.contains(name), "{name}");
    }
    let by_municipality = admin
        .get("/admin/organizations?municipality=vyazemsky")
        .await;
    assert!(by_municipality.body.contains("Олимп") && !by_municipality.body.contains("«Радуга»"));
    let confirming = admin.get("/admin/organizations?confirms=yes").await;
    assert!(confirming.body.contains("«Радуга»") && !confirming.body.contains("Олимп"));
    let by_type = admin.get("/admin/organizations?org_type=ip").await;
    assert!(
        by_type.body.contains("Найдено организаций: 0"),
        "{}",
        by_type.body
    );
    let unpublished = admin.get("/admin/organizations?published=no").await;
    assert!(unpublished.body.contains("Найдено организаций: 0"));
    let by_inn = admin.get("/admin/organizations?q=6731000000").await;
    assert!(by_inn.body.contains("Найдено организаций: 3"));
    // A page number that is not one shows the first page.
    let odd = admin.get("/admin/organizations?page=много").await;
    assert_eq!(odd.status, 200);
    // The export links carry the filters.
    let page = admin.get("/admin/organizations?q=олимп").await;
    assert!(page.body.contains("export.xlsx?q=%D0%BE"), "{}", page.body);
    let (_, csv) = download(&admin, "/admin/organizations/export.csv?q=олимп").await;
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("Олимп") && !csv.contains("Радуга"));
}

#[tokio::test]
async fn field_errors_on_create_and_edit_change_nothing() {
    let (_env, app, _sink) = spawn().await;
    let mut admin = as_user(&app, S, REGIONAL).await;
    let orgs = organizations(&app).await;
    let mut bad = new_org("", "nowhere");
    for (k, v) in bad.iter_mut() {
        match *k {
            "inn" => *v = "7707083890",
            "email" => *v = "не-почта",
            "address" => *v = "",
            _ => {}
        }
    }
    let page = admin
        .submit("/admin/organizations/new", "/admin/organizations/new", &bad)
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    for message in [
        "укажите полное название",
        "контрольная цифра",
        "муниципалитета «nowhere» в регионе нет",
        "укажите адрес",
    ] {
        assert!(page.body.contains(message), "{message}: {}", page.body);
    }
    assert!(page.body.contains("class=\"error-summary\""));
    assert!(page
        .body
        .contains("aria-describedby=\"f-inn-hint f-inn-error\""));
    assert_eq!(organizations(&app).await, orgs);
    assert_eq!(audited(&app, "organization.create").await, 0);

    let before = name_of(&app, OLIMP).await;
    let mut edit = new_org("Спортивная школа «Олимп-2»", "vyazemsky");
    edit.retain(|(k, _)| *k != "inn");
    edit.push(("inn", "12345"));
    let edit_page = format!("/admin/organizations/{OLIMP}/edit");
    let page = admin.submit(&edit_page, &edit_page, &edit).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("а здесь 5"), "{}", page.body);
    assert_eq!(name_of(&app, OLIMP).await, before);
    assert_eq!(audited(&app, "organization.edit").await, 0);

    // Fixed, it is saved and audited with the fields it changed; the regional admin may
    // move it to another municipality.
    let mut good = new_org("Спортивная школа «Олимп-2»", "gagarinsky");
    good.retain(|(k, _)| *k != "address");
    let page = admin.submit(&edit_page, &edit_page, &good).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(name_of(&app, OLIMP).await, "Спортивная школа «Олимп-2»");
    let (detail,): (String,) = sqlx::query_as(
        "SELECT detail FROM audit_log WHERE tenant_id = $1 AND action = 'organization.edit'",
    )
    .bind(smolensk(&app))
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert!(
        detail.contains("name") && detail.contains("municipality"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_deactivated_organization_leaves_the_catalog_and_keeps_its_applications() {
    let (_env, app, sink) = spawn().await;
    // A family applies to «Радуга»'s chess club.
    let email = "kuznetsova@example.ru";
    let mut mama = Browser::new(&app, S);
    mama.submit(
        "/register",
        "/register",
        &[
            ("municipality", "smolensk"),
            ("last_name", "Кузнецова"),
            ("first_name", "Ирина"),
            ("phone", "+79161234567"),
            ("email", email),
            ("password", PARENT_PASSWORD),
            ("consent", "true"),
        ],
    )
    .await;
    let mail = sink.wait_for(email, 1).await;
    mama.get(&path_of(&mail.link("/verify/email").unwrap()))
        .await;
    mama.login(email, PARENT_PASSWORD).await;
    let birth = (chrono::Utc::now().date_naive() - chrono::Duration::days(365 * 9)).to_string();
    let added = mama
        .submit(
            "/cabinet/children/new",
            "/cabinet/children/new",
            &[
                ("last_name", "Кузнецов"),
                ("first_name", "Миша"),
                ("birth_date", &birth),
                ("sex", "male"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let cabinet = mama.get("/cabinet").await;
    let child = cabinet
        .body
        .split("/cabinet/children/")
        .filter_map(|s| s.split('"').next())
        .filter_map(|id| id.parse::<i64>().ok())
        .max()
        .unwrap()
        .to_string();
    let applied = mama
        .submit(
            &format!("/apply/{CHESS_GROUP}"),
            &format!("/apply/{CHESS_GROUP}"),
            &[("child", &child)],
        )
        .await;
    assert_eq!(applied.status, 303, "{}", applied.body);

    let mut anyone = Browser::new(&app, S);
    let found = anyone.get("/programs?q=Шахматный").await;
    assert!(found.body.contains("Шахматный клуб «Ладья»"));
    assert_eq!(anyone.get(&format!("/programs/{CHESS}")).await.status, 200);

    let mut admin = as_user(&app, S, REGIONAL).await;
    let edit = format!("/admin/organizations/{RADUGA}/edit");
    let page = admin
        .submit(
            &edit,
            &format!("/admin/organizations/{RADUGA}/deactivate"),
            &[],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(audited(&app, "organization.deactivate").await, 1);
    // Twice is refused, and changes nothing more.
    let again = admin
        .submit(
            &edit,
            &format!("/admin/organizations/{RADUGA}/deactivate"),
            &[],
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(audited(&app, "organization.deactivate").await, 1);
    let listed = admin.get("/admin/organizations?state=deactivated").await;
    assert!(listed.body.contains("«Радуга»") && listed.body.contains("отключена"));

    tests::wait_until(
        "the chess club leaves the search",
        std::time::Duration::from_secs(10),
        || async {
            let page = Browser::new(&app, S).get("/programs?q=Шахматный").await;
            page.status == 200 && !page.body.contains("Шахматный клуб «Ладья»")
        },
    )
    .await;
    assert_eq!(anyone.get(&format!("/programs/{CHESS}")).await.status, 404);
    // The family still reads its application.
    let theirs = mama.get("/cabinet/applications").await;
    assert_eq!(theirs.status, 200);
    // With the program's title, though the program left the catalog.
    assert!(
        theirs.body.contains("Дом детского творчества «Радуга»")
            && theirs.body.contains("Шахматный клуб «Ладья»"),
        "{}",
        theirs.body
    );

    // Its staff sign in and work, but send nothing to moderation.
    let mut staff = as_user(&app, S, PROVIDER).await;
    assert_eq!(staff.get("/provider/applications").await.status, 200);
    let program = format!("/provider/programs/{ARCHIVED}");
    let restored = staff
        .submit(&program, &format!("{program}/restore"), &[])
        .await;
    assert_eq!(restored.status, 303, "{}", restored.body);
    let submitted = staff
        .submit(&program, &format!("{program}/submit"), &[])
        .await;
    assert!(
        submitted.body.contains("Организация отключена"),
        "{}: {}",
        submitted.status,
        submitted.body
    );
    let (status,): (String,) =
        sqlx::query_as("SELECT status FROM programs WHERE tenant_id = $1 AND id = $2")
            .bind(smolensk(&app))
            .bind(ARCHIVED)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(status, "draft");

    // Reactivated, the published programs come back as they were.
    let page = admin
        .submit(
            &edit,
            &format!("/admin/organizations/{RADUGA}/reactivate"),
            &[],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(audited(&app, "organization.reactivate").await, 1);
    tests::wait_until(
        "the chess club is back in the search",
        std::time::Duration::from_secs(10),
        || async {
            let page = Browser::new(&app, S).get("/programs?q=Шахматный").await;
            page.body.contains("Шахматный клуб «Ладья»")
        },
    )
    .await;
    assert_eq!(anyone.get(&format!("/programs/{CHESS}")).await.status, 200);
}

#[tokio::test]
async fn nobody_else_reaches_the_registry() {
    let (_env, app, _sink) = spawn().await;
    let paths = [
        "/admin/organizations",
        "/municipal/organizations",
        "/admin/organizations/export.csv",
        "/admin/organizations/new",
        "/admin/organizations/1/edit",
        "/admin/staff",
    ];
    let mut nobody = Browser::new(&app, S);
    for path in paths {
        let page = nobody.get(path).await;
        assert!(matches!(page.status, 401 | 303), "{path}: {}", page.status);
    }
    for email in [PARENT, PROVIDER] {
        let mut b = as_user(&app, S, email).await;
        for path in paths {
            assert_eq!(b.get(path).await.status, 403, "{email} {path}");
        }
        let csrf = b.get("/cabinet/profile").await.csrf();
        let page = b
            .post(
                &format!("/admin/organizations/{OLIMP}/deactivate"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(page.status, 403, "{email}");
    }
    // A municipal admin does not reach the administrators.
    let mut municipal = as_user(&app, S, MUNICIPAL).await;
    assert_eq!(municipal.get("/admin/staff").await.status, 403);

    // The other region's admin sees only their region, and reaches nothing of this one.
    let mut other = as_user(&app, K, K_REGIONAL).await;
    let list = other.get("/admin/organizations").await;
    assert_eq!(list.status, 200);
    assert!(!list.body.contains("Радуга") && !list.body.contains("Олимп"));
    assert_eq!(
        other
            .get(&format!("/admin/organizations/{OLIMP}/edit"))
            .await
            .status,
        404
    );
    let csrf = list.csrf();
    let page = other
        .post(
            &format!("/admin/organizations/{OLIMP}/deactivate"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 404);
    let (_, csv) = download(&other, "/admin/organizations/export.csv").await;
    assert!(!String::from_utf8(csv).unwrap().contains("Радуга"));
    // Smolensk's admin session is nothing on Krasnoyarsk's host.
    let admin = as_user(&app, S, REGIONAL).await;
    let mut there = admin.on_host(K);
    let page = there.get("/admin/organizations").await;
    assert!(matches!(page.status, 401 | 303), "{}", page.status);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM organizations WHERE tenant_id = $1 AND deactivated_at IS NOT NULL"
        )
        .await,
        0
    );
}

/// Follows the set-password link of the `n`-th mail to `email`, sets a password, logs in.
async fn accept<'a>(app: &'a TestApp, sink: &SmtpSink, email: &str, n: usize) -> Browser<'a> {
    let mail = sink.wait_for(email, n).await;
    let link = path_of(&mail.link("/password/reset").expect("link"));
    let mut b = Browser::new(app, S);
    let form = b.get(&link).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let code = link.split("code=").nth(1).expect("code").to_owned();
    let page = b
        .post(
            "/password/reset",
            &[
                ("csrf", &form.csrf()),
                ("code", &code),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    b.login(email, NEW_PASSWORD).await;
    b
}

#[tokio::test]
async fn admins_are_invited_and_removed_and_the_removed_lose_their_session() {
    let (_env, app, sink) = spawn().await;
    let mut admin = as_user(&app, S, REGIONAL).await;
    let page = admin.get("/admin/staff").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(MUNICIPAL) && page.body.contains(REGIONAL));
    assert!(page.body.contains(DESNA));

    // A municipal admin needs a municipality; nothing is made without it.
    let users = count(&app, "SELECT COUNT(*) FROM users WHERE tenant_id = $1").await;
    let email = "ivanova@desnogorsk.example.ru";
    let invite = |municipality: &'static str| {
        vec![
            ("last_name", "Иванова"),
            ("first_name", "Анна"),
            ("email", email),
            ("role", "municipal"),
            ("municipality", municipality),
        ]
    };
    let page = admin
        .submit("/admin/staff", "/admin/staff", &invite(""))
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("выберите муниципалитет"));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM users WHERE tenant_id = $1").await,
        users
    );

    let page = admin
        .submit("/admin/staff", "/admin/staff", &invite("desnogorsk"))
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(audited(&app, "role_grant").await, 1);
    let mut invited = accept(&app, &sink, email, 1).await;
    let list = invited.get("/municipal/organizations").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("Кванториум") && !list.body.contains("«Радуга»"));

    // Removed: the open session stops at its next request, the password too.
    let (id,): (i64,) =
        sqlx::query_as("SELECT id FROM users WHERE tenant_id = $1 AND email_key = $2")
            .bind(smolensk(&app))
            .bind(email)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    let page = admin
        .submit("/admin/staff", &format!("/admin/staff/{id}/remove"), &[])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(audited(&app, "role_remove").await, 1);
    let after = invited.get("/municipal/organizations").await;
    assert!(matches!(after.status, 401 | 303), "{}", after.status);
    let mut again = Browser::new(&app, S);
    let login = again
        .submit(
            "/login",
            "/login",
            &[("email", email), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_ne!(login.status, 303, "the old password no longer lets them in");
    let listed = admin.get("/admin/staff").await;
    assert!(!listed.body.contains(email));

    // Invited again, the same account gets the role back with a new link.
    let page = admin
        .submit("/admin/staff", "/admin/staff", &invite("desnogorsk"))
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let mut back = accept(&app, &sink, email, 2).await;
    assert_eq!(back.get("/municipal/organizations").await.status, 200);

    // The last regional admin cannot remove themself.
    let (me,): (i64,) =
        sqlx::query_as("SELECT id FROM users WHERE tenant_id = $1 AND email_key = $2")
            .bind(smolensk(&app))
            .bind(REGIONAL)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    let page = admin
        .submit("/admin/staff", &format!("/admin/staff/{me}/remove"), &[])
        .await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert!(page
        .body
        .contains("последнего регионального администратора"));
    assert_eq!(admin.get("/admin/staff").await.status, 200);
    assert_eq!(
        platform::accounts::store::user_by_id(&app.state.db, smolensk(&app), me)
            .await
            .unwrap()
            .unwrap()
            .role,
        Role::Regional
    );
    // From the other region's host the same id is nobody.
    let mut other = as_user(&app, K, K_REGIONAL).await;
    let csrf = other.get("/admin/staff").await.csrf();
    let page = other
        .post(&format!("/admin/staff/{id}/remove"), &[("csrf", &csrf)])
        .await;
    assert_eq!(page.status, 404);
    assert_eq!(back.get("/municipal/organizations").await.status, 200);
}
