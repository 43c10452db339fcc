//! The outbox: mail written with the change survives an SMTP outage and goes out when
//! SMTP returns; two server processes never send one mail twice; without SMTP, mail is
//! written as .eml files. Every mail carries the headers receivers judge it by and, with a
//! key configured, a DKIM signature that verifies. And the SMTP faults: a server that
//! never answers, one that answers 4xx (retried with back-off), one that answers 5xx
//! (given up on at once, with the reason), and a process killed in the middle of a send.

use std::time::Duration;

use chrono::{DateTime, Utc};
use platform::db::Db;
use platform::mail::dkim::DkimSettings;
use sqlx::Row as _;
use tests::browser::{path_of, Browser};
use tests::dkim::{self, PublicKey};
use tests::smtp::{Fault, Received, SmtpSink};
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
    attempts: i64,
    created_at: DateTime<Utc>,
    due_at: DateTime<Utc>,
    claimed_until: Option<String>,
    sent_at: Option<String>,
    failed_at: Option<String>,
    failure: Option<String>,
    last_error: Option<String>,
}

fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("stored time")
        .with_timezone(&Utc)
}

async fn outboxed(db: &Db, recipient: &str) -> Option<Outboxed> {
    let row = sqlx::query(
        "SELECT id, attempts, created_at, due_at, claimed_until, sent_at, failed_at, failure, \
         last_error FROM outbox WHERE recipient = $1",
    )
    .bind(recipient)
    .fetch_optional(db.pool())
    .await
    .expect("outbox")?;
    Some(Outboxed {
        id: row.get("id"),
        attempts: row.get("attempts"),
        created_at: time(&row.get::<String, _>("created_at")),
        due_at: time(&row.get::<String, _>("due_at")),
        claimed_until: row.get("claimed_until"),
        sent_at: row.get("sent_at"),
        failed_at: row.get("failed_at"),
        failure: row.get("failure"),
        last_error: row.get("last_error"),
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

async fn register(app: &TestApp, email: &str) {
    let page = Browser::new(app, S)
        .submit("/register", "/register", &registration(email))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
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

// ---- DKIM --------------------------------------------------------------------------------

/// A server signing with the key in `pem`; the confirmation mail it sends to `email`.
async fn signed_mail(pem: &str, email: &str) -> Received {
    let env = TestEnv::new().await;
    env.apply_samples().await;
    let sink = SmtpSink::start().await;
    let key_file = env.data_dir.path().join("dkim.pem");
    std::fs::write(&key_file, pem).unwrap();
    let mut settings = env.mail_settings(&sink);
    settings.dkim = Some(DkimSettings {
        selector: "nav2027".into(),
        domain: "навигатор.дети".into(),
        key_file,
    });
    let app = TestApp::start(settings).await;
    register(&app, email).await;
    sink.wait_for(email, 1).await
}

/// The message with one alphanumeric byte of its body changed.
fn tamper_body(raw: &[u8]) -> Vec<u8> {
    let body = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let mut out = raw.to_vec();
    let at = (body + (raw.len() - body) / 2..raw.len())
        .find(|&i| raw[i].is_ascii_alphanumeric())
        .unwrap();
    out[at] = if raw[at] == b'x' { b'y' } else { b'x' };
    out
}

/// The message with its `Subject` replaced.
fn forge_subject(raw: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(raw.to_vec()).unwrap();
    let subject = tests::smtp::header_fields(raw)
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("Subject"))
        .unwrap()
        .1;
    text.replacen(
        &subject,
        "Subject: =?utf-8?b?0J/QvtC00LTQtdC70LrQsA==?=\r\n",
        1,
    )
    .into_bytes()
}

/// What a relay may do without breaking a relaxed signature: spaces at line ends, a
/// header re-folded.
fn relay_rewrites(raw: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(raw.to_vec()).unwrap();
    let (headers, body) = text.split_once("\r\n\r\n").unwrap();
    let headers = headers.replacen(
        "Auto-Submitted: auto-generated",
        "Auto-Submitted:\r\n\t auto-generated",
        1,
    );
    let body = body.replacen("\r\n", " \t\r\n", 1);
    format!("{headers}\r\n\r\n{body}").into_bytes()
}

fn assert_signature_holds(mail: &Received, key: &PublicKey, other: &PublicKey) {
    let verified = dkim::verify(&mail.raw, key).expect("the signature verifies");
    assert_eq!(verified.domain, "xn--80aafey1amqq.xn--d1acj3b");
    assert_eq!(verified.selector, "nav2027");
    for header in [
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "auto-submitted",
        "list-unsubscribe",
    ] {
        assert!(
            verified.headers.iter().any(|h| h == header),
            "h= has {header}"
        );
    }
    dkim::verify(&relay_rewrites(&mail.raw), key).expect("relaxed survives a relay");
    let err = dkim::verify(&tamper_body(&mail.raw), key).unwrap_err();
    assert!(err.contains("body hash"), "{err}");
    let err = dkim::verify(&forge_subject(&mail.raw), key).unwrap_err();
    assert!(err.contains("does not verify"), "{err}");
    let err = dkim::verify(&mail.raw, other).unwrap_err();
    assert!(err.contains("does not verify"), "{err}");
}

#[tokio::test]
async fn mail_is_signed_with_an_rsa_key_and_the_signature_verifies() {
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    let mut rng = rsa::rand_core::OsRng;
    let key = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
    let other = rsa::RsaPrivateKey::new(&mut rng, 1024).unwrap();
    // What `openssl genpkey -algorithm RSA` writes (PKCS#8), as deploy/mail.md says.
    let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap();
    let mail = signed_mail(&pem, "rsa@example.ru").await;
    assert!(
        mail.header("DKIM-Signature")
            .unwrap()
            .contains("a=rsa-sha256"),
        "{:?}",
        mail.header("DKIM-Signature")
    );
    assert_signature_holds(
        &mail,
        &PublicKey::Rsa(key.to_public_key()),
        &PublicKey::Rsa(other.to_public_key()),
    );
}

#[tokio::test]
async fn mail_is_signed_with_an_ed25519_key_and_the_signature_verifies() {
    use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePrivateKey};
    let key = ed25519_dalek::SigningKey::from_bytes(&rand::random());
    let other = ed25519_dalek::SigningKey::from_bytes(&rand::random());
    let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap();
    let mail = signed_mail(&pem, "ed25519@example.ru").await;
    assert_signature_holds(
        &mail,
        &PublicKey::Ed25519(key.verifying_key()),
        &PublicKey::Ed25519(other.verifying_key()),
    );
}

#[tokio::test]
async fn a_bad_dkim_setting_stops_the_start_up_naming_the_setting() {
    let env = TestEnv::new().await;
    let key_file = env.data_dir.path().join("dkim.pem");
    let start = |key_file: std::path::PathBuf| {
        let mut settings = env.settings();
        settings.dkim = Some(DkimSettings {
            selector: "nav2027".into(),
            domain: "навигатор.дети".into(),
            key_file,
        });
        async move {
            match platform::web::AppState::connect(settings).await {
                Ok(_) => panic!("a server started with a bad DKIM key"),
                Err(e) => format!("{e:#}"),
            }
        }
    };
    std::fs::write(
        &key_file,
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    let err = start(key_file.clone()).await;
    assert!(
        err.contains("NAVIGATOR_DKIM_KEY_FILE") && err.contains("dkim.pem"),
        "{err}"
    );
    let err = start(env.data_dir.path().join("missing.pem")).await;
    assert!(
        err.contains("NAVIGATOR_DKIM_KEY_FILE") && err.contains("missing.pem"),
        "{err}"
    );
    // Half a configuration is refused too, naming what is missing.
    let err = env
        .cli(&["tenant", "list", "--dkim-selector", "nav2027"])
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("NAVIGATOR_DKIM_DOMAIN") && err.contains("NAVIGATOR_DKIM_KEY_FILE"),
        "{err}"
    );
}

// ---- SMTP faults -------------------------------------------------------------------------

#[tokio::test]
async fn a_server_that_never_answers_costs_one_send_timeout_and_the_mail_goes_later() {
    let env = TestEnv::new().await;
    env.apply_samples().await;
    let sink = SmtpSink::start().await;
    sink.fail(Fault::Hang);
    let mut settings = env.mail_settings(&sink);
    settings.smtp_timeout = Duration::from_millis(300);
    let app = TestApp::start(settings).await;
    let email = "silent@example.ru";
    register(&app, email).await;
    // The worker came back from the silent server twice: each send ended at the timeout and
    // was recorded, and the row was tried again.
    let row = wait_row(&app.state.db, email, "two timed-out attempts", |r| {
        r.attempts >= 2 && r.claimed_until.is_none()
    })
    .await;
    assert!(
        row.last_error
            .as_deref()
            .unwrap_or("")
            .contains("нет ответа"),
        "{row:?}"
    );
    assert!(sink.connections() >= 2);
    assert!(sink.to(email).is_empty());
    sink.heal();
    sink.wait_for(email, 1).await;
    let row = wait_row(&app.state.db, email, "the row is sent", |r| {
        r.sent_at.is_some()
    })
    .await;
    assert_eq!(row.failed_at, None);
    assert_eq!(sink.to(email).len(), 1, "sent once");
}

#[tokio::test]
async fn a_4xx_reply_is_retried_with_back_off_under_one_message_id() {
    let env = TestEnv::new().await;
    env.apply_samples().await;
    let sink = SmtpSink::start().await;
    let email = "full@example.ru";
    sink.fail(Fault::Rcpt {
        address: Some(email.into()),
        reply: "452 4.2.2 Mailbox full".into(),
    });
    let mut settings = env.mail_settings(&sink);
    // Long enough that nothing comes due by itself: the test moves the clock.
    let base = Duration::from_secs(10 * 60);
    settings.mail_retry_base = base;
    let app = TestApp::start(settings).await;
    let clock = app.state.clock.clone();
    let before = clock.now();
    register(&app, email).await;
    let first = wait_row(&app.state.db, email, "the first attempt failed", |r| {
        r.attempts == 1 && r.last_error.is_some() && r.claimed_until.is_none()
    })
    .await;
    assert!(
        first.last_error.as_deref().unwrap().contains("452"),
        "{first:?}"
    );
    let wait = first.due_at - before;
    assert!(
        wait >= chrono::Duration::from_std(base).unwrap()
            && wait < chrono::Duration::from_std(base).unwrap() + chrono::Duration::seconds(30),
        "first retry after the base: {wait}"
    );
    assert_eq!(first.failed_at, None);
    // Not due yet: nothing is claimed, however often the worker looks.
    assert_eq!(app.state.mail_worker().run_once().await.unwrap(), 0);
    assert_eq!(sink.rcpts(email), 1);

    // Second attempt: the recipient is accepted, the message refused for now.
    sink.heal();
    sink.fail(Fault::Data {
        address: Some(email.into()),
        reply: "451 4.3.0 Try again later".into(),
    });
    let retry = first.due_at + chrono::Duration::seconds(1);
    clock.set(retry);
    let second = wait_row(&app.state.db, email, "the second attempt failed", |r| {
        r.attempts == 2 && r.claimed_until.is_none()
    })
    .await;
    assert!(
        second.last_error.as_deref().unwrap().contains("451"),
        "{second:?}"
    );
    let wait = second.due_at - retry;
    assert!(
        wait >= chrono::Duration::from_std(base * 2).unwrap()
            && wait < chrono::Duration::from_std(base * 2).unwrap() + chrono::Duration::seconds(30),
        "the second wait doubles: {wait}"
    );

    // Third: delivered, once, with the Message-ID the refused copy had.
    sink.heal();
    clock.set(second.due_at + chrono::Duration::seconds(1));
    let mail = sink.wait_for(email, 1).await;
    let row = wait_row(&app.state.db, email, "the row is sent", |r| {
        r.sent_at.is_some()
    })
    .await;
    assert_eq!(row.attempts, 3);
    assert_eq!(sink.rcpts(email), 3);
    assert_eq!(sink.to(email).len(), 1);
    let refused = sink.refused();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].header("Message-ID"), mail.header("Message-ID"));
    assert!(mail.header("Message-ID").is_some());
}

