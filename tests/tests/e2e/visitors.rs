//! «Приём заявителя» over HTTP: a family that walks in is registered by the organization's
//! staff — parent, child, certificate, confirmation — and its application recorded as
//! «Личное обращение» through the rules of an online one; the printable заявление; the
//! parent's takeover; the duplicate checks that never say whose account it is; who may do
//! any of it (the neighbouring organization, the other region's host); the audit log.

use chrono::Datelike;
use platform::accounts::values::Role;
use platform::demo::accounts::DEMO_PASSWORD;
use reqwest::Method;
use serde_json::json;
use tests::browser::{path_of, Browser, Page};
use tests::smtp::SmtpSink;
use tests::{TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";
const PASSWORD: &str = "Смоленск-лето-2026";
/// Fixture groups (tests::catalog): 1 — chess of org 1 «Радуга», free, ages 7–12, open;
/// 6 — ecology of org 3, by certificate, ages 9–13, open.
const CHESS_GROUP: &str = "1";
const ECOLOGY_GROUP: &str = "6";
/// Staff of org 1 «Радуга» (город Смоленск, authorized to confirm).
const PROVIDER: &str = "provider@smolensk.demo.navigator.local";
/// Staff of org 3 «Олимп» (Вяземский район, not authorized).
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

fn today() -> String {
    chrono::Utc::now()
        .date_naive()
        .format("%d.%m.%Y")
        .to_string()
}

async fn staff<'a>(app: &'a TestApp, host: &str, email: &str) -> Browser<'a> {
    let mut b = Browser::new(app, host);
    b.login(email, DEMO_PASSWORD).await;
    b
}

fn visitor_fields<'a>(email: &'a str, phone: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("municipality", "smolensk"),
        ("last_name", "Петрова"),
        ("first_name", "Анна"),
        ("middle_name", "Сергеевна"),
        ("phone", phone),
        ("email", email),
        ("consent_number", "17"),
        ("consent_taken_by", "Иванова И. И."),
    ]
}

/// «Зарегистрировать заявителя»; returns the page (a redirect to the card when made).
async fn register(b: &mut Browser<'_>, email: &str, phone: &str) -> Page {
    let date = today();
    let mut fields = visitor_fields(email, phone);
    fields.push(("consent_date", &date));
    b.submit("/provider/visitors", "/provider/visitors", &fields)
        .await
}

