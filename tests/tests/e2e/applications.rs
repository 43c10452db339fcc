//! Applications over HTTP: «Записаться», the organization's decisions one by one and in
//! bulk, every refusal, the waitlist and promotion, certificate contracts and monthly
//! billing, withdrawal mid-month, notifications, and who may see what.

use chrono::Datelike;
use platform::accounts::values::Role;
use platform::demo::accounts::DEMO_PASSWORD;
use reqwest::Method;
use serde_json::json;
use tests::browser::{path_of, Browser};
use tests::smtp::SmtpSink;
use tests::{TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";
const PASSWORD: &str = "Смоленск-лето-2026";
/// Fixture groups (tests::catalog): 1 — «Шахматный клуб «Ладья»» of org 1, free, ages
/// 7–12, open; 4 — a closed group; 6 — «Юный эколог» of org 3, 1 800 ₽ a month by
/// certificate, ages 9–13, open.
const CHESS_GROUP: i64 = 1;
const CLOSED_GROUP: i64 = 4;
const ECOLOGY_GROUP: i64 = 6;
const PROVIDER: &str = "provider@smolensk.demo.navigator.local";
const OLIMP_STAFF: &str = "staff@olimp.example.ru";

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
    (env, app, sink)
}

fn years_ago(years: i32) -> String {
    let today = chrono::Utc::now().date_naive();
    today
        .with_year(today.year() - years)
        .unwrap_or(today)
        .to_string()
}

