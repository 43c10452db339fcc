//! Accounts over HTTP: registration with every validation error, confirmation by the
//! mailed link, login and logout, recovery, children, profile, sessions bound to a region,
//! CSRF, rate limits, staff roles and their cabinets.

use reqwest::Method;
use serde_json::json;
use tests::browser::{path_of, Browser};
use tests::smtp::SmtpSink;
use tests::TestApp;

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";
const APEX: &str = "навигатор.дети";
const PASSWORD: &str = "Смоленск-лето-2026";

fn registration<'a>(email: &'a str, municipality: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("municipality", municipality),
        ("last_name", "Иванова"),
        ("first_name", "Мария"),
        ("middle_name", "Петровна"),
        ("phone", "8 (912) 345-67-89"),
        ("email", email),
        ("password", PASSWORD),
        ("consent", "true"),
    ]
}

/// Registers through the form, follows the mailed link; returns the confirmed browser
/// logged in.
async fn registered<'a>(app: &'a TestApp, sink: &SmtpSink, host: &str, email: &str) -> Browser<'a> {
    let municipality = if host == S { "smolensk" } else { "krasnoyarsk" };
    let mut b = Browser::new(app, host);
    let page = b
        .submit("/register", "/register", &registration(email, municipality))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let mail = sink.wait_for(email, 1).await;
    let link = mail.link("/verify/email").expect("confirmation link");
    let confirmed = b.get(&path_of(&link)).await;
    assert_eq!(confirmed.status, 200);
    // Not logged in on this device: the page says to log in, and leads there.
    assert!(confirmed.body.contains("Войдите"), "{}", confirmed.body);
    assert!(confirmed.body.contains(">Войти</a>"), "{}", confirmed.body);
    b.login(email, PASSWORD).await;
    b
}

