//! Certificates over HTTP: issuing a number, the in-person confirmation by an authorized
//! organization (and nobody else), the application for the nominal, the municipal
//! settings, the ledger under concurrency, the report, and region isolation.

use chrono::Datelike;
use platform::certificates::number::CertificateNumber;
use platform::certificates::store::{self, Movement};
use platform::demo::accounts::DEMO_PASSWORD;
use reqwest::Method;
use serde_json::json;
use tests::browser::{path_of, Browser};
use tests::smtp::SmtpSink;
use tests::TestApp;

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";
const PASSWORD: &str = "Смоленск-лето-2026";

/// A server with the fixture catalog and the demo staff (provider of org 1 «Радуга»,
/// authorized; municipal admin of «город Смоленск»).
async fn spawn() -> (tests::TestEnv, TestApp, SmtpSink) {
    let (env, app, sink) = TestApp::spawn_with_mail().await;
    tests::catalog::seed(&app.state).await;
    tests::demo_accounts(&app.state).await;
    (env, app, sink)
}

fn staff(role: &str, region: &str) -> String {
    format!("{role}@{region}.demo.navigator.local")
}

fn years_ago(years: i32) -> String {
    let today = chrono::Utc::now().date_naive();
    today
        .with_year(today.year() - years)
        .unwrap_or(today - chrono::Duration::days(365 * years as i64))
        .to_string()
}

