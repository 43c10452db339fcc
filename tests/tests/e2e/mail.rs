//! The outbox: mail written with the change survives an SMTP outage and goes out when
//! SMTP returns; two server processes never send one mail twice; without SMTP, mail is
//! written as .eml files. Every mail carries the headers receivers judge it by.

use std::time::Duration;

use chrono::{DateTime, Utc};
use platform::db::Db;
use sqlx::Row as _;
use tests::browser::{path_of, Browser};
use tests::smtp::SmtpSink;
use tests::{wait_until, TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
const PASSWORD: &str = "Почта-не-ходит-1";

fn registration(email: &str) -> Vec<(&str, &str)> {
    vec![
        ("municipality", "smolensk"),
        ("last_name", "Сидорова"),
        ("first_name", "Анна"),
        ("phone", "+7 912 000-00-01"),
        ("email", email),
        ("password", PASSWORD),
        ("consent", "true"),
    ]
}

#[tokio::test]
async fn registration_succeeds_while_smtp_is_down_and_mail_goes_out_later() {
    let (_env, app, sink) = TestApp::spawn_with_mail().await;
    sink.stop();
    let mut b = Browser::new(&app, S);
    let page = b
        .submit("/register", "/register", &registration("down@example.ru"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Проверьте почту"));
    // The worker tried and failed at least once.
    let db = app.state.db.clone();
    wait_until(
        "a failed attempt is recorded",
        Duration::from_secs(10),
        || {
            let db = db.clone();
            async move {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM outbox WHERE attempts > 0 AND sent_at IS NULL",
                )
                .fetch_one(db.pool())
                .await
                .unwrap()
                    > 0
            }
        },
    )
    .await;
    assert!(sink.to("down@example.ru").is_empty());
    sink.resume().await;
    let mail = sink.wait_for("down@example.ru", 1).await;
    assert!(mail.link("/verify/email").is_some());
}

#[tokio::test]
async fn two_servers_never_send_one_mail_twice() {
    let env = TestEnv::new().await;
    env.apply_samples().await;
    let sink = SmtpSink::start().await;
    // Both servers count registrations from this one address together (with Redis).
    let mut settings = env.mail_settings(&sink);
    settings.rate_limits.register_ip = platform::accounts::limits::Limit::per(100, 60);
    let a = TestApp::start(settings.clone()).await;
    let b = TestApp::start(settings).await;
    let mut addresses = Vec::new();
    for i in 0..12 {
        let app = if i % 2 == 0 { &a } else { &b };
        let email = format!("twice{i}@example.ru");
        let mut browser = Browser::new(app, S);
        let page = browser
            .submit("/register", "/register", &registration(&email))
            .await;
        assert_eq!(page.status, 200);
        addresses.push(email);
    }
    for email in &addresses {
        sink.wait_for(email, 1).await;
    }
    let db = a.state.db.clone();
    wait_until("every outbox row is sent", Duration::from_secs(10), || {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
                .fetch_one(db.pool())
                .await
                .unwrap()
                == 0
        }
    })
    .await;
    assert_eq!(sink.all().len(), addresses.len(), "exactly one mail each");
}

#[tokio::test]
async fn without_smtp_mail_is_written_to_files() {
    let (env, app) = TestApp::spawn().await;
    let mut b = Browser::new(&app, S);
    let page = b
        .submit("/register", "/register", &registration("files@example.ru"))
        .await;
    assert_eq!(page.status, 200);
    let dir = env.data_dir.path().join("mail");
    wait_until("an .eml file is written", Duration::from_secs(10), || {
        let dir = dir.clone();
        async move {
            std::fs::read_dir(&dir)
                .map(|entries| {
                    entries
                        .flatten()
                        .any(|e| e.path().extension().is_some_and(|x| x == "eml"))
                })
                .unwrap_or(false)
        }
    })
    .await;
}

// ---- Helpers -----------------------------------------------------------------------------

/// The outbox row of the one mail to a recipient.
#[derive(Debug)]
struct Outboxed {
    id: i64,
    created_at: DateTime<Utc>,
    sent_at: Option<String>,
}

fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("stored time")
        .with_timezone(&Utc)
}

