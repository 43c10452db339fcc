//! The outbox: mail written with the change survives an SMTP outage and goes out when
//! SMTP returns; two server processes never send one mail twice; without SMTP, mail is
//! written as .eml files.

use std::time::Duration;

use tests::browser::Browser;
use tests::smtp::SmtpSink;
use tests::{wait_until, TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";

fn registration(email: &str) -> Vec<(&str, &str)> {
    vec![
        ("municipality", "smolensk"),
        ("last_name", "Сидорова"),
        ("first_name", "Анна"),
        ("phone", "+7 912 000-00-01"),
        ("email", email),
        ("password", "Почта-не-ходит-1"),
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