#[tokio::test]
async fn a_5xx_reply_gives_up_on_that_address_at_once_with_the_reason() {
    let env = TestEnv::new().await;
    env.apply_samples().await;
    let sink = SmtpSink::start().await;
    let (gone, full, fine) = ("gone@example.ru", "full@example.ru", "fine@example.ru");
    // A relay refusing *us* is retried, not given up (it would refuse every mail alike).
    let relayless = "relayless@example.ru";
    sink.fail(Fault::Rcpt {
        address: Some(gone.into()),
        reply: "550 5.1.1 <gone@example.ru>: no such user".into(),
    });
    sink.fail(Fault::Data {
        address: Some(full.into()),
        reply: "552 5.2.2 Mailbox full".into(),
    });
    sink.fail(Fault::Rcpt {
        address: Some(relayless.into()),
        reply: "550 5.7.1 Relaying denied".into(),
    });
    let app = TestApp::start(env.mail_settings(&sink)).await;
    for email in [gone, full, relayless, fine] {
        register(&app, email).await;
    }
    sink.wait_for(fine, 1).await;
    // Recorded before the clock moves, or the jump would find its claim expired.
    wait_row(&app.state.db, fine, "the good mail is sent", |r| {
        r.sent_at.is_some()
    })
    .await;
    let deferred = wait_row(
        &app.state.db,
        relayless,
        "the relay's refusal is recorded",
        |r| r.attempts >= 1 && r.last_error.is_some(),
    )
    .await;
    assert_eq!(deferred.failed_at, None, "retried later: {deferred:?}");
    assert_eq!(deferred.failure, None, "{deferred:?}");
    for (email, code, why) in [(gone, "550", "no such user"), (full, "552", "Mailbox full")] {
        let row = wait_row(&app.state.db, email, "the row is given up on", |r| {
            r.failed_at.is_some()
        })
        .await;
        assert_eq!(row.failure.as_deref(), Some("rejected"), "{row:?}");
        let error = row.last_error.clone().unwrap_or_default();
        assert!(error.contains(code) && error.contains(why), "{row:?}");
        assert_eq!(row.attempts, 1, "{row:?}");
        assert_eq!(row.sent_at, None);
    }
    // No retry storm: a day later, with retries long due, only the relay's refusal is tried
    // again; the given-up rows are not claimed.
    app.state.clock.set(Utc::now() + chrono::Duration::days(1));
    let before = outboxed(&app.state.db, relayless).await.unwrap().attempts;
    app.state.mail_worker().run_once().await.unwrap();
    let after = outboxed(&app.state.db, relayless).await.unwrap();
    assert!(
        after.attempts > before && after.failed_at.is_none(),
        "{after:?}"
    );
    assert_eq!(sink.rcpts(gone), 1);
    assert_eq!(sink.rcpts(full), 1);
    for email in [gone, full] {
        assert_eq!(outboxed(&app.state.db, email).await.unwrap().attempts, 1);
    }
    assert_eq!(sink.to(fine).len(), 1);
}