/// A confirmed, logged-in parent with one child of `age`; returns the child's id.
async fn parent<'a>(
    app: &'a TestApp,
    sink: &SmtpSink,
    email: &str,
    age: i32,
) -> (Browser<'a>, String) {
    let mut b = Browser::new(app, S);
    b.submit(
        "/register",
        "/register",
        &[
            ("municipality", "smolensk"),
            ("last_name", "Кузнецова"),
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
    let child = add_child(&mut b, "Кузнецов", age).await;
    (b, child)
}

async fn add_child(b: &mut Browser<'_>, last_name: &str, age: i32) -> String {
    let page = b
        .submit(
            "/cabinet/children/new",
            "/cabinet/children/new",
            &[
                ("last_name", last_name),
                ("first_name", "Миша"),
                ("birth_date", &years_ago(age)),
                ("sex", "male"),
            ],
        )
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

/// «Записаться» → choose the child → confirm; returns the page after.
async fn apply(b: &mut Browser<'_>, group: i64, child: &str) -> tests::browser::Page {
    b.submit(
        &format!("/apply/{group}"),
        &format!("/apply/{group}"),
        &[("child", child)],
    )
    .await
}

/// The number of the application just filed (from the redirect).
fn filed(page: &tests::browser::Page) -> String {
    assert_eq!(page.status, 303, "{}", page.body);
    page.location
        .as_deref()
        .unwrap()
        .split("filed=")
        .nth(1)
        .unwrap()
        .to_owned()
}

async fn staff<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut b = Browser::new(app, S);
    b.login(email, DEMO_PASSWORD).await;
    b
}

async fn decide(
    b: &mut Browser<'_>,
    id: &str,
    action: &str,
    comment: &str,
) -> tests::browser::Page {
    b.submit(
        &format!("/provider/applications/{id}"),
        &format!("/provider/applications/{id}/{action}"),
        &[("comment", comment)],
    )
    .await
}

#[tokio::test]
async fn apply_confirm_enroll_with_history_and_mail() {
    let (_env, app, sink) = spawn().await;
    let (mut mama, child) = parent(&app, &sink, "apply@example.ru", 9).await;
    let program = mama.get("/programs/1").await;
    assert!(
        program
            .body
            .contains(&format!("href=\"/apply/{CHESS_GROUP}\"")),
        "«Записаться»"
    );
    let form = mama.get(&format!("/apply/{CHESS_GROUP}")).await;
    assert!(form.body.contains("Кузнецов Миша"));
    let id = filed(&apply(&mut mama, CHESS_GROUP, &child).await);
    let list = mama.get("/cabinet/applications").await;
    assert!(list.body.contains(&format!("Заявка № {id}")) && list.body.contains("Новая"));

    let mut provider = staff(&app, PROVIDER).await;
    let page = provider.get("/provider/applications").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Кузнецов Миша"));
    assert!(page.body.contains("Новая: <span class=\"count\">1</span>"));
    let card = provider.get(&format!("/provider/applications/{id}")).await;
    assert!(card.body.contains("Кузнецова Ирина") && card.body.contains("+7 (916) 123-45-67"));
    let filtered = provider.get("/provider/applications?status=rejected").await;
    assert!(!filtered.body.contains("Кузнецов Миша"));
    let bad = provider
        .get("/provider/applications?status=nonsense&from=вчера")
        .await;
    assert_eq!(bad.status, 422);

    assert_eq!(decide(&mut provider, &id, "confirm", "").await.status, 303);
    let mail = sink.wait_for("apply@example.ru", 2).await;
    assert_eq!(mail.subject, "Заявка подтверждена");
    assert!(
        mail.text.contains("Радуга") && mail.text.contains("Шахматный клуб"),
        "{}",
        mail.text
    );
    assert_eq!(decide(&mut provider, &id, "enroll", "").await.status, 303);
    let mail = sink.wait_for("apply@example.ru", 3).await;
    assert_eq!(mail.subject, "Ребёнок зачислен");
    let list = mama.get("/cabinet/applications").await;
    for state in ["Новая", "Подтверждена", "Зачислен"] {
        assert!(list.body.contains(state), "history has {state}");
    }
    // Enrolling twice is refused with the reason.
    let again = decide(&mut provider, &id, "enroll", "").await;
    assert_eq!(again.status, 409);
}

#[tokio::test]
async fn every_refusal_has_its_reason() {
    let (_env, app, sink) = spawn().await;
    let (mut mama, child) = parent(&app, &sink, "rules@example.ru", 9).await;
    // Age outside the program's range.
    let small = add_child(&mut mama, "Маленький", 4).await;
    let page = apply(&mut mama, CHESS_GROUP, &small).await;
    assert_eq!(page.status, 409);
    assert!(
        page.body
            .contains("рассчитана на детей 7–12 лет, а ребёнку"),
        "{}",
        page.body
    );
    // Enrollment closed.
    let page = apply(&mut mama, CLOSED_GROUP, &child).await;
    assert_eq!(page.status, 409);
    assert!(page.body.contains("Набор в группу закрыт"));
    // Already applied.
    filed(&apply(&mut mama, CHESS_GROUP, &child).await);
    let page = apply(&mut mama, CHESS_GROUP, &child).await;
    assert_eq!(page.status, 409);
    assert!(page.body.contains("уже есть заявка"));
    // A certificate group without a certificate.
    let page = apply(&mut mama, ECOLOGY_GROUP, &child).await;
    assert_eq!(page.status, 409);
    assert!(page.body.contains("оплачивается сертификатом"));
    // E-mail not confirmed.
    let mut fresh = Browser::new(&app, S);
    fresh
        .submit(
            "/register",
            "/register",
            &[
                ("municipality", "smolensk"),
                ("last_name", "Петрова"),
                ("first_name", "Нина"),
                ("phone", "+79161234568"),
                ("email", "noconfirm@example.ru"),
                ("password", PASSWORD),
                ("consent", "true"),
            ],
        )
        .await;
    fresh.login("noconfirm@example.ru", PASSWORD).await;
    let kid = add_child(&mut fresh, "Петров", 9).await;
    let page = apply(&mut fresh, CHESS_GROUP, &kid).await;
    assert_eq!(page.status, 409);
    assert!(page.body.contains("Подтвердите адрес электронной почты"));
    // Someone else's child.
    let page = apply(&mut fresh, CHESS_GROUP, &child).await;
    assert_eq!(page.status, 409);
    assert!(page.body.contains("выберите своего ребёнка"));
}

#[tokio::test]
async fn nobody_else_sees_or_decides() {
    let (_env, app, sink) = spawn().await;
    let (mut mama, child) = parent(&app, &sink, "private@example.ru", 9).await;
    let id = filed(&apply(&mut mama, CHESS_GROUP, &child).await);
    // Another parent: not in their list, cannot cancel.
    let (mut other, _) = parent(&app, &sink, "other@example.ru", 9).await;
    assert!(!other
        .get("/cabinet/applications")
        .await
        .body
        .contains(&format!("№ {id}")));
    let page = other
        .submit(
            "/cabinet/applications",
            &format!("/cabinet/applications/{id}/cancel"),
            &[],
        )
        .await;
    assert_eq!(page.status, 404);
    let (status, _, _) = other
        .api(Method::GET, "/api/v1/provider/applications", None, None)
        .await;
    assert_eq!(status, 403);
    // Staff of another organization: not in the list, not found, cannot decide.
    let mut olimp = staff(&app, OLIMP_STAFF).await;
    assert!(!olimp
        .get("/provider/applications")
        .await
        .body
        .contains("Кузнецов Миша"));
    assert_eq!(
        olimp
            .get(&format!("/provider/applications/{id}"))
            .await
            .status,
        404
    );
    let csrf = olimp.get("/provider/applications").await.csrf();
    let page = olimp
        .post(
            &format!("/provider/applications/{id}/confirm"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 404);
    // Staff of the other region: the cookie is nobody there, and their own staff sees nothing.
    assert_eq!(
        olimp.on_host(K).get("/provider/applications").await.status,
        303
    );
    let mut k = Browser::new(&app, K);
    k.login("provider@krasnoyarsk.demo.navigator.local", DEMO_PASSWORD)
        .await;
    assert_eq!(
        k.get(&format!("/provider/applications/{id}")).await.status,
        404
    );
    // The application is still «Новая».
    assert!(mama
        .get("/cabinet/applications")
        .await
        .body
        .contains("Новая"));
}

#[tokio::test]
async fn reject_needs_a_comment_and_cancel_tells_the_organization() {
    let (_env, app, sink) = spawn().await;
    let (mut mama, child) = parent(&app, &sink, "reject@example.ru", 9).await;
    let id = filed(&apply(&mut mama, CHESS_GROUP, &child).await);
    let mut provider = staff(&app, PROVIDER).await;
    assert_eq!(decide(&mut provider, &id, "reject", " ").await.status, 400);
    assert_eq!(
        decide(&mut provider, &id, "reject", "нет\u{0}мест")
            .await
            .status,
        400
    );
    assert_eq!(
        decide(&mut provider, &id, "reject", "Группа для опытных игроков")
            .await
            .status,
        303
    );
    let mail = sink.wait_for("reject@example.ru", 2).await;
    assert_eq!(mail.subject, "Заявка отклонена");
    assert!(mail.text.contains("Группа для опытных игроков"));
    assert!(mama
        .get("/cabinet/applications")
        .await
        .body
        .contains("Группа для опытных игроков"));
    // A decided application cannot be cancelled; a new one can, and the organization hears.
    let page = mama
        .submit(
            "/cabinet/applications",
            &format!("/cabinet/applications/{id}/cancel"),
            &[],
        )
        .await;
    assert_eq!(page.status, 409);
    let id2 = filed(&apply(&mut mama, CHESS_GROUP, &child).await);
    let page = mama
        .submit(
            "/cabinet/applications",
            &format!("/cabinet/applications/{id2}/cancel"),
            &[],
        )
        .await;
    assert_eq!(page.status, 303);
    assert!(mama
        .get("/cabinet/applications")
        .await
        .body
        .contains("Отменена"));
    let org_email: String = sqlx::query_scalar("SELECT email FROM organizations WHERE id = 1 AND tenant_id = (SELECT id FROM tenants WHERE slug = 'smolensk')")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let notice = sink.wait_for(&org_email, 1).await;
    assert!(notice.subject.contains("отменил"), "{}", notice.subject);
}

#[tokio::test]
async fn a_full_group_keeps_a_waitlist_and_promotes_in_order() {
    let (_env, app, sink) = spawn().await;
    // One free seat left in the chess group.
    sqlx::query(
        "UPDATE study_groups SET capacity = seats_taken + 1 WHERE id = $1 \
         AND tenant_id = (SELECT id FROM tenants WHERE slug = 'smolensk')",
    )
    .bind(CHESS_GROUP)
    .execute(app.state.db.pool())
    .await
    .unwrap();
    let mut provider = staff(&app, PROVIDER).await;
    let (mut first, c1) = parent(&app, &sink, "first@example.ru", 9).await;
    let (mut second, c2) = parent(&app, &sink, "second@example.ru", 10).await;
    let (mut third, c3) = parent(&app, &sink, "third@example.ru", 11).await;
    let a1 = filed(&apply(&mut first, CHESS_GROUP, &c1).await);
    let a2 = filed(&apply(&mut second, CHESS_GROUP, &c2).await);
    assert_eq!(decide(&mut provider, &a1, "confirm", "").await.status, 303);
    // Only one seat: the second cannot be confirmed, and a third application queues.
    let full = decide(&mut provider, &a2, "confirm", "").await;
    assert_eq!(full.status, 409);
    assert!(full.body.contains("нет свободных мест"));
    let a3 = filed(&apply(&mut third, CHESS_GROUP, &c3).await);
    assert!(third
        .get("/cabinet/applications")
        .await
        .body
        .contains("В очереди"));
    // The second is rejected; the first withdraws: the seat goes to the third.
    decide(&mut provider, &a2, "reject", "Нет мест").await;
    let page = first
        .submit(
            "/cabinet/applications",
            &format!("/cabinet/applications/{a1}/withdraw"),
            &[],
        )
        .await;
    assert_eq!(page.status, 303);
    let promoted = sink.wait_for("third@example.ru", 2).await;
    assert_eq!(promoted.subject, "Освободилось место");
    assert!(third
        .get("/cabinet/applications")
        .await
        .body
        .contains("Новая"));
    assert_eq!(decide(&mut provider, &a3, "confirm", "").await.status, 303);
    let (taken, capacity): (i64, i64) =
        sqlx::query_as("SELECT seats_taken, capacity FROM study_groups WHERE id = $1 AND tenant_id = (SELECT id FROM tenants WHERE slug = 'smolensk')")
            .bind(CHESS_GROUP)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(taken, capacity, "full again, never over");
}

/// Today in Smolensk, by the server's clock: the contract's months and the billing month
/// turn at the region's midnight, not at UTC's.
fn smolensk_today(app: &tests::TestApp) -> chrono::NaiveDate {
    let smolensk = app.state.registry.by_slug("smolensk").expect("Smolensk");
    smolensk.today(&app.state.clock)
}

/// Months of the fixture's certificate group's contract: from this month to the earlier
/// of the study end (today + 200 days) and December.
fn contract_months(today: chrono::NaiveDate) -> i64 {
    let end = today + chrono::Duration::days(200);
    let last = if end.year() > today.year() {
        12
    } else {
        end.month()
    };
    i64::from(last - today.month() + 1)
}

#[tokio::test]
async fn certificate_contracts_commit_bill_once_and_release_on_withdrawal() {
    let (env, app, sink) = spawn().await;
    let (mut mama, child) = parent(&app, &sink, "contract@example.ru", 10).await;
    // Certificate: issued, confirmed by «Радуга», funded with 6 000 ₽.
    mama.submit(
        "/cabinet",
        &format!("/cabinet/children/{child}/certificate"),
        &[],
    )
    .await;
    let mut raduga = staff(&app, PROVIDER).await;
    let number: String = sqlx::query_scalar("SELECT number FROM certificates LIMIT 1")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let page = raduga
        .get(&format!("/provider/certificates?number={number}"))
        .await;
    let cert = page
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
    assert_eq!(
        mama.submit(
            "/cabinet",
            &format!("/cabinet/children/{child}/funding"),
            &[]
        )
        .await
        .status,
        200
    );

    let months = contract_months(smolensk_today(&app));
    let mut olimp = staff(&app, OLIMP_STAFF).await;
    // Too expensive for the balance, even for a one-month contract (December's): refused
    // with the amounts, nothing committed.
    sqlx::query(
        "UPDATE study_groups SET price_certificate_kopecks = 700000 WHERE id = $1 \
         AND tenant_id = (SELECT id FROM tenants WHERE slug = 'smolensk')",
    )
    .bind(ECOLOGY_GROUP)
    .execute(app.state.db.pool())
    .await
    .unwrap();
    let id = filed(&apply(&mut mama, ECOLOGY_GROUP, &child).await);
    let refused = decide(&mut olimp, &id, "confirm", "").await;
    assert_eq!(refused.status, 409);
    assert!(
        refused.body.contains("Недостаточно средств на сертификате"),
        "{}",
        refused.body
    );
    sqlx::query(
        "UPDATE study_groups SET price_certificate_kopecks = 180000 WHERE id = $1 \
         AND tenant_id = (SELECT id FROM tenants WHERE slug = 'smolensk')",
    )
    .bind(ECOLOGY_GROUP)
    .execute(app.state.db.pool())
    .await
    .unwrap();
    let seats_before: i64 = sqlx::query_scalar("SELECT seats_taken FROM study_groups WHERE id = $1 AND tenant_id = (SELECT id FROM tenants WHERE slug = 'smolensk')")
        .bind(ECOLOGY_GROUP)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(seats_before, 5, "the refused confirmation took no seat");
    let page = decide(&mut olimp, &id, "confirm", "").await;
    assert_eq!(page.status, 303, "{}", page.body);
    let balance = |kind: &'static str| {
        let db = app.state.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!(
                "SELECT {kind} FROM certificate_balances LIMIT 1"
            ))
            .fetch_one(db.pool())
            .await
            .unwrap()
        }
    };
    assert_eq!(balance("committed").await, 180_000 * months);
    let cabinet = mama.get("/cabinet").await;
    assert!(cabinet.body.contains("Резерв по договору"));

    // Billing this month: once.
    let today = smolensk_today(&app);
    let month = format!("{:04}-{:02}", today.year(), today.month());
    let out = env
        .cli(&["billing", "run", "--region", "smolensk", "--month", &month])
        .await
        .unwrap();
    assert!(out.contains("списано по 1 договорам"), "{out}");
    let again = env
        .cli(&["billing", "run", "--region", "smolensk", "--month", &month])
        .await
        .unwrap();
    assert!(
        again.contains("списано по 0 договорам") && again.contains("ранее: 1"),
        "{again}"
    );
    assert_eq!(balance("spent").await, 180_000);
    assert_eq!(balance("committed").await, 180_000 * (months - 1));
    assert!(env
        .cli(&["billing", "run", "--region", "smolensk", "--month", "2026-13"])
        .await
        .is_err());

    // Withdrawal mid-month: the contract ends, what was not spent returns.
    let page = mama
        .submit(
            "/cabinet/applications",
            &format!("/cabinet/applications/{id}/withdraw"),
            &[],
        )
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(balance("committed").await, 0);
    assert_eq!(balance("spent").await, 180_000);
    assert_eq!(balance("credited").await - balance("spent").await, 420_000);
    let org_email: String = sqlx::query_scalar("SELECT email FROM organizations WHERE id = 3 AND tenant_id = (SELECT id FROM tenants WHERE slug = 'smolensk')")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let notice = sink.wait_for(&org_email, 1).await;
    // Never enrolled (confirmed only): «Отменена», not «Отчислен».
    assert!(
        notice.subject.contains("отменил подтверждённую заявку"),
        "{}",
        notice.subject
    );
    let list = mama.get(page.location.as_deref().unwrap()).await;
    assert!(
        list.body.contains("место в группе освобождено"),
        "{}",
        list.body
    );
    assert!(list.body.contains("status-cancelled"));
    // A later billing run charges nothing for an ended contract.
    let out = env
        .cli(&["billing", "run", "--region", "smolensk", "--month", &month])
        .await
        .unwrap();
    assert!(out.contains("списано по 0 договорам"), "{out}");
}