/// The id of the family the desk just registered (from the redirect to its card).
fn made(page: &Page) -> String {
    assert_eq!(page.status, 303, "{}", page.body);
    let location = page.location.as_deref().unwrap();
    location
        .trim_start_matches("/provider/visitors/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

async fn add_child(b: &mut Browser<'_>, family: &str, age: i32, snils: &str) -> Page {
    let card = format!("/provider/visitors/{family}");
    b.submit(
        &card,
        &format!("{card}/children"),
        &[
            ("last_name", "Петров"),
            ("first_name", "Егор"),
            ("birth_date", &years_ago(age)),
            ("sex", "male"),
            ("snils", snils),
        ],
    )
    .await
}

/// The id of the family's last child, from its card.
async fn child_of(b: &mut Browser<'_>, family: &str) -> String {
    let card = b.get(&format!("/provider/visitors/{family}")).await;
    assert_eq!(card.status, 200, "{}", card.body);
    card.body
        .split(&format!("/provider/visitors/{family}/children/"))
        .filter_map(|s| s.split('/').next())
        .filter_map(|id| id.parse::<i64>().ok())
        .max()
        .expect("a child on the card")
        .to_string()
}

async fn act(b: &mut Browser<'_>, family: &str, child: &str, action: &str, group: &str) -> Page {
    let card = format!("/provider/visitors/{family}");
    b.submit(
        &card,
        &format!("{card}/children/{child}/{action}"),
        &[("group", group)],
    )
    .await
}

async fn audited(app: &TestApp, action: &str, actor_email: &str) -> i64 {
    let tenant = app.state.registry.by_slug("smolensk").unwrap().id;
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log a JOIN users u ON u.tenant_id = a.tenant_id \
         AND u.id = a.actor_id WHERE a.tenant_id = $1 AND a.action = $2 AND u.email_key = $3",
    )
    .bind(tenant)
    .bind(action)
    .bind(actor_email.to_lowercase())
    .fetch_one(app.state.db.pool())
    .await
    .expect("count");
    n
}

/// A parent registered online, confirmed and logged in, with a child of 10.
async fn online_parent<'a>(
    app: &'a TestApp,
    sink: &SmtpSink,
    host: &str,
    email: &str,
    phone: &str,
) -> Browser<'a> {
    let mut b = Browser::new(app, host);
    let municipality = if host == S { "smolensk" } else { "krasnoyarsk" };
    let page = b
        .submit(
            "/register",
            "/register",
            &[
                ("municipality", municipality),
                ("last_name", "Скрытная"),
                ("first_name", "Вера"),
                ("phone", phone),
                ("email", email),
                ("password", PASSWORD),
                ("consent", "true"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let mail = sink.wait_for(email, 1).await;
    b.get(&path_of(&mail.link("/verify/email").unwrap())).await;
    b.login(email, PASSWORD).await;
    let saved = b
        .submit(
            "/cabinet/children/new",
            "/cabinet/children/new",
            &[
                ("last_name", "Скрытный"),
                ("first_name", "Лев"),
                ("birth_date", &years_ago(10)),
                ("sex", "male"),
                ("snils", "112-233-445 95"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    b
}

#[tokio::test]
async fn a_family_is_registered_at_the_desk_applies_in_person_and_takes_the_account_over() {
    let (env, app, sink) = spawn().await;
    let mut desk = staff(&app, S, PROVIDER).await;
    let home = desk.get("/provider/visitors").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.body.contains("Приём заявителя"));

    let family = made(&register(&mut desk, "petrova@example.ru", "+7 916 555-44-33").await);
    let card = desk
        .get(&format!("/provider/visitors/{family}?created=1"))
        .await;
    assert!(
        card.body.contains("Петрова Анна Сергеевна"),
        "{}",
        card.body
    );
    assert!(card.body.contains("№ 17 от"));
    let welcome = sink.wait_for("petrova@example.ru", 1).await;
    assert!(
        welcome.subject.contains("задайте пароль"),
        "{}",
        welcome.subject
    );

    // The child, the certificate and the confirmation in the same visit.
    let page = add_child(&mut desk, &family, 9, "").await;
    assert_eq!(page.status, 303, "{}", page.body);
    let child = child_of(&mut desk, &family).await;
    let page = act(&mut desk, &family, &child, "certificate", "").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Сертификат учёта выдан"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Подтвердить данные"));
    let page = act(&mut desk, &family, &child, "confirm", "").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("данные подтверждены"), "{}", page.body);

    // The walk-in application: the rules of an online one.
    let page = act(&mut desk, &family, &child, "apply", CHESS_GROUP).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("«Личное обращение»"), "{}", page.body);
    let again = act(&mut desk, &family, &child, "apply", CHESS_GROUP).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("уже есть заявка"), "{}", again.body);
    let elsewhere = act(&mut desk, &family, &child, "apply", ECOLOGY_GROUP).await;
    assert_eq!(elsewhere.status, 409, "{}", elsewhere.body);
    assert!(elsewhere.body.contains("только в группы своей организации"));
    // Group 4 (vocal, org 1, ages 5–9) has its enrollment window closed.
    let closed = act(&mut desk, &family, &child, "apply", "4").await;
    assert_eq!(closed.status, 409, "{}", closed.body);
    assert!(
        closed.body.contains("Набор в группу закрыт"),
        "{}",
        closed.body
    );
    let gone = act(&mut desk, &family, &child, "apply", "999").await;
    assert_eq!(gone.status, 422, "{}", gone.body);
    assert!(gone.body.contains("такой группы нет"), "{}", gone.body);
    let no_group = act(&mut desk, &family, &child, "apply", "").await;
    assert_eq!(no_group.status, 422, "{}", no_group.body);
    assert!(no_group.body.contains("выберите группу"));

    // The print view: the заявление and the согласие, prefilled.
    let card = desk.get(&format!("/provider/visitors/{family}")).await;
    let app_id = card
        .body
        .split("/provider/visitors/applications/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("a print link")
        .to_owned();
    let print = desk
        .get(&format!("/provider/visitors/applications/{app_id}/print"))
        .await;
    assert_eq!(print.status, 200, "{}", print.body);
    for text in [
        "Заявление",
        "Согласие",
        "Петрова Анна Сергеевна",
        "Петров Егор",
        "152-ФЗ",
        "при личном обращении",
    ] {
        assert!(print.body.contains(text), "{text}: {}", print.body);
    }
    assert!(!print.body.contains("<script"));
    let listed = desk.get("/provider/applications").await;
    assert!(listed.body.contains("Личное обращение"));

    // Every look and every record is the staff member's in the audit log.
    assert_eq!(audited(&app, "visitor_register", PROVIDER).await, 1);
    assert_eq!(audited(&app, "visitor_child_save", PROVIDER).await, 1);
    assert_eq!(audited(&app, "certificate_issue", PROVIDER).await, 1);
    assert_eq!(audited(&app, "application_in_person", PROVIDER).await, 1);
    assert_eq!(audited(&app, "child_data_confirm", PROVIDER).await, 1);
    assert!(audited(&app, "child_data_view", PROVIDER).await >= 2);

    // The parent follows the link: the account is theirs, the desk can no longer change it.
    let link = path_of(&welcome.link("/password/reset").expect("set-password link"));
    let mut mama = Browser::new(&app, S);
    let form = mama.get(&link).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let code = link.split("code=").nth(1).unwrap().to_owned();
    let set = mama
        .post(
            "/password/reset",
            &[
                ("csrf", &form.csrf()),
                ("code", &code),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    mama.login("petrova@example.ru", PASSWORD).await;
    let mine = mama.get("/cabinet/applications").await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert!(mine.body.contains("Личное обращение"), "{}", mine.body);

    let mut fields = visitor_fields("petrova@example.ru", "+79165554433");
    fields[1] = ("last_name", "Сидорова");
    let edit = desk
        .submit(
            &format!("/provider/visitors/{family}"),
            &format!("/provider/visitors/{family}"),
            &fields,
        )
        .await;
    assert_eq!(edit.status, 409, "{}", edit.body);
    assert!(
        edit.body.contains("изменить её данные может только он"),
        "{}",
        edit.body
    );
    let child_again = add_child(&mut desk, &family, 8, "").await;
    assert_eq!(child_again.status, 409, "{}", child_again.body);
    let card = desk.get(&format!("/provider/visitors/{family}")).await;
    assert!(card.body.contains("Родитель вошёл в навигатор сам"));
    assert!(
        card.body.contains("Петрова"),
        "the data stays as the parent left it"
    );
    assert!(
        !card.body.contains("+7 (916) 555"),
        "the parent's contacts are theirs now"
    );
    assert!(
        !card.body.contains("Петров Егор</h3>"),
        "and so are the children"
    );
    let late = desk
        .post(
            &format!("/provider/visitors/{family}/children/{child}/apply"),
            &[("csrf", &card.csrf()), ("group", CHESS_GROUP)],
        )
        .await;
    assert_eq!(late.status, 409, "{}", late.body);
    assert!(late.body.contains("изменить её данные может только он"));
    drop(env);
}

#[tokio::test]
async fn duplicates_are_only_said_to_be_registered_and_their_owner_can_be_sent_a_link() {
    let (env, app, sink) = spawn().await;
    let _owner = online_parent(&app, &sink, S, "vera@example.ru", "+79160001122").await;
    // The same address in the other region only: no duplicate here.
    let _other = online_parent(&app, &sink, K, "kras@example.ru", "+79160003344").await;
    let mut desk = staff(&app, S, PROVIDER).await;

    let by_email = register(&mut desk, "Vera@Example.ru", "+79169998877").await;
    assert_eq!(by_email.status, 409, "{}", by_email.body);
    assert!(by_email
        .body
        .contains("Заявитель с таким адресом электронной почты уже зарегистрирован"));
    assert!(
        !by_email.body.contains("Скрытная"),
        "whose account it is stays unsaid"
    );
    let by_phone = register(&mut desk, "new@example.ru", "+7 (916) 000-11-22").await;
    assert_eq!(by_phone.status, 409, "{}", by_phone.body);
    assert!(by_phone.body.contains("с таким номером телефона"));
    assert!(!by_phone.body.contains("vera@example.ru"));
    assert_eq!(audited(&app, "visitor_search", PROVIDER).await, 2);

    // «Отправить ссылку для входа»: the owner gets it; the desk hears the same either way.
    let before = sink.to("vera@example.ru").len();
    let sent = desk
        .submit(
            "/provider/visitors",
            "/provider/visitors/sign-in-link",
            &[("phone", "+79160001122")],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let link = sink.wait_for("vera@example.ru", before + 1).await;
    assert!(
        link.subject.contains("Ссылка для входа"),
        "{}",
        link.subject
    );
    let by_address = desk
        .submit(
            "/provider/visitors",
            "/provider/visitors/sign-in-link",
            &[("email", "vera@example.ru")],
        )
        .await;
    sink.wait_for("vera@example.ru", before + 2).await;
    let nobody = desk
        .submit(
            "/provider/visitors",
            "/provider/visitors/sign-in-link",
            &[("email", "nobody@example.ru")],
        )
        .await;
    assert_eq!(nobody.status, by_address.status, "the same answer");
    assert_eq!(nobody.location, by_address.location, "the same answer");
    assert_eq!(nobody.body, by_address.body);
    let after = desk.get(nobody.location.as_deref().unwrap()).await;
    assert!(after.body.contains("Если такой заявитель зарегистрирован"));
    assert!(sink.to("nobody@example.ru").is_empty());

    // Krasnoyarsk's address is no duplicate in Smolensk.
    let fresh = register(&mut desk, "kras@example.ru", "+79160005566").await;
    made(&fresh);
    // A child's СНИЛС registered in the region: said, not shown.
    let family = made(&register(&mut desk, "third@example.ru", "+79160007788").await);
    let page = add_child(&mut desk, &family, 10, "112-233-445 95").await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page
        .body
        .contains("ребёнок с таким СНИЛС уже зарегистрирован"));
    assert!(!page.body.contains("Скрытный"));
    assert!(page.body.contains("Отправить ссылку для входа владельцу"));
    assert_eq!(
        audited(&app, "visitor_search", PROVIDER).await,
        6,
        "two refusals, three links, one СНИЛС"
    );

    // Each refusal of the form names its field, and nothing is made.
    let bad = desk
        .submit(
            "/provider/visitors",
            "/provider/visitors",
            &[
                ("municipality", "smolensk"),
                ("last_name", "Петрова"),
                ("first_name", "Анна"),
                ("phone", "12345"),
                ("email", "not-an-address"),
                ("consent_date", "31.12.2999"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    for text in [
        "f-phone-error",
        "f-email-error",
        "укажите номер бланка согласия",
        "дата согласия не может быть в будущем",
        "укажите, кто принял согласие",
    ] {
        assert!(bad.body.contains(text), "{text}: {}", bad.body);
    }
    drop(env);
}

#[tokio::test]
async fn only_the_organization_that_registered_a_family_acts_for_it_and_only_in_its_region() {
    let (env, app, sink) = spawn().await;
    let mut desk = staff(&app, S, PROVIDER).await;
    let family = made(&register(&mut desk, "petrova@example.ru", "+79165554433").await);
    add_child(&mut desk, &family, 10, "").await;
    let child = child_of(&mut desk, &family).await;

    // The neighbouring organization: not found, for every action.
    let mut olimp = staff(&app, S, OLIMP_STAFF).await;
    let card = olimp.get(&format!("/provider/visitors/{family}")).await;
    assert_eq!(card.status, 404, "{}", card.body);
    let home = olimp.get("/provider/visitors").await;
    assert!(!home.body.contains("Петрова"), "{}", home.body);
    let csrf = home.csrf();
    for action in ["certificate", "confirm", "apply"] {
        let page = olimp
            .post(
                &format!("/provider/visitors/{family}/children/{child}/{action}"),
                &[("csrf", &csrf), ("group", ECOLOGY_GROUP)],
            )
            .await;
        assert_eq!(page.status, 404, "{action}: {}", page.body);
    }
    let (status, _, _) = olimp
        .api(
            Method::GET,
            &format!("/api/v1/provider/visitors/{family}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 404);

    let recorded = act(&mut desk, &family, &child, "apply", CHESS_GROUP).await;
    assert_eq!(recorded.status, 200, "{}", recorded.body);
    let card = desk.get(&format!("/provider/visitors/{family}")).await;
    let app_id = card
        .body
        .split("/provider/visitors/applications/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("a print link")
        .to_owned();
    let print = olimp
        .get(&format!("/provider/visitors/applications/{app_id}/print"))
        .await;
    assert_eq!(print.status, 404, "{}", print.body);
    let mut fields = visitor_fields("mine@example.ru", "+79165550000");
    fields.push(("csrf", &csrf));
    let edit = olimp
        .post(&format!("/provider/visitors/{family}"), &fields)
        .await;
    assert_eq!(edit.status, 404, "{}", edit.body);
    let resend = olimp
        .post(
            &format!("/provider/visitors/{family}/resend"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(resend.status, 404, "{}", resend.body);
    let child_form = olimp
        .get(&format!("/provider/visitors/{family}/children"))
        .await;
    assert_eq!(child_form.status, 404, "{}", child_form.body);

    // Not an organization: no desk.
    let mut parent = online_parent(&app, &sink, S, "vera@example.ru", "+79160001122").await;
    let page = parent.get("/provider/visitors").await;
    assert_eq!(page.status, 403, "{}", page.body);

    // The other region's host: the family does not exist there.
    let mut kras = staff(&app, K, "provider@krasnoyarsk.demo.navigator.local").await;
    let card = kras.get(&format!("/provider/visitors/{family}")).await;
    assert_eq!(card.status, 404, "{}", card.body);
    let (status, _, _) = kras
        .api(
            Method::GET,
            &format!("/api/v1/provider/visitors/{family}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, list, _) = kras
        .api(Method::GET, "/api/v1/provider/visitors", None, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(list, json!([]));
    // A Smolensk session is no session on Krasnoyarsk's host.
    let mut crossed = desk.on_host(K);
    let page = crossed.get("/provider/visitors").await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(
        page.location.as_deref().unwrap().starts_with("/login"),
        "{:?}",
        page.location
    );

    // A deactivated organization's desk is closed.
    let tenant = app.state.registry.by_slug("smolensk").unwrap().id;
    sqlx::query("UPDATE organizations SET deactivated_at = '2026-01-01T00:00:00Z' WHERE tenant_id = $1 AND id = 3")
        .bind(tenant)
        .execute(app.state.db.pool())
        .await
        .expect("deactivate");
    let closed = olimp.get("/provider/visitors").await;
    assert_eq!(closed.status, 409, "{}", closed.body);
    assert!(
        closed.body.contains("приём заявителей закрыт"),
        "{}",
        closed.body
    );
    drop(env);
}

#[tokio::test]
async fn the_api_registers_a_family_and_records_a_walk_in_application_by_certificate_number() {
    let (env, app, sink) = spawn().await;
    // A family registered online, with a certificate.
    let mut vera = online_parent(&app, &sink, S, "vera@example.ru", "+79160001122").await;
    let cabinet = vera.get("/cabinet").await;
    let child = cabinet
        .body
        .split("/cabinet/children/")
        .filter_map(|s| s.split('"').next())
        .find(|id| id.parse::<i64>().is_ok())
        .unwrap()
        .to_owned();
    let page = vera
        .submit(
            "/cabinet",
            &format!("/cabinet/children/{child}/certificate"),
            &[],
        )
        .await;
    let number = page.body.split("№ ").nth(1).unwrap()[..10].to_owned();
    // Grouped for reading, copied as the ten digits.
    let grouped = format!(
        "<span>{}</span><span>{}</span><span>{}</span>",
        &number[..2],
        &number[2..9],
        &number[9..]
    );
    assert!(page.body.contains(&grouped), "{}", page.body);

    let mut desk = staff(&app, S, PROVIDER).await;
    let csrf = desk.get("/provider").await.csrf();
    // Found by number (audited), then recorded.
    let born = years_ago(10);
    let found = desk
        .get(&format!(
            "/provider/visitors/find?number={number}&birth_date={born}"
        ))
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert!(found.body.contains("Скрытный Лев"), "{}", found.body);
    let wrong = desk
        .get("/provider/visitors/find?number=123&birth_date=")
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("f-number-error") && wrong.body.contains("f-birth_date-error"));
    // The number alone finds nobody: the birth date from the documents must match.
    let other_day = desk
        .get(&format!(
            "/provider/visitors/find?number={number}&birth_date={}",
            years_ago(11)
        ))
        .await;
    assert_eq!(other_day.status, 422, "{}", other_day.body);
    assert!(!other_day.body.contains("Скрытный"), "{}", other_day.body);

    // Another organization, of another municipality, records by number too — for its own
    // groups and by their rules: this one is paid by certificate, and the data is not
    // confirmed.
    let mut olimp = staff(&app, S, OLIMP_STAFF).await;
    let olimp_csrf = olimp.get("/provider").await.csrf();
    let (status, body, _) = olimp
        .api(
            Method::POST,
            "/api/v1/provider/visitors/applications",
            Some(json!({ "group_id": 6, "certificate_number": number, "birth_date": born })),
            Some(&olimp_csrf),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("оплачивается сертификатом"),
        "{body}"
    );
    let (status, body, _) = desk
        .api(
            Method::POST,
            "/api/v1/provider/visitors/applications",
            Some(json!({ "group_id": 1, "certificate_number": number, "birth_date": born })),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["in_person"], true);
    assert_eq!(body["status"], "new");
    let mine = vera.get("/cabinet/applications").await;
    assert!(mine.body.contains("Личное обращение"), "{}", mine.body);
    assert!(
        mine.body.contains("href=\"tel:+7"),
        "the organization's phone dials: {}",
        mine.body
    );
    let (status, body, _) = desk
        .api(
            Method::POST,
            "/api/v1/provider/visitors/applications",
            Some(json!({ "group_id": 1, "certificate_number": number, "birth_date": born })),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 409, "{body}");

    // Registration through the API, with the same checks.
    let request = json!({
        "municipality": "smolensk", "last_name": "Орлова", "first_name": "Дарья",
        "phone": "+79163332211", "email": "orlova@example.ru",
        "consent_number": "5", "consent_date": chrono::Utc::now().date_naive().to_string(),
        "consent_taken_by": "Иванова И. И."
    });
    let (status, body, _) = desk
        .api(
            Method::POST,
            "/api/v1/provider/visitors",
            Some(request.clone()),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let family = body["id"].as_i64().unwrap();
    let (status, body, _) = desk
        .api(
            Method::POST,
            "/api/v1/provider/visitors",
            Some(request),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "already_registered");
    let (status, body, _) = desk
        .api(
            Method::POST,
            &format!("/api/v1/provider/visitors/{family}/children"),
            Some(json!({ "last_name": "Орлов", "first_name": "Пётр",
                "birth_date": years_ago(4), "sex": "male" })),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let kid = body["id"].as_i64().unwrap();
    // Too young for the certificate: the refusal with its reason.
    let (status, body, _) = desk
        .api(
            Method::POST,
            &format!("/api/v1/provider/visitors/{family}/children/{kid}/certificate"),
            None,
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Сертификат выдаётся детям"));
    // Too young for chess (7–12): the age rule of an online application.
    let (status, body, _) = desk
        .api(
            Method::POST,
            "/api/v1/provider/visitors/applications",
            Some(json!({ "group_id": 1, "visitor": family, "child": kid })),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("рассчитана на детей"));
    let (status, body, _) = desk
        .api(
            Method::GET,
            &format!("/api/v1/provider/visitors/{family}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["children"][0]["name"], "Орлов Пётр");
    assert_eq!(body["taken_over"], false);
    drop(env);
}