#[tokio::test]
async fn a_send_cut_off_by_a_killed_process_is_sent_once_by_another_after_the_claim_expires() {
    let env = TestEnv::new().await;
    env.apply_samples().await;
    // The test's own look at the database: neither process's pool.
    let db = Db::connect(&env.database_url).await.unwrap();
    let silent = SmtpSink::start().await;
    silent.fail(Fault::Hang);
    let sink = SmtpSink::start().await;
    // Process A talks to a server that never answers, with a long send timeout: it is still
    // in the middle of the send when it is killed.
    let a_timeout = Duration::from_secs(300);
    let mut a_settings = env.mail_settings(&silent);
    a_settings.smtp_timeout = a_timeout;
    let mut a = TestApp::start_killable(a_settings).await;
    let email = "killed@example.ru";
    register(&a.app, email).await;
    wait_until("A is mid-send", Duration::from_secs(15), || async {
        silent.connections() >= 1
    })
    .await;
    let row = outboxed(&db, email).await.unwrap();
    assert_eq!(row.attempts, 1);
    assert!(row.claimed_until.is_some(), "A holds the claim: {row:?}");
    a.kill();

    // Process B, whose server behaves.
    let b = TestApp::start(env.mail_settings(&sink)).await;
    // While A's claim holds, B leaves the row alone.
    assert_eq!(b.state.mail_worker().run_once().await.unwrap(), 0);
    assert!(sink.all().is_empty());
    // Once it has expired, B sends it.
    let lease = platform::mail::worker::lease(a_timeout);
    b.state.clock.set(
        Utc::now() + chrono::Duration::from_std(lease).unwrap() + chrono::Duration::seconds(1),
    );
    sink.wait_for(email, 1).await;
    let row = wait_row(&db, email, "the row is sent", |r| r.sent_at.is_some()).await;
    assert_eq!(row.attempts, 2, "A's attempt and B's");
    assert_eq!(b.state.mail_worker().run_once().await.unwrap(), 0);
    assert_eq!(sink.all().len(), 1, "sent exactly once");
    assert_eq!(silent.connections(), 1, "A died; nobody went back to it");
}
