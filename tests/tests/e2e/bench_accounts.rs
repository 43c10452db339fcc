//! Benchmarks of accounts (not run by default; they assert nothing about time):
//!
//! ```sh
//! cargo test -p tests --test e2e bench_accounts -- --ignored --nocapture
//! ```
//!
//! - registration → SMTP: the time from sending the registration form to the SMTP sink
//!   accepting the confirmation mail, p50/p99 over 300 registrations sent 8 at a time;
//! - logins per second with 8 concurrent clients, against the cost of one argon2id hash.

use std::sync::Arc;
use std::time::{Duration, Instant};

use platform::accounts::limits::Limit;
use platform::accounts::secrets::Hasher;
use platform::accounts::values::Password;
use tests::browser::Browser;
use tests::smtp::SmtpSink;
use tests::{TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
const REGISTRATIONS: usize = 300;
const CONCURRENCY: usize = 8;
const LOGINS: usize = 200;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run explicitly"]
async fn bench_accounts() {
    let env = TestEnv::new().await;
    env.apply_samples().await;
    let sink = Arc::new(SmtpSink::start().await);
    let mut settings = env.mail_settings(&sink);
    let generous = Limit::per(1_000_000, 60);
    settings.rate_limits.register_ip = generous;
    settings.rate_limits.login_ip = generous;
    settings.rate_limits.login_account = generous;
    // Every client of the benchmark is one address.
    settings.limits.expensive_per_client = 0;
    let app = Arc::new(TestApp::start(settings).await);

    let mut latencies = Vec::new();
    let started = Instant::now();
    for chunk in (0..REGISTRATIONS).collect::<Vec<_>>().chunks(CONCURRENCY) {
        let mut tasks = Vec::new();
        for &i in chunk {
            let (app, sink) = (app.clone(), sink.clone());
            tasks.push(tokio::spawn(async move {
                let email = format!("bench{i}@example.ru");
                let mut b = Browser::new(&app, S);
                let form = b.get("/register").await;
                let csrf = form.csrf();
                let t0 = Instant::now();
                let page = b
                    .post(
                        "/register",
                        &[
                            ("csrf", csrf.as_str()),
                            ("municipality", "smolensk"),
                            ("last_name", "Тестова"),
                            ("first_name", "Анна"),
                            ("phone", "+79120000000"),
                            ("email", &email),
                            ("password", "Бенчмарк-пароль-1"),
                            ("consent", "true"),
                        ],
                    )
                    .await;
                assert_eq!(page.status, 200);
                sink.wait_for(&email, 1).await;
                t0.elapsed()
            }));
        }
        for t in tasks {
            latencies.push(t.await.unwrap());
        }
    }
    let total = started.elapsed();
    latencies.sort();
    println!(
        "registration → SMTP accepted: n={} p50={:?} p99={:?} max={:?} ({:.1} registrations/s)",
        latencies.len(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies.last().unwrap(),
        latencies.len() as f64 / total.as_secs_f64()
    );

    // One hash, the ceiling of logins per second per core.
    let hasher = Hasher::new(1);
    let pw = Password::parse("Бенчмарк-пароль-1").unwrap();
    let hash = hasher.hash(&pw).await.unwrap();
    let t0 = Instant::now();
    for _ in 0..10 {
        assert!(hasher
            .verify("Бенчмарк-пароль-1", Some(&hash))
            .await
            .unwrap());
    }
    let per_hash = t0.elapsed() / 10;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "argon2id (m=19456 KiB, t=2, p=1): {per_hash:?} per verification → ceiling {:.1} logins/s on {cores} cores",
        cores as f64 / per_hash.as_secs_f64()
    );

    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CONCURRENCY {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let mut b = Browser::new(&app, S);
            let form = b.get("/login").await;
            let csrf = form.csrf();
            for _ in 0..LOGINS / CONCURRENCY {
                let page = b
                    .post(
                        "/login",
                        &[
                            ("csrf", csrf.as_str()),
                            ("email", &format!("bench{c}@example.ru")),
                            ("password", "Бенчмарк-пароль-1"),
                        ],
                    )
                    .await;
                assert_eq!(page.status, 303);
                // Stay anonymous: the CSRF token of the form stays valid.
                b.cookies.remove("nav_session");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = t0.elapsed();
    println!(
        "logins: {} in {:?} → {:.1} logins/s with {CONCURRENCY} clients",
        LOGINS / CONCURRENCY * CONCURRENCY,
        elapsed,
        (LOGINS / CONCURRENCY * CONCURRENCY) as f64 / elapsed.as_secs_f64()
    );
}
