//! A family as the suites need one: a registered, confirmed, logged-in parent with a child,
//! and that child enrolled in a group by the organization — through the pages, as a family
//! and an organization do it.

use chrono::Datelike;
use platform::demo::accounts::DEMO_PASSWORD;

use crate::browser::{path_of, Browser};
use crate::smtp::SmtpSink;
use crate::TestApp;

pub const PASSWORD: &str = "Смоленск-лето-2026";

pub fn years_ago(years: i32) -> String {
    let today = chrono::Utc::now().date_naive();
    today
        .with_year(today.year() - years)
        .unwrap_or(today)
        .to_string()
}

/// A confirmed, logged-in parent «Ирина Кузнецова» on `host` with a child of 9; returns
/// the child's id.
pub async fn parent<'a>(
    app: &'a TestApp,
    sink: &SmtpSink,
    host: &str,
    municipality: &str,
    email: &str,
) -> (Browser<'a>, String) {
    let mut b = Browser::new(app, host);
    let registered = b
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
    assert!(
        registered.body.contains("Проверьте почту"),
        "{}",
        registered.body
    );
    let mail = sink.wait_for(email, 1).await;
    b.get(&path_of(&mail.link("/verify/email").unwrap())).await;
    b.login(email, PASSWORD).await;
    let page = b
        .submit(
            "/cabinet/children/new",
            "/cabinet/children/new",
            &[
                ("last_name", "Кузнецов"),
                ("first_name", "Миша"),
                ("birth_date", &years_ago(9)),
                ("sex", "male"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let cabinet = b.get("/cabinet").await;
    let child = cabinet
        .body
        .split("/cabinet/children/")
        .filter_map(|s| s.split('"').next())
        .filter_map(|id| id.parse::<i64>().ok())
        .max()
        .unwrap()
        .to_string();
    (b, child)
}

pub async fn staff<'a>(app: &'a TestApp, host: &str, email: &str) -> Browser<'a> {
    let mut b = Browser::new(app, host);
    b.login(email, DEMO_PASSWORD).await;
    b
}

/// The parent applies to `group`; the organization's `provider` confirms and enrolls (each
/// decision's page says it was taken). Returns the application's number.
pub async fn enrolled(
    parent: &mut Browser<'_>,
    provider: &mut Browser<'_>,
    group: i64,
    child: &str,
) -> String {
    let page = parent
        .submit(
            &format!("/apply/{group}"),
            &format!("/apply/{group}"),
            &[("child", child)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let id = page
        .location
        .as_deref()
        .unwrap()
        .split("filed=")
        .nth(1)
        .unwrap()
        .to_owned();
    for action in ["confirm", "enroll"] {
        let page = provider
            .submit(
                &format!("/provider/applications/{id}"),
                &format!("/provider/applications/{id}/{action}"),
                &[("comment", "")],
            )
            .await;
        assert_eq!(page.status, 303, "{action}: {}", page.body);
        let card = provider.get(page.location.as_deref().unwrap()).await;
        assert!(
            card.body.contains("Родитель получит письмо"),
            "{}",
            card.body
        );
    }
    id
}
