//! The enrollment rush (a benchmark; not run by default, asserts invariants, not times):
//!
//! ```sh
//! TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//! TEST_REDIS_URL=redis://127.0.0.1:6379/ RUSH_PARENTS=3000 \
//!   cargo test -p tests --test e2e bench_rush -- --ignored --nocapture
//! ```
//!
//! Thousands of parents (already registered and logged in) apply at once, 64 at a time,
//! to three popular groups with a few hundred seats in total — one of them paid by
//! certificate — while the organization confirms through its API token. Afterwards:
//! no group over capacity, no child twice in one group, no certificate below zero,
//! every decision mailed exactly once, no 5xx. Prints the throughput and latency of
//! «Записаться».

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use platform::accounts::secrets::Hasher;
use platform::accounts::store::{self, NewUser};
use platform::accounts::values::{Password, Role};
use platform::certificates::store::{self as certificates, Movement};
use platform::children::store::ChildData;
use serde_json::json;
use tests::smtp::SmtpSink;
use tests::{wait_until, TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
/// Fixture groups that take a 9-year-old: chess (free), vocal (paid), ecology (certificate).
const GROUPS: [i64; 3] = [1, 3, 6];
const SEATS: i64 = 100;
const CONCURRENCY: usize = 64;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run explicitly"]
async fn bench_rush() {
    let parents: usize = std::env::var("RUSH_PARENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let env = TestEnv::new().await;
    env.apply_samples().await;
    let sink = SmtpSink::start().await;
    let app = Arc::new(TestApp::start(env.mail_settings(&sink)).await);
    tests::catalog::seed(&app.state).await;
    let state = app.state.clone();
    let tenant = state.registry.by_slug("smolensk").unwrap();
    sqlx::query("UPDATE study_groups SET capacity = $1, seats_taken = 0 WHERE tenant_id = $2")
        .bind(SEATS)
        .bind(tenant.id)
        .execute(state.db.pool())
        .await
        .unwrap();

    // Parents, children, confirmed and funded certificates, sessions: set up directly.
    let started = Instant::now();
    let hash = Hasher::new(1)
        .hash(&Password::parse("Родитель-пароль-1").unwrap())
        .await
        .unwrap();
    let born =
        (chrono::Utc::now().date_naive() - chrono::Duration::days(9 * 365 + 100)).to_string();
    let year = platform::certificates::service::current_period(tenant.today(&state.clock));
    let mut sessions = Vec::with_capacity(parents);
    for i in 0..parents {
        let now = chrono::Utc::now();
        let email = format!("rush{i}@example.ru");
        let mut tx = state.db.begin().await.unwrap();
        let user = NewUser {
            email: &email,
            password_hash: Some(&hash),
            role: Role::Parent,
            organization_id: None,
            municipality_id: Some("smolensk"),
            last_name: "Родителева",
            first_name: "Анна",
            middle_name: None,
            phone: Some("+79160000000"),
            birth_date: None,
        };
        let uid = store::insert_user(&mut tx, tenant.id, &user, now)
            .await
            .unwrap()
            .unwrap();
        store::confirm_email(&mut tx, tenant.id, uid, &email, now)
            .await
            .unwrap();
        let child = ChildData {
            last_name: "Ребёнков",
            first_name: "Ваня",
            middle_name: None,
            birth_date: born.clone(),
            sex: "male",
            snils: None,
            ovz: false,
        };
        let cid = platform::children::store::insert_child(&mut tx, tenant.id, uid, &child, now)
            .await
            .unwrap();
        let cert = certificates::issue(&mut tx, tenant.id, 67, cid, uid, "smolensk", now)
            .await
            .unwrap()
            .unwrap();
        certificates::set_confirmed(&mut tx, tenant.id, cert, uid, now)
            .await
            .unwrap();
        certificates::record(
            &mut tx,
            tenant.id,
            cert,
            year,
            Movement::Credit,
            600_000,
            "номинал",
            None,
            now,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let u = store::user_by_id(&state.db, tenant.id, uid)
            .await
            .unwrap()
            .unwrap();
        let sid = state.sessions.start(tenant.id, &u).await.unwrap();
        let viewer = state.sessions.load(tenant.id, &sid).await.unwrap().unwrap();
        sessions.push((sid, viewer.csrf, cid));
    }
    tests::staff_account(
        &app,
        "smolensk",
        "staff@raduga.ru",
        Role::Provider,
        Some(1),
        "Служебный-пароль-1",
    )
    .await;
    tests::staff_account(
        &app,
        "smolensk",
        "staff@olimp.ru",
        Role::Provider,
        Some(3),
        "Служебный-пароль-1",
    )
    .await;
    let mut tokens = Vec::new();
    for email in ["staff@raduga.ru", "staff@olimp.ru"] {
        let out = env
            .cli(&["token", "add", "--region", "smolensk", "--email", email])
            .await
            .unwrap();
        tokens.push(out.lines().nth(1).unwrap().trim().to_owned());
    }
    println!("setup: {parents} parents in {:?}", started.elapsed());

    // Staff confirm while parents apply.
    let done = Arc::new(AtomicUsize::new(0));
    let five_xx = Arc::new(AtomicUsize::new(0));
    let mut staff_tasks = Vec::new();
    for token in tokens {
        let (app, done, five_xx) = (app.clone(), done.clone(), five_xx.clone());
        staff_tasks.push(tokio::spawn(async move {
            let mut confirmed = 0usize;
            loop {
                let finished = done.load(Ordering::SeqCst) == 1;
                let resp = app
                    .client()
                    .get(format!(
                        "http://{}/api/v1/provider/applications?status=new",
                        app.addr
                    ))
                    .header("Host", S)
                    .header("Authorization", format!("Bearer {token}"))
                    .send()
                    .await
                    .unwrap();
                if resp.status().is_server_error() {
                    five_xx.fetch_add(1, Ordering::SeqCst);
                }
                let list: serde_json::Value = resp.json().await.unwrap_or_default();
                let ids: Vec<i64> = list["applications"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|x| x["id"].as_i64()).take(50).collect())
                    .unwrap_or_default();
                if ids.is_empty() {
                    if finished {
                        return confirmed;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
                let resp = app
                    .client()
                    .post(format!(
                        "http://{}/api/v1/provider/applications/decisions",
                        app.addr
                    ))
                    .header("Host", S)
                    .header("Authorization", format!("Bearer {token}"))
                    .json(&json!({"ids": ids, "action": "confirm"}))
                    .send()
                    .await
                    .unwrap();
                if resp.status().is_server_error() {
                    five_xx.fetch_add(1, Ordering::SeqCst);
                }
                let results: serde_json::Value = resp.json().await.unwrap_or_default();
                let ok = results
                    .as_array()
                    .map_or(0, |r| r.iter().filter(|x| x["ok"] == true).count());
                confirmed += ok;
                // Full groups: the rest are rejected so the list moves on.
                let refused: Vec<i64> = results
                    .as_array()
                    .map(|r| {
                        r.iter()
                            .filter(|x| x["ok"] == false)
                            .filter_map(|x| x["id"].as_i64())
                            .collect()
                    })
                    .unwrap_or_default();
                if !refused.is_empty() {
                    app.client()
                        .post(format!(
                            "http://{}/api/v1/provider/applications/decisions",
                            app.addr
                        ))
                        .header("Host", S)
                        .header("Authorization", format!("Bearer {token}"))
                        .json(&json!({"ids": refused, "action": "reject", "comment": "Мест нет"}))
                        .send()
                        .await
                        .unwrap();
                }
            }
        }));
    }

    // Parents apply, 64 at a time; each also tries a second time (the duplicate is refused).
    let queue = Arc::new(std::sync::Mutex::new(
        sessions.into_iter().enumerate().collect::<Vec<_>>(),
    ));
    let latencies = Arc::new(std::sync::Mutex::new(Vec::new()));
    let t0 = Instant::now();
    let mut clients = Vec::new();
    for _ in 0..CONCURRENCY {
        let (app, queue, latencies, five_xx) = (
            app.clone(),
            queue.clone(),
            latencies.clone(),
            five_xx.clone(),
        );
        clients.push(tokio::spawn(async move {
            loop {
                let Some((i, (sid, csrf, child))) = queue.lock().unwrap().pop() else {
                    return;
                };
                let group = GROUPS[i % GROUPS.len()];
                for _ in 0..2 {
                    let start = Instant::now();
                    let resp = app
                        .client()
                        .post(format!("http://{}/api/v1/me/applications", app.addr))
                        .header("Host", S)
                        .header("Cookie", format!("nav_session={sid}"))
                        .header("X-CSRF-Token", &csrf)
                        .json(&json!({"group_id": group, "child_id": child}))
                        .send()
                        .await
                        .unwrap();
                    let status = resp.status();
                    let _ = resp.bytes().await;
                    latencies.lock().unwrap().push(start.elapsed());
                    if status.is_server_error() {
                        five_xx.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        }));
    }
    for c in clients {
        c.await.unwrap();
    }
    let elapsed = t0.elapsed();
    done.store(1, Ordering::SeqCst);
    let mut confirmed = 0;
    for t in staff_tasks {
        confirmed += t.await.unwrap();
    }
    let mut l = latencies.lock().unwrap().clone();
    l.sort();
    let pct = |p: f64| l[((l.len() as f64 * p) as usize).min(l.len() - 1)];
    println!(
        "«Записаться»: {} requests in {elapsed:?} → {:.0}/s; p50 {:?}, p99 {:?}, max {:?}; confirmed {confirmed}",
        l.len(),
        l.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        l.last().unwrap()
    );

    // Invariants.
    assert_eq!(five_xx.load(Ordering::SeqCst), 0, "no 5xx");
    let db = state.db.pool();
    for g in GROUPS {
        let (taken, capacity): (i64, i64) = sqlx::query_as(
            "SELECT seats_taken, capacity FROM study_groups WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.id)
        .bind(g)
        .fetch_one(db)
        .await
        .unwrap();
        let holding: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM applications WHERE tenant_id = $1 AND group_id = $2 \
             AND status IN ('confirmed', 'enrolled')",
        )
        .bind(tenant.id)
        .bind(g)
        .fetch_one(db)
        .await
        .unwrap();
        assert!(
            holding <= capacity && taken == holding,
            "group {g}: {holding} holding, {taken} taken of {capacity}"
        );
    }
    let twice: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT child_id, group_id FROM applications WHERE tenant_id = $1 \
         AND status IN ('new', 'confirmed', 'enrolled', 'waitlisted') GROUP BY child_id, group_id \
         HAVING COUNT(*) > 1) d",
    )
    .bind(tenant.id)
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(twice, 0, "no child twice in one group");
    let negative: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM certificate_balances WHERE credited - committed - spent < 0",
    )
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(negative, 0, "no certificate below zero");
    let decisions: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM applications WHERE tenant_id = $1 AND status IN ('confirmed', 'rejected')",
    )
    .bind(tenant.id)
    .fetch_one(db)
    .await
    .unwrap();
    wait_until(
        "every decision is mailed",
        Duration::from_secs(120),
        || async { sink.all().len() as i64 >= decisions },
    )
    .await;
    let mut recipients: Vec<(String, String)> = sink
        .all()
        .into_iter()
        .map(|m| (m.to.join(","), m.subject))
        .collect();
    let total = recipients.len();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), total, "no mail twice");
    assert_eq!(total as i64, decisions, "one mail per decision");
    println!(
        "decisions {decisions}, mails {total}, total time {:?}",
        started.elapsed()
    );
}