/// A registered, confirmed, logged-in parent of Smolensk (or Krasnoyarsk) with one child
/// of `age`; returns the browser and the child's id.
async fn parent_with_child<'a>(
    app: &'a TestApp,
    sink: &SmtpSink,
    host: &str,
    email: &str,
    age: i32,
) -> (Browser<'a>, String) {
    let municipality = if host == S { "smolensk" } else { "krasnoyarsk" };
    let mut b = Browser::new(app, host);
    let page = b
        .submit(
            "/register",
            "/register",
            &[
                ("municipality", municipality),
                ("last_name", "Смирнова"),
                ("first_name", "Ольга"),
                ("phone", "+79161112233"),
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
    let born = years_ago(age);
    let saved = b
        .submit(
            "/cabinet/children/new",
            "/cabinet/children/new",
            &[
                ("last_name", "Смирнов"),
                ("first_name", "Илья"),
                ("birth_date", &born),
                ("sex", "male"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let cabinet = b.get("/cabinet").await;
    let id = cabinet
        .body
        .rsplit("/cabinet/children/")
        .find_map(|s| s.split('"').next().filter(|id| id.parse::<i64>().is_ok()))
        .unwrap()
        .to_owned();
    (b, id)
}

/// «Получить сертификат»; returns the number shown.
async fn get_certificate(b: &mut Browser<'_>, child: &str) -> String {
    let page = b
        .submit(
            "/cabinet",
            &format!("/cabinet/children/{child}/certificate"),
            &[],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let number = page.body.split("№ ").nth(1).unwrap()[..10].to_owned();
    CertificateNumber::parse(&number).expect("a valid number with its check digit");
    number
}

async fn logged_in<'a>(app: &'a TestApp, host: &str, email: &str) -> Browser<'a> {
    let mut b = Browser::new(app, host);
    b.login(email, DEMO_PASSWORD).await;
    b
}

/// The provider opens the certificate found by number; returns its id.
async fn find(provider: &mut Browser<'_>, number: &str) -> String {
    let page = provider
        .get(&format!("/provider/certificates?number={number}"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.body
        .split("/provider/certificates/")
        .nth(1)
        .expect("found")
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_certificate_is_issued_confirmed_in_person_and_funded() {
    let (env, app, sink) = spawn().await;
    let (mut mama, child) = parent_with_child(&app, &sink, S, "mama@example.ru", 10).await;
    let cabinet = mama.get("/cabinet").await;
    assert!(cabinet.body.contains("Получить сертификат"));

    // Too young: the reason instead of the button.
    let born = years_ago(3);
    mama.submit(
        "/cabinet/children/new",
        "/cabinet/children/new",
        &[
            ("last_name", "Смирнова"),
            ("first_name", "Ася"),
            ("birth_date", &born),
            ("sex", "female"),
        ],
    )
    .await;
    let cabinet = mama.get("/cabinet").await;
    assert!(cabinet
        .body
        .contains("Сертификат выдаётся детям от 5 до 18 лет"));

    let number = get_certificate(&mut mama, &child).await;
    assert!(number.starts_with("67"), "{number}");
    // One certificate per child: asking again shows the same number.
    assert_eq!(get_certificate(&mut mama, &child).await, number);
    let cabinet = mama.get("/cabinet").await;
    assert!(cabinet.body.contains("Активировать сертификат"));
    assert!(cabinet.body.contains("подтвердить данные"));
    let activate = mama.get("/certificate/activate").await;
    assert_eq!(activate.status, 200);
    assert!(activate.body.contains("свидетельство о рождении") && activate.body.contains("СНИЛС"));
    assert!(
        activate.body.contains("Радуга"),
        "the authorized organization"
    );
    assert!(!activate.body.contains("Олимп"), "not authorized");
    assert!(
        !activate.body.contains("Кванториум"),
        "another municipality"
    );

    // Staff of an organization that is not authorized cannot; neither can a parent.
    let mut municipal = logged_in(&app, S, &staff("municipal", "smolensk")).await;
    let page = municipal.get("/municipal").await;
    assert!(page.body.contains("Радуга"));
    let revoke = municipal
        .post(
            "/municipal/organizations/1",
            &[("csrf", &page.csrf()), ("can_confirm", "0")],
        )
        .await;
    assert_eq!(revoke.status, 303);
    let mut provider = logged_in(&app, S, &staff("provider", "smolensk")).await;
    let refused = provider
        .get(&format!("/provider/certificates?number={number}"))
        .await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("не уполномочена муниципалитетом"));
    assert_eq!(
        mama.get(&format!("/provider/certificates?number={number}"))
            .await
            .status,
        403
    );
    let page = municipal.get("/municipal").await;
    municipal
        .post(
            "/municipal/organizations/1",
            &[("csrf", &page.csrf()), ("can_confirm", "1")],
        )
        .await;

    // A typo in the number is caught by the check digit: neighbours swapped where they
    // differ (a number has such a pair: its sequence digits and the check digit vary).
    let mut typo = number.clone().into_bytes();
    let at = (0..typo.len() - 1)
        .rfind(|&i| typo[i] != typo[i + 1])
        .expect("a certificate number has two different neighbouring digits");
    typo.swap(at, at + 1);
    let page = provider
        .get(&format!(
            "/provider/certificates?number={}",
            String::from_utf8(typo).unwrap()
        ))
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("опечатка"));
    // Found by number, and by name and birth date; every view is audited.
    let id = find(&mut provider, &number).await;
    let by_name = provider
        .get(&format!(
            "/provider/certificates?last_name=смирнов&first_name=Илья&birth_date={}",
            years_ago(10)
        ))
        .await;
    assert!(by_name.body.contains(&number));
    let card = provider.get(&format!("/provider/certificates/{id}")).await;
    assert!(card.body.contains("Смирнов Илья") && card.body.contains("Смирнова Ольга"));
    let views: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'child_data_view'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert!(views >= 3, "{views}");

    // A refusal needs a reason; the parent gets it by mail and in the cabinet.
    let empty = provider
        .submit(
            &format!("/provider/certificates/{id}"),
            &format!("/provider/certificates/{id}/reject"),
            &[("reason", " ")],
        )
        .await;
    assert_eq!(empty.status, 422);
    let rejected = provider
        .submit(
            &format!("/provider/certificates/{id}"),
            &format!("/provider/certificates/{id}/reject"),
            &[("reason", "Дата рождения не совпадает со свидетельством")],
        )
        .await;
    assert_eq!(rejected.status, 303);
    let mail = sink.wait_for("mama@example.ru", 2).await;
    assert_eq!(mail.subject, "Данные ребёнка не подтверждены");
    assert!(mail.text.contains("Дата рождения не совпадает"));
    assert!(mama
        .get("/cabinet")
        .await
        .body
        .contains("Дата рождения не совпадает"));

    // Confirmed: the link is gone and the financing line stands under the number.
    let confirmed = provider
        .submit(
            &format!("/provider/certificates/{id}"),
            &format!("/provider/certificates/{id}/confirm"),
            &[],
        )
        .await;
    assert_eq!(confirmed.status, 303);
    let mail = sink.wait_for("mama@example.ru", 3).await;
    assert_eq!(mail.subject, "Данные ребёнка подтверждены");
    assert!(mail.text.contains(&number) && mail.text.contains("Радуга"));
    let cabinet = mama.get("/cabinet").await;
    assert!(!cabinet.body.contains("подтвердить данные"));
    assert!(cabinet
        .body
        .contains("В настоящее время финансирование сертификата не осуществляется"));
    // Confirmed data stays as confirmed.
    let edit = mama
        .submit(
            &format!("/cabinet/children/{child}"),
            &format!("/cabinet/children/{child}"),
            &[
                ("last_name", "Другой"),
                ("first_name", "Илья"),
                ("birth_date", &years_ago(10)),
                ("sex", "male"),
            ],
        )
        .await;
    assert_eq!(edit.status, 422);
    assert!(edit.body.contains("подтверждены организацией"));

    // «Заявление на начисление номинала»: the municipality's nominal, at once.
    let funded = mama
        .submit(
            "/cabinet",
            &format!("/cabinet/children/{child}/funding"),
            &[],
        )
        .await;
    assert_eq!(funded.status, 200, "{}", funded.body);
    assert!(
        funded.body.contains("зачислено 6\u{a0}000\u{a0}₽"),
        "{}",
        funded.body
    );
    assert!(funded
        .body
        .contains("Сертификат персонифицированного финансирования"));
    assert!(funded.body.contains("Доступный остаток"));
    assert!(funded.body.contains("Зачисление"));
    assert!(!funded
        .body
        .contains("финансирование сертификата не осуществляется"));
    let again = mama
        .submit(
            "/cabinet",
            &format!("/cabinet/children/{child}/funding"),
            &[],
        )
        .await;
    assert_eq!(again.status, 409);
    assert!(again.body.contains("уже начислен"));

    // The report.
    let year = chrono::Utc::now().year().to_string();
    let report = env
        .cli(&[
            "certificates",
            "report",
            "--region",
            "smolensk",
            "--period",
            &year,
        ])
        .await
        .unwrap();
    let line = report
        .lines()
        .find(|l| l.starts_with("город Смоленск"))
        .unwrap();
    let numbers: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(&numbers[2..5], &["1", "1", "1"], "{line}");
    assert!(line.contains("6\u{a0}000"), "{line}");
    assert!(env
        .cli(&[
            "certificates",
            "report",
            "--region",
            "nowhere",
            "--period",
            &year
        ])
        .await
        .is_err());
}

#[tokio::test]
async fn other_regions_and_unconfirmed_accounts_cannot() {
    let (_env, app, sink) = spawn().await;
    let (mut mama, child) = parent_with_child(&app, &sink, S, "iso@example.ru", 9).await;
    let number = get_certificate(&mut mama, &child).await;
    // Krasnoyarsk's authorized provider finds nothing of Smolensk, by number or id.
    let mut k = logged_in(&app, K, &staff("provider", "krasnoyarsk")).await;
    let page = k
        .get(&format!("/provider/certificates?number={number}"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Найдено: 0"), "{}", page.body);
    let (status, found, _) = k
        .api(
            Method::GET,
            &format!("/api/v1/provider/certificates?number={number}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(found, json!([]));
    let mut s_provider = logged_in(&app, S, &staff("provider", "smolensk")).await;
    let id = find(&mut s_provider, &number).await;
    assert_eq!(
        k.get(&format!("/provider/certificates/{id}")).await.status,
        404
    );
    // The parent's cookie on the other region's host is nobody.
    assert_eq!(mama.on_host(K).get("/cabinet").await.status, 303);

    // Without a confirmed address there is no certificate.
    let mut fresh = Browser::new(&app, S);
    fresh
        .submit(
            "/register",
            "/register",
            &[
                ("municipality", "smolensk"),
                ("last_name", "Новикова"),
                ("first_name", "Вера"),
                ("phone", "+79160000001"),
                ("email", "unconfirmed@example.ru"),
                ("password", PASSWORD),
                ("consent", "true"),
            ],
        )
        .await;
    fresh.login("unconfirmed@example.ru", PASSWORD).await;
    fresh
        .submit(
            "/cabinet/children/new",
            "/cabinet/children/new",
            &[
                ("last_name", "Новиков"),
                ("first_name", "Лев"),
                ("birth_date", &years_ago(8)),
                ("sex", "male"),
            ],
        )
        .await;
    let cabinet = fresh.get("/cabinet").await;
    let cid = cabinet
        .body
        .rsplit("/cabinet/children/")
        .find_map(|s| s.split('"').next().filter(|id| id.parse::<i64>().is_ok()))
        .unwrap()
        .to_owned();
    let refused = fresh
        .submit(
            "/cabinet",
            &format!("/cabinet/children/{cid}/certificate"),
            &[],
        )
        .await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("Подтвердите адрес электронной почты"));
    // Someone else's child: not found.
    let other = mama
        .submit(
            "/cabinet",
            &format!("/cabinet/children/{cid}/certificate"),
            &[],
        )
        .await;
    assert_eq!(other.status, 404);
}

#[tokio::test]
async fn the_municipal_budget_is_never_exceeded() {
    let (_env, app, sink) = spawn().await;
    let mut municipal = logged_in(&app, S, &staff("municipal", "smolensk")).await;
    let year = chrono::Utc::now().year().to_string();
    let bad = municipal
        .submit(
            "/municipal",
            "/municipal/periods",
            &[
                ("period", "1990"),
                ("nominal_rub", "-5"),
                ("budget_rub", "много"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    for message in ["период — год", "укажите сумму"] {
        assert!(bad.body.contains(message), "{message}");
    }
    // Budget for exactly one nominal.
    let ok = municipal
        .submit(
            "/municipal",
            "/municipal/periods",
            &[
                ("period", &year),
                ("nominal_rub", "5000"),
                ("budget_rub", "5000"),
            ],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.contains("сохранены"));

    let mut provider = logged_in(&app, S, &staff("provider", "smolensk")).await;
    let mut parents = Vec::new();
    for i in 0..2 {
        let (mut b, child) =
            parent_with_child(&app, &sink, S, &format!("race{i}@example.ru"), 7 + i).await;
        let number = get_certificate(&mut b, &child).await;
        let id = find(&mut provider, &number).await;
        provider
            .submit(
                &format!("/provider/certificates/{id}"),
                &format!("/provider/certificates/{id}/confirm"),
                &[],
            )
            .await;
        let csrf = b.get("/cabinet").await.csrf();
        parents.push((b, child, csrf));
    }
    // Both apply at once: exactly one is granted.
    let (mut a, child_a, csrf_a) = parents.remove(0);
    let (mut b, child_b, csrf_b) = parents.remove(0);
    let path_a = format!("/cabinet/children/{child_a}/funding");
    let path_b = format!("/cabinet/children/{child_b}/funding");
    let form_a = [("csrf", csrf_a.as_str())];
    let form_b = [("csrf", csrf_b.as_str())];
    let (ra, rb) = tokio::join!(a.post(&path_a, &form_a), b.post(&path_b, &form_b));
    let mut statuses = [ra.status, rb.status];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", ra.body, rb.body);
    let refused = if ra.status == 409 { ra } else { rb };
    assert!(refused.body.contains("исчерпан"));
    // The budget cannot fall below what is granted.
    let lower = municipal
        .submit(
            "/municipal",
            "/municipal/periods",
            &[
                ("period", &year),
                ("nominal_rub", "5000"),
                ("budget_rub", "1000"),
            ],
        )
        .await;
    assert_eq!(lower.status, 422);
    assert!(lower.body.contains("не может быть меньше"));
}

#[tokio::test]
async fn debits_never_take_a_balance_below_zero() {
    let (_env, app, sink) = spawn().await;
    let (mut mama, child) = parent_with_child(&app, &sink, S, "ledger@example.ru", 11).await;
    get_certificate(&mut mama, &child).await;
    let tenant = app.state.registry.by_slug("smolensk").unwrap();
    let cert: i64 = sqlx::query_scalar("SELECT id FROM certificates WHERE tenant_id = $1")
        .bind(tenant.id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let mut tx = app.state.db.begin().await.unwrap();
    assert!(store::record(
        &mut tx,
        tenant.id,
        cert,
        2026,
        Movement::Credit,
        100_000,
        "тест",
        None,
        now
    )
    .await
    .unwrap());
    tx.commit().await.unwrap();
    // Ten concurrent debits of 300 ₽ against 1 000 ₽: three succeed, seven change nothing.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let db = app.state.db.clone();
        let tenant = tenant.id;
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            let ok = store::record(
                &mut tx,
                tenant,
                cert,
                2026,
                Movement::Debit,
                30_000,
                "занятия",
                None,
                now,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            ok
        }));
    }
    let mut succeeded = 0;
    for t in tasks {
        succeeded += usize::from(t.await.unwrap());
    }
    assert_eq!(succeeded, 3);
    let balance = store::balance(&app.state.db, tenant.id, cert, 2026)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (balance.credited, balance.spent, balance.available()),
        (100_000, 90_000, 10_000)
    );
    // The balance is what the ledger says.
    let ledger = store::ledger(&app.state.db, tenant.id, cert).await.unwrap();
    let spent: i64 = ledger
        .iter()
        .filter(|r| r.kind == "debit")
        .map(|r| r.amount)
        .sum();
    assert_eq!(spent, balance.spent);
    assert_eq!(ledger.len(), 4);
}

#[tokio::test]
async fn the_api_issues_confirms_and_funds() {
    let (_env, app, sink) = spawn().await;
    let (mut mama, child) = parent_with_child(&app, &sink, S, "api-cert@example.ru", 12).await;
    let (_, me, _) = mama.api(Method::GET, "/api/v1/me", None, None).await;
    let csrf = me["csrf_token"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/me/children/{child}/certificate");
    let (status, _, _) = mama.api(Method::POST, &path, None, None).await;
    assert_eq!(status, 403, "no CSRF header");
    let (status, cert, _) = mama.api(Method::POST, &path, None, Some(&csrf)).await;
    assert_eq!(status, 200, "{cert}");
    let number = cert["number"].as_str().unwrap().to_owned();
    assert_eq!(cert["confirmed"], false);
    let (status, body, _) = mama
        .api(Method::POST, &format!("{path}/funding"), None, Some(&csrf))
        .await;
    assert_eq!(status, 409, "{body}");

    let mut provider = Browser::new(&app, S);
    let (status, me, _) = provider
        .api(
            Method::POST,
            "/api/v1/auth/login",
            Some(json!({"email": staff("provider", "smolensk"), "password": DEMO_PASSWORD})),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let pcsrf = me["csrf_token"].as_str().unwrap().to_owned();
    let (status, found, _) = provider
        .api(
            Method::GET,
            &format!("/api/v1/provider/certificates?number={number}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200);
    let id = found[0]["id"].as_i64().unwrap();
    assert_eq!(found[0]["child"], "Смирнов Илья");
    let (status, _, _) = provider
        .api(
            Method::POST,
            &format!("/api/v1/provider/certificates/{id}/confirm"),
            None,
            Some(&pcsrf),
        )
        .await;
    assert_eq!(status, 200);
    // The same application twice at once: credited once.
    let mut twin = mama.on_host(S);
    let funding = format!("{path}/funding");
    let (first, second) = tokio::join!(
        mama.api(Method::POST, &funding, None, Some(&csrf)),
        twin.api(Method::POST, &funding, None, Some(&csrf))
    );
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", first.1, second.1);
    let cert = if first.0 == 200 { first.1 } else { second.1 };
    assert_eq!(cert["confirmed"], true);
    assert_eq!(cert["funding"]["nominal"], "6\u{a0}000\u{a0}₽");
    assert_eq!(cert["history"][0]["kind"], "Зачисление");
}