#[tokio::test]
async fn registration_validates_every_field_and_keeps_what_was_typed() {
    let (_env, app, _sink) = TestApp::spawn_with_mail().await;
    let mut b = Browser::new(&app, S);
    let page = b.get("/register").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Я ознакомлен и выражаю согласие"));
    assert!(page.body.contains("href=\"/privacy\"") && page.body.contains("href=\"/terms\""));
    assert!(
        page.body.contains("город Смоленск"),
        "municipalities of the region"
    );
    let page = b
        .submit(
            "/register",
            "/register",
            &[
                ("municipality", "norilsk"),
                ("last_name", "Иванова1"),
                ("first_name", ""),
                ("phone", "8 (4812) 38-00-00"),
                ("email", "не-почта"),
                ("password", "password1"),
                ("is_child", "true"),
                ("birth_date", "2020-01-01"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    for message in [
        "такого муниципалитета в регионе нет",
        "только буквы",
        "укажите имя",
        "мобильного",
        "не похож на адрес электронной почты",
        "слишком распространён",
        "самостоятельно можно с 14 лет",
        "Я ознакомлен и выражаю согласие",
    ] {
        assert!(page.body.contains(message), "missing «{message}»");
    }
    assert!(page.body.contains("value=\"Иванова1\""), "typed value kept");
    assert!(
        !page.body.contains("password1"),
        "passwords are never echoed"
    );
    assert!(page.body.contains("aria-invalid=\"true\""));
    // Nothing was created: the address can still register.
    let ok = b
        .submit(
            "/register",
            "/register",
            &registration("mama@example.ru", "smolensk"),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.contains("Проверьте почту"));
}

#[tokio::test]
async fn register_confirm_login_cabinet_logout() {
    let (_env, app, sink) = TestApp::spawn_with_mail().await;
    let mut b = Browser::new(&app, S);
    let page = b
        .submit(
            "/register",
            "/register",
            &registration("Mama@Example.ru", "smolensk"),
        )
        .await;
    assert!(page.body.contains("Проверьте почту"));
    let mail = sink.wait_for("Mama@example.ru", 1).await;
    assert_eq!(mail.subject, "Подтвердите адрес электронной почты");
    assert!(
        mail.from.starts_with("support@p67."),
        "the region's sender: {}",
        mail.from
    );
    let link = mail.link("/verify/email?code=").expect("link");
    assert!(link.starts_with("http://p67.навигатор.дети"), "{link}");

    // Logged in before confirming: the banner explains what is unavailable.
    b.login("mama@example.ru", PASSWORD).await;
    let cabinet = b.get("/cabinet").await;
    assert_eq!(cabinet.status, 200);
    assert!(cabinet.body.contains("Подтвердите адрес электронной почты"));
    assert!(cabinet.body.contains("Отправить письмо ещё раз"));
    assert!(cabinet.body.contains("Мария Иванова"), "name in the header");

    // The link confirms without logging anyone in, and a second click is fine.
    let mut stranger = Browser::new(&app, S);
    let confirmed = stranger.get(&path_of(&link)).await;
    assert_eq!(confirmed.status, 200);
    assert!(confirmed.body.contains("подтверждён"));
    assert!(!stranger.cookies.contains_key("nav_session"));
    let again = stranger.get(&path_of(&link)).await;
    assert!(again.body.contains("уже подтверждён"));
    assert_eq!(stranger.get("/cabinet").await.status, 303);
    let bogus = stranger.get("/verify/email?code=abc").await;
    assert_eq!(bogus.status, 400);

    let cabinet = b.get("/cabinet").await;
    assert!(!cabinet.body.contains("Отправить письмо ещё раз"));

    // Logout ends the session on the server: the old cookie is worth nothing.
    let stolen = b.cookies.clone();
    let page = b.get("/cabinet").await;
    let out = b.post("/logout", &[("csrf", &page.csrf())]).await;
    assert_eq!(out.status, 303);
    let mut replay = Browser::new(&app, S);
    replay.cookies = stolen;
    let page = replay.get("/cabinet").await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location.as_deref(), Some("/login?next=%2Fcabinet"));
}

#[tokio::test]
async fn registering_twice_reveals_nothing_and_regions_are_separate() {
    let (_env, app, sink) = TestApp::spawn_with_mail().await;
    let main = |body: &str| {
        body.split("<main")
            .nth(1)
            .unwrap_or_default()
            .split("</main>")
            .next()
            .unwrap_or_default()
            .to_lowercase()
    };
    let mut a = Browser::new(&app, S);
    let first = a
        .submit(
            "/register",
            "/register",
            &registration("dup@example.ru", "smolensk"),
        )
        .await;
    // Not confirmed yet: registering again mails the address a link to set its own
    // password (whoever registered first, the mailbox's owner takes the account).
    let mut b = Browser::new(&app, S);
    let second = b
        .submit(
            "/register",
            "/register",
            &registration("DUP@example.ru", "smolensk"),
        )
        .await;
    assert_eq!(first.status, second.status);
    assert_eq!(main(&first.body), main(&second.body), "same answer");
    let mail = sink.wait_for("dup@example.ru", 2).await;
    assert_eq!(mail.subject, "Завершите регистрацию");
    let reset = path_of(&mail.link("/password/reset").unwrap());
    let form = b.get(&reset).await;
    let code = reset.split("code=").nth(1).unwrap().to_owned();
    let done = b
        .post(
            "/password/reset",
            &[
                ("csrf", &form.csrf()),
                ("code", &code),
                ("password", "Владелец-ящика-1"),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    // The first registrant's password no longer works; the owner's does.
    let old = a
        .submit(
            "/login",
            "/login",
            &[("email", "dup@example.ru"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(old.status, 422);
    b.login("dup@example.ru", "Владелец-ящика-1").await;
    // Confirmed: a third attempt tells the owner someone tried, and still reveals nothing.
    let mut c = Browser::new(&app, S);
    let third = c
        .submit(
            "/register",
            "/register",
            &registration("dup@example.ru", "smolensk"),
        )
        .await;
    assert_eq!(main(&first.body), main(&third.body), "same answer");
    let notice = sink.wait_for("dup@example.ru", 3).await;
    assert_eq!(notice.subject, "Попытка повторной регистрации");
    assert!(notice.text.contains("/password/forgot"));
    // A fourth registration naming the address within the hour is refused: each one mails
    // its owner.
    let mut d = Browser::new(&app, S);
    let fourth = d
        .submit(
            "/register",
            "/register",
            &registration("dup@example.ru", "smolensk"),
        )
        .await;
    assert_eq!(fourth.status, 429);
    // The same address registers in another region as a separate account.
    let mut k = Browser::new(&app, K);
    let page = k
        .submit(
            "/register",
            "/register",
            &registration("dup@example.ru", "krasnoyarsk"),
        )
        .await;
    assert!(page.body.contains("Проверьте почту"));
    let mail = sink.wait_for("dup@example.ru", 4).await;
    assert_eq!(mail.subject, "Подтвердите адрес электронной почты");
    assert!(mail.link("/verify/email").unwrap().contains("p24."));
}

#[tokio::test]
async fn sessions_end_when_idle_and_when_too_old() {
    let env = tests::TestEnv::new().await;
    env.apply_samples().await;
    let sink = SmtpSink::start().await;
    let mut settings = env.mail_settings(&sink);
    settings.sessions.idle = std::time::Duration::from_secs(1);
    let idle_app = TestApp::start(settings.clone()).await;
    let mut b = registered(&idle_app, &sink, S, "idle@example.ru").await;
    assert_eq!(b.get("/cabinet").await.status, 200);
    // Nobody uses it: the record expires, and the cookie then finds nothing.
    let id = b.cookies["nav_session"].clone();
    tests::wait_until(
        "an idle session ends",
        std::time::Duration::from_secs(10),
        || {
            let state = idle_app.state.clone();
            let id = id.clone();
            let tenant = state.registry.by_slug("smolensk").expect("smolensk").id;
            async move { !state.sessions.stored(tenant, &id).await }
        },
    )
    .await;
    assert_eq!(b.get("/cabinet").await.status, 303);

    settings.sessions.idle = std::time::Duration::from_secs(3600);
    settings.sessions.lifetime = std::time::Duration::from_secs(1);
    let old_app = TestApp::start(settings).await;
    let mut c = Browser::new(&old_app, S);
    c.login("idle@example.ru", PASSWORD).await;
    // However active, the session ends at its absolute timeout.
    tests::wait_until(
        "an old session ends",
        std::time::Duration::from_secs(10),
        || {
            let mut probe = Browser::new(&old_app, S);
            probe.cookies = c.cookies.clone();
            async move { probe.get("/cabinet").await.status == 303 }
        },
    )
    .await;
}

#[tokio::test]
async fn a_child_of_fourteen_registers_alone() {
    let (_env, app, _sink) = TestApp::spawn_with_mail().await;
    let today = chrono::Utc::now().date_naive();
    let thirteen = today - chrono::Duration::days(13 * 365 + 100);
    let fifteen = today - chrono::Duration::days(15 * 365 + 10);
    let mut b = Browser::new(&app, S);
    let mut fields = registration("teen@example.ru", "smolensk");
    fields.push(("is_child", "true"));
    let young = thirteen.to_string();
    let mut too_young = fields.clone();
    too_young.push(("birth_date", &young));
    let page = b.submit("/register", "/register", &too_young).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("с 14 лет"));
    let old = fifteen.to_string();
    fields.push(("birth_date", &old));
    let page = b.submit("/register", "/register", &fields).await;
    assert_eq!(page.status, 200, "{}", page.body);
}

#[tokio::test]
async fn password_recovery_ends_every_session() {
    let (_env, app, sink) = TestApp::spawn_with_mail().await;
    let mut phone = registered(&app, &sink, S, "reset@example.ru").await;
    let mut laptop = Browser::new(&app, S);
    laptop.login("reset@example.ru", PASSWORD).await;

    let mut b = Browser::new(&app, S);
    let page = b
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", "reset@example.ru")],
        )
        .await;
    assert!(page.body.contains("Проверьте почту"));
    // An unknown address gets the same answer and no mail.
    let unknown = b
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", "nobody@example.ru")],
        )
        .await;
    assert_eq!(unknown.status, page.status);
    let mail = sink.wait_for("reset@example.ru", 2).await;
    assert_eq!(mail.subject, "Восстановление пароля");
    assert!(!mail.text.contains(PASSWORD));
    let link = path_of(&mail.link("/password/reset").expect("reset link"));
    let form = b.get(&link).await;
    assert_eq!(form.status, 200);
    let code = link.split("code=").nth(1).unwrap().to_owned();
    let weak = b
        .post(
            "/password/reset",
            &[
                ("csrf", &form.csrf()),
                ("code", &code),
                ("password", "12345678"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    let done = b
        .post(
            "/password/reset",
            &[
                ("csrf", &form.csrf()),
                ("code", &code),
                ("password", "Новый-пароль-2026"),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Пароль изменён"));
    // Both sessions ended; the link is spent; the old password fails, the new one works.
    assert_eq!(phone.get("/cabinet").await.status, 303);
    assert_eq!(laptop.get("/cabinet").await.status, 303);
    assert_eq!(b.get(&link).await.status, 400);
    let wrong = b
        .submit(
            "/login",
            "/login",
            &[("email", "reset@example.ru"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong
        .body
        .contains("Неверный адрес электронной почты или пароль"));
    b.login("reset@example.ru", "Новый-пароль-2026").await;
}

#[tokio::test]
async fn children_are_added_edited_and_private() {
    let (_env, app, sink) = TestApp::spawn_with_mail().await;
    let mut mama = registered(&app, &sink, S, "kids@example.ru").await;
    let page = mama.get("/cabinet").await;
    assert!(page.body.contains("+ Добавить ребёнка"));
    let bad = mama
        .submit(
            "/cabinet/children/new",
            "/cabinet/children/new",
            &[
                ("last_name", "Иванов"),
                ("first_name", ""),
                ("birth_date", "2015-13-01"),
                ("snils", "112-233-445 96"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    for message in [
        "укажите имя",
        "ДД.ММ.ГГГГ",
        "укажите пол",
        "контрольное число",
    ] {
        assert!(bad.body.contains(message), "missing «{message}»");
    }
    let ok = mama
        .submit(
            "/cabinet/children/new",
            "/cabinet/children/new",
            &[
                ("last_name", "Иванов"),
                ("first_name", "Пётр"),
                ("birth_date", "2015-03-01"),
                ("sex", "male"),
                ("snils", "11223344595"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let cabinet = mama.get("/cabinet").await;
    assert!(cabinet.body.contains("Иванов Пётр"));
    assert!(cabinet.body.contains("112-233-445 95"));
    let id = cabinet
        .body
        .split("/cabinet/children/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let edit = mama
        .submit(
            &format!("/cabinet/children/{id}"),
            &format!("/cabinet/children/{id}"),
            &[
                ("last_name", "Иванов"),
                ("first_name", "Павел"),
                ("birth_date", "01.03.2015"),
                ("sex", "male"),
            ],
        )
        .await;
    assert_eq!(edit.status, 303);
    assert!(mama.get("/cabinet").await.body.contains("Иванов Павел"));

    // Another parent sees neither the page nor the list entry, and cannot edit.
    let mut other = registered(&app, &sink, S, "other@example.ru").await;
    assert_eq!(
        other.get(&format!("/cabinet/children/{id}")).await.status,
        404
    );
    assert!(!other.get("/cabinet").await.body.contains("Павел"));
    let page = other.get("/cabinet/children/new").await;
    let post = other
        .post(
            &format!("/cabinet/children/{id}"),
            &[
                ("csrf", &page.csrf()),
                ("last_name", "Взлом"),
                ("first_name", "Взлом"),
                ("birth_date", "2015-03-01"),
                ("sex", "male"),
            ],
        )
        .await;
    assert_eq!(post.status, 404);
    let (status, list, _) = other
        .api(Method::GET, "/api/v1/me/children", None, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(list, json!([]));
    assert!(mama.get("/cabinet").await.body.contains("Иванов Павел"));
}

#[tokio::test]
async fn profile_changes_phone_email_and_password() {
    let (_env, app, sink) = TestApp::spawn_with_mail().await;
    let mut b = registered(&app, &sink, S, "old@example.ru").await;
    let page = b
        .submit(
            "/cabinet/profile",
            "/cabinet/profile/phone",
            &[("phone", "+7 999 111-22-33")],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("+7 (999) 111-22-33"));
    let bad = b
        .submit(
            "/cabinet/profile",
            "/cabinet/profile/phone",
            &[("phone", "123")],
        )
        .await;
    assert_eq!(bad.status, 422);
    let wrong = b
        .submit(
            "/cabinet/profile",
            "/cabinet/profile/email",
            &[
                ("new_email", "new@example.ru"),
                ("email_password", "nope-nope-nope"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    let page = b
        .submit(
            "/cabinet/profile",
            "/cabinet/profile/email",
            &[
                ("new_email", "new@example.ru"),
                ("email_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    let mail = sink.wait_for("new@example.ru", 1).await;
    // Until the link is followed the old address stays.
    assert!(b
        .get("/cabinet/profile")
        .await
        .body
        .contains("old@example.ru"));
    b.get(&path_of(&mail.link("/verify/email").unwrap())).await;
    let profile = b.get("/cabinet/profile").await;
    assert!(profile.body.contains("new@example.ru"));
    let page = b
        .submit(
            "/cabinet/profile",
            "/cabinet/profile/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "Другой-пароль-77"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    // This browser stays logged in with a fresh session.
    assert_eq!(b.get("/cabinet/profile").await.status, 200);
    let mut fresh = Browser::new(&app, S);
    fresh.login("new@example.ru", "Другой-пароль-77").await;
}

#[tokio::test]
async fn a_session_is_bound_to_its_region_and_forms_need_csrf() {
    let (_env, app, sink) = TestApp::spawn_with_mail().await;
    let mut b = registered(&app, &sink, S, "bound@example.ru").await;
    assert_eq!(b.get("/cabinet").await.status, 200);
    let session = b.cookies.get("nav_session").cloned().unwrap();
    assert!(session.len() == 64);
    // The cookie replayed on the other region's host and on the apex is no session.
    let mut k = b.on_host(K);
    assert_eq!(k.get("/cabinet").await.status, 303);
    let (status, _, _) = k.api(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(status, 401);
    let mut apex = b.on_host(APEX);
    assert!(!apex.get("/").await.body.contains("Выход"));

    // CSRF: missing and wrong tokens are refused and change nothing.
    let no_token = b
        .post("/cabinet/profile/phone", &[("phone", "+79990000000")])
        .await;
    assert_eq!(no_token.status, 403);
    let wrong = b
        .post(
            "/cabinet/profile/phone",
            &[("csrf", &"0".repeat(64)), ("phone", "+79990000000")],
        )
        .await;
    assert_eq!(wrong.status, 403);
    assert!(!b.get("/cabinet/profile").await.body.contains("000-00-00"));
    let mut anon = Browser::new(&app, S);
    let page = anon
        .post(
            "/login",
            &[("email", "bound@example.ru"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, 403, "login without a token");
    // Cookie attributes.
    let mut c = Browser::new(&app, S);
    let form = c.get("/login").await;
    let login = c
        .post(
            "/login",
            &[
                ("csrf", &form.csrf()),
                ("email", "bound@example.ru"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let cookie = login
        .set_cookies
        .iter()
        .find(|c| c.starts_with("nav_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert_ne!(c.cookies["nav_session"], session, "a new id on every login");
}

#[tokio::test]
async fn rate_limits_say_when_to_try_again() {
    let (_env, app, sink) = TestApp::spawn_with_mail().await;
    let mut b = registered(&app, &sink, S, "limit@example.ru").await;
    let _ = b;
    // Resending the confirmation: three per 15 minutes per account.
    let mut fresh = Browser::new(&app, S);
    fresh
        .submit(
            "/register",
            "/register",
            &registration("slow@example.ru", "smolensk"),
        )
        .await;
    fresh.login("slow@example.ru", PASSWORD).await;
    for _ in 0..3 {
        let page = fresh.submit("/cabinet", "/verify/resend", &[]).await;
        assert_eq!(page.status, 200, "{}", page.body);
    }
    let page = fresh.submit("/cabinet", "/verify/resend", &[]).await;
    assert_eq!(page.status, 429);
    assert!(page.body.contains("Слишком много попыток"));
    assert!(page.retry_after.unwrap().parse::<u64>().unwrap() > 0);
    // Login: ten attempts per address per 15 minutes (one was the login above), then 429
    // even with the right password.
    b = Browser::new(&app, S);
    for _ in 0..9 {
        let page = b
            .submit(
                "/login",
                "/login",
                &[
                    ("email", "limit@example.ru"),
                    ("password", "wrong-password"),
                ],
            )
            .await;
        assert_eq!(page.status, 422);
    }
    let page = b
        .submit(
            "/login",
            "/login",
            &[("email", "limit@example.ru"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, 429);
    let (status, body, page) = b
        .api(
            Method::POST,
            "/api/v1/auth/login",
            Some(json!({"email": "limit@example.ru", "password": PASSWORD})),
            None,
        )
        .await;
    assert_eq!(status, 429, "{body}");
    assert!(page.retry_after.is_some());
    // Other regions count separately.
    let mut k = Browser::new(&app, K);
    let page = k
        .submit(
            "/login",
            "/login",
            &[
                ("email", "limit@example.ru"),
                ("password", "wrong-password"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
}

#[tokio::test]
async fn the_api_registers_confirms_logs_in_and_manages_children() {
    let (_env, app, sink) = TestApp::spawn_with_mail().await;
    let mut b = Browser::new(&app, S);
    let body = json!({
        "municipality": "smolensk", "last_name": "Петров", "first_name": "Иван",
        "phone": "+79121234567", "email": "api@example.ru", "password": "x", "consent": false
    });
    let (status, err, _) = b
        .api(Method::POST, "/api/v1/auth/register", Some(body), None)
        .await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["field"], "password");
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("consent"));
    let body = json!({
        "municipality": "smolensk", "last_name": "Петров", "first_name": "Иван",
        "phone": "+79121234567", "email": "api@example.ru", "password": PASSWORD, "consent": true
    });
    let (status, _, _) = b
        .api(Method::POST, "/api/v1/auth/register", Some(body), None)
        .await;
    assert_eq!(status, 200);
    let mail = sink.wait_for("api@example.ru", 1).await;
    let code = mail
        .link("/verify/email")
        .unwrap()
        .split("code=")
        .nth(1)
        .unwrap()
        .to_owned();
    let (status, _, _) = b
        .api(
            Method::POST,
            "/api/v1/auth/confirm",
            Some(json!({"code": code})),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, me, _) = b
        .api(
            Method::POST,
            "/api/v1/auth/login",
            Some(json!({"email": "api@example.ru", "password": PASSWORD})),
            None,
        )
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["email_confirmed"], true);
    let csrf = me["csrf_token"].as_str().unwrap().to_owned();
    let child = json!({"last_name": "Петрова", "first_name": "Анна", "birth_date": "2016-09-01", "sex": "female"});
    let (status, body, _) = b
        .api(
            Method::POST,
            "/api/v1/me/children",
            Some(child.clone()),
            None,
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "csrf");
    let (status, created, _) = b
        .api(
            Method::POST,
            "/api/v1/me/children",
            Some(child),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let (status, list, _) = b.api(Method::GET, "/api/v1/me/children", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["first_name"], "Анна");
    let (status, _, _) = b
        .api(Method::POST, "/api/v1/auth/logout", None, Some(&csrf))
        .await;
    assert_eq!(status, 200);
    let (status, _, _) = b.api(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn staff_accounts_get_a_link_and_see_only_their_cabinet() {
    let env = tests::TestEnv::new().await;
    env.apply_samples().await;
    let sink = SmtpSink::start().await;
    let app = TestApp::start(env.mail_settings(&sink)).await;
    tests::catalog::seed(&app.state).await;
    let smtp = ["--smtp-url", &sink.url(), "--base-domain", APEX];
    let add = |args: Vec<&'static str>| {
        let mut all: Vec<String> = vec!["user".into(), "add".into()];
        all.extend(args.iter().map(|s| s.to_string()));
        all.extend(smtp.iter().map(|s| s.to_string()));
        all
    };
    // Refusals name the flag and change nothing.
    for (args, message) in [
        (
            vec![
                "--region",
                "smolensk",
                "--email",
                "p@example.ru",
                "--role",
                "provider",
                "--organization",
                "999",
            ],
            "организации 999",
        ),
        (
            vec![
                "--region",
                "smolensk",
                "--email",
                "p@example.ru",
                "--role",
                "parent",
            ],
            "родители регистрируются сами",
        ),
        (
            vec![
                "--region",
                "smolensk",
                "--email",
                "m@example.ru",
                "--role",
                "municipal",
            ],
            "--municipality",
        ),
        (
            vec![
                "--region",
                "smolensk",
                "--email",
                "o@example.ru",
                "--role",
                "operator",
            ],
            "не указывайте --region",
        ),
        (
            vec![
                "--region",
                "nowhere",
                "--email",
                "o@example.ru",
                "--role",
                "regional",
            ],
            "региона «nowhere» нет",
        ),
    ] {
        let argv = add(args);
        let refs: Vec<&str> = argv.iter().map(String::as_str).collect();
        let err = env.cli(&refs).await.unwrap_err().to_string();
        assert!(err.contains(message), "{err}");
    }
    for args in [
        vec![
            "--region",
            "smolensk",
            "--email",
            "staff@raduga.ru",
            "--role",
            "provider",
            "--organization",
            "1",
        ],
        vec![
            "--region",
            "smolensk",
            "--email",
            "mun@smolensk.ru",
            "--role",
            "municipal",
            "--municipality",
            "smolensk",
        ],
        vec![
            "--region",
            "smolensk",
            "--email",
            "admin@p67.ru",
            "--role",
            "regional",
        ],
        vec!["--email", "ops@navigator.ru", "--role", "operator"],
    ] {
        let argv = add(args);
        let refs: Vec<&str> = argv.iter().map(String::as_str).collect();
        let out = env.cli(&refs).await.expect("user add");
        assert!(
            out.contains("Ссылка для установки пароля отправлена"),
            "{out}"
        );
    }
    let set_password = |email: &'static str, host: &'static str| {
        let sink = &sink;
        let app = &app;
        async move {
            let mail = sink.wait_for(email, 1).await;
            assert_eq!(mail.subject, "Вам открыт доступ: задайте пароль");
            let link = path_of(&mail.link("/password/reset").unwrap());
            let mut b = Browser::new(app, host);
            let form = b.get(&link).await;
            let code = link.split("code=").nth(1).unwrap().to_owned();
            let page = b
                .post(
                    "/password/reset",
                    &[
                        ("csrf", &form.csrf()),
                        ("code", &code),
                        ("password", "Служебный-пароль-1"),
                    ],
                )
                .await;
            assert_eq!(page.status, 200, "{}", page.body);
            b.login(email, "Служебный-пароль-1").await;
            b
        }
    };
    let mut provider = set_password("staff@raduga.ru", S).await;
    let page = provider.get("/provider").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Радуга"), "own organization");
    assert_eq!(provider.get("/admin").await.status, 403);
    assert_eq!(provider.get("/cabinet").await.status, 403);
    let mut municipal = set_password("mun@smolensk.ru", S).await;
    assert_eq!(municipal.get("/municipal").await.status, 200);
    assert_eq!(municipal.get("/provider").await.status, 403);
    let mut admin = set_password("admin@p67.ru", S).await;
    let page = admin.get("/admin").await;
    assert_eq!(page.status, 200);
    for action in ["role_grant", "password_reset", "login"] {
        assert!(page.body.contains(action), "audit has {action}");
    }
    // The regional admin of Smolensk is nobody in Krasnoyarsk.
    assert_eq!(admin.on_host(K).get("/admin").await.status, 303);
    let mut operator = set_password("ops@navigator.ru", APEX).await;
    let page = operator.get("/operator").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Смоленская область") && page.body.contains("Красноярский край"));
    assert_eq!(operator.on_host(S).get("/admin").await.status, 303);
    // On the platform's own host an `Authorization` header is no credential: the operator's
    // session still counts (tokens are issued in a region, and only there are they read).
    let me = operator
        .request(Method::GET, "/api/v1/me")
        .header("Authorization", "Bearer not-a-token-of-any-region")
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    // A parent sees no staff cabinet.
    let mut parent = registered(&app, &sink, S, "parent@example.ru").await;
    for path in ["/provider", "/municipal", "/admin"] {
        assert_eq!(parent.get(path).await.status, 403, "{path}");
    }
    assert_eq!(parent.on_host(APEX).get("/operator").await.status, 303);
}

#[tokio::test]
async fn the_error_summary_lists_the_fields_in_the_forms_order() {
    let (_env, app) = TestApp::spawn().await;
    let mut b = Browser::new(&app, S);
    let page = b.submit("/register", "/register", &[]).await;
    assert_eq!(page.status, 422, "{}", page.body);
    let summary = page
        .body
        .split("error-summary")
        .nth(1)
        .expect("a summary")
        .split("</ul>")
        .next()
        .unwrap();
    let at = |field: &str| {
        summary
            .find(&format!("href=\"#f-{field}\""))
            .unwrap_or_else(|| panic!("{field} in {summary}"))
    };
    // Alphabetically email < last_name < municipality < password; the form asks the other way.
    assert!(at("municipality") < at("last_name"), "{summary}");
    assert!(at("last_name") < at("email"), "{summary}");
    assert!(at("email") < at("password"), "{summary}");
}
