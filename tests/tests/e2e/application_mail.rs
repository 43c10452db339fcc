//! The organization hears of new applications as each staff member chose in the profile: a
//! mail per application, one digest an hour, or none. Another organization's staff, another
//! region's and a parent hear nothing of them and cannot choose.

use platform::accounts::values::Role;
use platform::demo::accounts::DEMO_PASSWORD;
use tests::families::{parent, staff};
use tests::TestApp;

const S: &str = "p67.навигатор.дети";
/// Staff of organization 1 «Радуга» (chess, vocal), with the default choice.
const PROVIDER: &str = "provider@smolensk.demo.navigator.local";
const HOURLY: &str = "hourly@raduga.example.ru";
const SILENT: &str = "silent@raduga.example.ru";
/// Staff of organization 3 (ecology: a group paid by certificate only), the neighbour.
const NEIGHBOUR: &str = "staff@org3.example.ru";
/// Staff of Krasnoyarsk's organization 1: the same number in another region.
const KRASNOYARSK: &str = "staff@org1.krasnoyarsk.example.ru";
const CHESS_GROUP: i64 = 1;
const VOCAL_GROUP: i64 = 3;
const ECOLOGY_GROUP: i64 = 6;

async fn outbox_count(app: &TestApp, recipient: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = $1")
        .bind(recipient)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

/// Waits until the digest job has taken every item waiting.
async fn no_items_waiting(app: &TestApp, what: &str) {
    tests::wait_until(what, std::time::Duration::from_secs(10), || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM application_digest_items")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap()
            == 0
    })
    .await;
}

async fn apply(parent: &mut tests::browser::Browser<'_>, group: i64, child: &str) -> String {
    let path = format!("/apply/{group}");
    let page = parent.submit(&path, &path, &[("child", child)]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    page.location
        .unwrap()
        .split("filed=")
        .nth(1)
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn staff_hear_of_each_new_application_once_an_hour_or_not_at_all() {
    let (_env, app, sink) = TestApp::spawn_with_mail().await;
    tests::catalog::seed(&app.state).await;
    tests::demo_accounts(&app.state).await;
    for (region, email, org) in [
        ("smolensk", HOURLY, 1),
        ("smolensk", SILENT, 1),
        ("smolensk", NEIGHBOUR, 3),
        ("krasnoyarsk", KRASNOYARSK, 1),
    ] {
        tests::staff_account(
            &app,
            region,
            email,
            Role::Provider,
            Some(org),
            DEMO_PASSWORD,
        )
        .await;
    }

    // Each staff member chooses in the profile; the stored choice is shown.
    for (email, choice) in [(HOURLY, "hourly"), (SILENT, "off")] {
        let mut b = staff(&app, S, email).await;
        let profile = b.get("/cabinet/profile").await;
        assert!(profile.body.contains("Уведомления о новых заявках"));
        assert!(
            profile.body.contains("value=\"each\" checked"),
            "the default: {}",
            profile.body
        );
        let saved = b
            .submit(
                "/cabinet/profile",
                "/cabinet/profile/application_mail",
                &[("application_mail", choice)],
            )
            .await;
        assert_eq!(saved.status, 200, "{}", saved.body);
        assert!(saved.body.contains("сохранён"), "{}", saved.body);
        assert!(saved.body.contains(&format!("value=\"{choice}\" checked")));
        // A made-up choice is refused next to the field, and changes nothing.
        let odd = b
            .submit(
                "/cabinet/profile",
                "/cabinet/profile/application_mail",
                &[("application_mail", "weekly")],
            )
            .await;
        assert_eq!(odd.status, 422, "{}", odd.body);
        assert!(odd.body.contains("выберите, как сообщать о новых заявках"));
        let again = b.get("/cabinet/profile").await;
        assert!(again.body.contains(&format!("value=\"{choice}\" checked")));
    }

    let (mut mama, child) = parent(&app, &sink, S, "smolensk", "arrivals@example.ru").await;
    // A parent has no such choice and cannot post one.
    let profile = mama.get("/cabinet/profile").await;
    assert!(!profile.body.contains("Уведомления о новых заявках"));
    let refused = mama
        .submit(
            "/cabinet/profile",
            "/cabinet/profile/application_mail",
            &[("application_mail", "each")],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    // A mail per application to whoever chose it, at once.
    let chess = apply(&mut mama, CHESS_GROUP, &child).await;
    let mail = sink.wait_for(PROVIDER, 1).await;
    assert_eq!(
        mail.subject,
        format!("Новая заявка № {chess}: Шахматный клуб «Ладья»")
    );
    assert!(mail.text.contains("Кузнецов Миша"), "{}", mail.text);
    assert!(mail
        .link(&format!("/provider/applications/{chess}"))
        .is_some());
    let vocal = apply(&mut mama, VOCAL_GROUP, &child).await;
    let second = sink.wait_for(PROVIDER, 2).await;
    assert!(second.subject.contains(&format!("№ {vocal}")));
    assert_eq!(sink.to(PROVIDER).len(), 2);
    // A certificate-paid group's page says what a confirmation will reserve.
    let ecology = mama.get(&format!("/apply/{ECOLOGY_GROUP}")).await;
    assert!(
        ecology.body.contains("будет зарезервировано"),
        "{}",
        ecology.body
    );
    assert!(
        ecology.body.contains("будет зарезервировано 1"),
        "{}",
        ecology.body
    );
    assert!(ecology.body.contains(" мес. ("), "{}", ecology.body);

    // Nothing yet for the hourly one; nothing ever for the silent one, the neighbouring
    // organization or the other region's organization with the same number.
    assert_eq!(outbox_count(&app, HOURLY).await, 0);
    assert_eq!(outbox_count(&app, SILENT).await, 0);
    assert_eq!(outbox_count(&app, KRASNOYARSK).await, 0);
    assert_eq!(outbox_count(&app, NEIGHBOUR).await, 0);

    // An hour later one digest lists both.
    app.state
        .clock
        .set(app.state.clock.now() + chrono::Duration::minutes(61));
    let digest = sink.wait_for(HOURLY, 1).await;
    assert_eq!(digest.subject, "Новые заявки: 2");
    assert!(
        digest.text.contains("поступили 2 новые заявки"),
        "{}",
        digest.text
    );
    assert!(digest.text.contains(&format!("№ {chess}")));
    assert!(digest.text.contains(&format!("№ {vocal}")));
    assert!(digest
        .link(&format!("/provider/applications/{vocal}"))
        .is_some());
    // Sent once: the next rounds find nothing waiting.
    no_items_waiting(&app, "the digest's items taken").await;
    assert_eq!(outbox_count(&app, HOURLY).await, 1);

    // An item whose application went (a replaced catalog) is taken off, not kept forever at
    // the head of the due digests; it mails nothing.
    let (tenant, user): (i64, i64) =
        sqlx::query_as("SELECT tenant_id, id FROM users WHERE email_key = $1")
            .bind(HOURLY)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    sqlx::query(
        "INSERT INTO application_digest_items \
         (tenant_id, user_id, application_id, base_url, created_at) \
         VALUES ($1, $2, 999999, 'http://example.ru', '2026-01-01T00:00:00.000000Z')",
    )
    .bind(tenant)
    .bind(user)
    .execute(app.state.db.pool())
    .await
    .unwrap();
    no_items_waiting(&app, "the orphan item taken").await;
    assert_eq!(outbox_count(&app, HOURLY).await, 1);
    for nobody in [SILENT, NEIGHBOUR, KRASNOYARSK] {
        assert_eq!(outbox_count(&app, nobody).await, 0, "{nobody}");
    }
}