async fn outboxed(db: &Db, recipient: &str) -> Option<Outboxed> {
    let row = sqlx::query("SELECT id, created_at, sent_at FROM outbox WHERE recipient = $1")
        .bind(recipient)
        .fetch_optional(db.pool())
        .await
        .expect("outbox")?;
    Some(Outboxed {
        id: row.get("id"),
        created_at: time(&row.get::<String, _>("created_at")),
        sent_at: row.get("sent_at"),
    })
}

/// Waits until the row of the mail to `recipient` is as `ok` says, and returns it.
async fn wait_row(
    db: &Db,
    recipient: &str,
    what: &str,
    ok: impl Fn(&Outboxed) -> bool,
) -> Outboxed {
    let ok = &ok;
    wait_until(what, Duration::from_secs(15), || {
        let db = db.clone();
        let recipient = recipient.to_owned();
        async move { outboxed(&db, &recipient).await.is_some_and(|r| ok(&r)) }
    })
    .await;
    outboxed(db, recipient).await.expect("row")
}

/// `p67.xn--…`: the ASCII form the sender's address and the message ids carry.
fn region_ascii() -> String {
    tenants::Host::parse(S).unwrap().as_ascii().to_owned()
}

// ---- Headers -----------------------------------------------------------------------------

#[tokio::test]
async fn every_mail_carries_a_row_id_date_and_auto_submitted_and_only_notices_unsubscribe() {
    let (_env, app, sink) = TestApp::spawn_with_mail().await;
    tests::catalog::seed(&app.state).await;
    let email = "headers@example.ru";
    let mut b = Browser::new(&app, S);
    b.submit("/register", "/register", &registration(email))
        .await;
    let confirm = sink.wait_for(email, 1).await;
    let row = wait_row(&app.state.db, email, "the mail is sent", |r| {
        r.sent_at.is_some()
    })
    .await;
    let id = confirm.header("Message-ID").expect("Message-ID");
    assert!(
        id.starts_with(&format!("<outbox-{}.", row.id))
            && id.ends_with(&format!("@{}>", region_ascii())),
        "{id}"
    );
    let date = DateTime::parse_from_rfc2822(&confirm.header("Date").expect("Date")).unwrap();
    assert_eq!(
        date.timestamp(),
        row.created_at.timestamp(),
        "Date is the row's"
    );
    assert_eq!(
        confirm.header("Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    assert_eq!(
        confirm.header("List-Unsubscribe"),
        None,
        "a confirmation link is security mail"
    );

    // A notice: the organization hears that a parent cancelled an application.
    b.get(&path_of(&confirm.link("/verify/email").unwrap()))
        .await;
    b.login(email, PASSWORD).await;
    let page = b
        .submit(
            "/cabinet/children/new",
            "/cabinet/children/new",
            &[
                ("last_name", "Сидоров"),
                ("first_name", "Миша"),
                (
                    "birth_date",
                    &(Utc::now().date_naive() - chrono::Days::new(9 * 366)).to_string(),
                ),
                ("sex", "male"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let child = b
        .get("/cabinet")
        .await
        .body
        .split("/cabinet/children/")
        .filter_map(|s| s.split('"').next())
        .find_map(|id| id.parse::<i64>().ok())
        .expect("child id")
        .to_string();
    let page = b.submit("/apply/1", "/apply/1", &[("child", &child)]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let application = page
        .location
        .as_deref()
        .and_then(|l| l.split("filed=").nth(1))
        .expect("filed")
        .to_owned();
    let page = b
        .submit(
            "/cabinet/applications",
            &format!("/cabinet/applications/{application}/cancel"),
            &[],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let org: String = sqlx::query_scalar(
        "SELECT email FROM organizations WHERE id = 1 AND tenant_id = \
         (SELECT id FROM tenants WHERE slug = 'smolensk')",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    let notice = sink.wait_for(&org, 1).await;
    assert_eq!(
        notice.header("List-Unsubscribe"),
        Some(format!(
            "<mailto:support@{}?subject=%D0%9E%D1%82%D0%BF%D0%B8%D1%81%D0%B0%D1%82%D1%8C%D1%81%D1%8F%20%D0%BE%D1%82%20%D1%83%D0%B2%D0%B5%D0%B4%D0%BE%D0%BC%D0%BB%D0%B5%D0%BD%D0%B8%D0%B9>",
            region_ascii()
        ))
    );
    assert_eq!(
        notice.header("Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    assert_ne!(notice.header("Message-ID"), confirm.header("Message-ID"));
}