#[tokio::test]
async fn bulk_decisions_and_the_api() {
    let (_env, app, sink) = spawn().await;
    let (mut mama, child) = parent(&app, &sink, "bulk@example.ru", 9).await;
    let second = add_child(&mut mama, "Второй", 10).await;
    let (_, me, _) = mama.api(Method::GET, "/api/v1/me", None, None).await;
    let csrf = me["csrf_token"].as_str().unwrap().to_owned();
    let body = json!({"group_id": CHESS_GROUP, "child_id": child.parse::<i64>().unwrap()});
    let (status, app1, _) = mama
        .api(
            Method::POST,
            "/api/v1/me/applications",
            Some(body.clone()),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 200, "{app1}");
    assert_eq!(app1["status"], "new");
    let (status, err, _) = mama
        .api(
            Method::POST,
            "/api/v1/me/applications",
            Some(body),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 409);
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("уже есть заявка"));
    let id2 = filed(&apply(&mut mama, CHESS_GROUP, &second).await);
    let id1 = app1["id"].as_i64().unwrap();

    // Bulk confirm through the page: both at once.
    let mut provider = staff(&app, PROVIDER).await;
    let page = provider.get("/provider/applications").await;
    let csrf_p = page.csrf();
    let id1s = id1.to_string();
    let result = provider
        .post(
            "/provider/applications/bulk",
            &[
                ("csrf", &csrf_p),
                ("action", "confirm"),
                ("id", &id1s),
                ("id", &id2),
            ],
        )
        .await;
    assert_eq!(result.status, 200, "{}", result.body);
    assert_eq!(
        result.body.matches(": готово").count(),
        2,
        "{}",
        result.body
    );
    // Again through the API: both refused, each with its reason.
    let mut api = Browser::new(&app, S);
    let (_, me, _) = api
        .api(
            Method::POST,
            "/api/v1/auth/login",
            Some(json!({"email": PROVIDER, "password": DEMO_PASSWORD})),
            None,
        )
        .await;
    let pcsrf = me["csrf_token"].as_str().unwrap().to_owned();
    let (status, results, _) = api
        .api(
            Method::POST,
            "/api/v1/provider/applications/decisions",
            Some(json!({"ids": [id1, id2.parse::<i64>().unwrap()], "action": "confirm"})),
            Some(&pcsrf),
        )
        .await;
    assert_eq!(status, 200, "{results}");
    assert_eq!(results[0]["ok"], false);
    assert!(results[0]["reason"]
        .as_str()
        .unwrap()
        .contains("подтвердить можно только новую"));
    let (status, results, _) = api
        .api(
            Method::POST,
            "/api/v1/provider/applications/decisions",
            Some(json!({"ids": [id1], "action": "enroll"})),
            Some(&pcsrf),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(results[0]["ok"], true);
    let (status, list, _) = api
        .api(
            Method::GET,
            "/api/v1/provider/applications?status=enrolled",
            None,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["applications"].as_array().unwrap().len(), 1);
    assert_eq!(list["counts"]["enrolled"], 1);
    assert_eq!(list["counts"]["confirmed"], 1);
    // A bad filter is a bad parameter, named, as on the catalog.
    let (status, refused, _) = api
        .api(
            Method::GET,
            "/api/v1/provider/applications?from=вчера",
            None,
            None,
        )
        .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["code"], "invalid_parameter", "{refused}");
    assert_eq!(refused["error"]["field"], "from", "{refused}");
    // The parent's list through the API, with history.
    let (status, mine, _) = mama
        .api(Method::GET, "/api/v1/me/applications", None, None)
        .await;
    assert_eq!(status, 200);
    let enrolled = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id1)
        .unwrap();
    assert_eq!(enrolled["status_label"], "Зачислен");
    assert_eq!(enrolled["history"].as_array().unwrap().len(), 3);
    let (status, _, _) = mama
        .api(
            Method::POST,
            &format!("/api/v1/me/applications/{id1}/withdraw"),
            None,
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_organization_token_processes_its_own_applications_only() {
    let (env, app, sink) = spawn().await;
    let (mut mama, child) = parent(&app, &sink, "token@example.ru", 9).await;
    let id: i64 = filed(&apply(&mut mama, CHESS_GROUP, &child).await)
        .parse()
        .unwrap();
    let out = env
        .cli(&[
            "token", "add", "--region", "smolensk", "--email", PROVIDER, "--name", "1С",
        ])
        .await
        .unwrap();
    let token = out.lines().nth(1).unwrap().trim().to_owned();
    assert_eq!(token.len(), 64);
    assert!(env
        .cli(&[
            "token",
            "add",
            "--region",
            "smolensk",
            "--email",
            "token@example.ru"
        ])
        .await
        .is_err());
    let call = |method: Method,
                host: &'static str,
                path: String,
                body: Option<serde_json::Value>,
                token: String| {
        let app = &app;
        async move {
            let mut req = app
                .client()
                .request(method, format!("http://{}{path}", app.addr))
                .header("Host", host)
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
    let (status, list) = call(
        Method::GET,
        S,
        "/api/v1/provider/applications".into(),
        None,
        token.clone(),
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["applications"][0]["id"], id);
    // No cookie, no CSRF header: the token is the credential.
    let (status, results) = call(
        Method::POST,
        S,
        "/api/v1/provider/applications/decisions".into(),
        Some(json!({"ids": [id], "action": "confirm"})),
        token.clone(),
    )
    .await;
    assert_eq!(status, 200, "{results}");
    assert_eq!(results[0]["ok"], true);
    sink.wait_for("token@example.ru", 2).await;
    // Another organization's token sees none of it; a wrong token and the other region's
    // host are nobody; pages ignore tokens.
    let out = env
        .cli(&[
            "token",
            "add",
            "--region",
            "smolensk",
            "--email",
            OLIMP_STAFF,
        ])
        .await
        .unwrap();
    let olimp = out.lines().nth(1).unwrap().trim().to_owned();
    let (_, list) = call(
        Method::GET,
        S,
        "/api/v1/provider/applications".into(),
        None,
        olimp.clone(),
    )
    .await;
    assert_eq!(list["applications"], json!([]));
    let (_, results) = call(
        Method::POST,
        S,
        "/api/v1/provider/applications/decisions".into(),
        Some(json!({"ids": [id], "action": "enroll"})),
        olimp,
    )
    .await;
    assert_eq!(results[0]["ok"], false);
    let (status, _) = call(
        Method::GET,
        S,
        "/api/v1/provider/applications".into(),
        None,
        "0".repeat(64),
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = call(
        Method::GET,
        K,
        "/api/v1/provider/applications".into(),
        None,
        token.clone(),
    )
    .await;
    assert_eq!(status, 401);
    // The token acts for the organization, not as the person: no account changes.
    let (status, _) = call(
        Method::PUT,
        S,
        "/api/v1/me/phone".into(),
        Some(json!({"phone": "+79990001122"})),
        token.clone(),
    )
    .await;
    assert_eq!(status, 403);
    let page = app
        .client()
        .get(format!("http://{}/provider/applications", app.addr))
        .header("Host", S)
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 303, "pages need a session");
}
