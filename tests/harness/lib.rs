//! The harness every end-to-end suite uses: a fresh database per test, the app spawned on
//! port 0 with both sample regions, and a client that addresses it by `Host`.
//!
//! - `TEST_DATABASE_URL=postgres://…/postgres` makes each test create its own PostgreSQL
//!   database (`navtest_*`); otherwise each test gets a temporary SQLite file.
//! - `TEST_REDIS_URL=redis://…` makes each test use Redis under a unique key prefix;
//!   otherwise the in-process cache.

pub mod browser;
pub mod catalog;
pub mod dkim;
pub mod families;
pub mod faults;
pub mod measure;
pub mod smtp;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use platform::app::Application;
use platform::web::AppState;
use platform::{Settings, State};
use rand::Rng;
use reqwest::header::{HeaderValue, HOST};
use sqlx::{AnyConnection, Connection, Executor};
use tenants::Host;

/// Where a test's data lives: its own database, and its own Redis key prefix. Two servers
/// of one deployment share one `TestEnv`.
pub struct TestEnv {
    pub database_url: String,
    pub redis_url: Option<String>,
    pub redis_prefix: String,
    pub data_dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl TestEnv {
    pub async fn new() -> Self {
        sqlx::any::install_default_drivers();
        let data_dir = tempfile::tempdir().expect("temp dir");
        let id = format!("{:012x}", rand::rng().random::<u64>() & 0xffff_ffff_ffff);
        let (database_url, postgres) = match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("navtest_{id}");
                let mut admin = AnyConnection::connect(&admin_url)
                    .await
                    .expect("TEST_DATABASE_URL must point at a reachable PostgreSQL");
                admin
                    .execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("create test database");
                (with_database(&admin_url, &name), Some((admin_url, name)))
            }
            _ => (
                format!(
                    "sqlite://{}",
                    data_dir.path().join("navigator.db").display()
                ),
                None,
            ),
        };
        let redis_url = std::env::var("TEST_REDIS_URL")
            .ok()
            .filter(|u| !u.is_empty());
        Self {
            database_url,
            redis_url,
            redis_prefix: format!("navtest:{id}:"),
            data_dir,
            postgres,
        }
    }

    pub fn settings(&self) -> Settings {
        let mut s = Settings::local(self.data_dir.path().to_path_buf());
        s.listen = "127.0.0.1:0".parse().expect("address");
        s.database_url = Some(self.database_url.clone());
        s.redis_url = self.redis_url.clone();
        s.redis_prefix = self.redis_prefix.clone();
        s.base_domain = Host::parse("навигатор.дети").expect("host");
        s.registry_poll = Duration::from_millis(200);
        s.study_end_poll = Duration::from_millis(200);
        s
    }

    /// `settings()` with mail going to `sink` and quick retries.
    pub fn mail_settings(&self, sink: &smtp::SmtpSink) -> Settings {
        let mut s = self.settings();
        s.smtp_url = Some(sink.url());
        s.mail_retry_base = Duration::from_millis(100);
        s.mail_poll = Duration::from_millis(100);
        s
    }

    /// Applies both sample regions (no catalog).
    pub async fn apply_samples(&self) {
        let dir = tenants::SAMPLE_REGIONS_DIR;
        self.cli(&[
            "tenant",
            "apply",
            &format!("{dir}/krasnoyarsk.toml"),
            &format!("{dir}/smolensk.toml"),
        ])
        .await
        .expect("sample regions apply");
    }

    /// Runs the `navigator` CLI in-process against this environment; returns its output.
    pub async fn cli(&self, args: &[&str]) -> anyhow::Result<String> {
        let mut argv: Vec<String> = vec!["navigator".into()];
        argv.extend(args.iter().map(|a| a.to_string()));
        argv.extend([
            "--database-url".into(),
            self.database_url.clone(),
            "--data-dir".into(),
            self.data_dir.path().display().to_string(),
            "--redis-prefix".into(),
            self.redis_prefix.clone(),
        ]);
        if let Some(url) = &self.redis_url {
            argv.extend(["--redis-url".into(), url.clone()]);
        }
        let mut out = Vec::new();
        platform::cli::run_args(argv, &mut out).await?;
        Ok(String::from_utf8(out).expect("CLI prints UTF-8"))
    }

    /// On PostgreSQL, routes this environment's servers to the database through a proxy the
    /// test can cut and restore (the database server going away and coming back); `None` on
    /// SQLite, whose file cannot be taken away (close the pool instead). Call before
    /// starting servers.
    pub async fn database_behind_proxy(&mut self) -> Option<faults::CutProxy> {
        self.postgres.as_ref()?;
        // postgres://user@host:port/db?…: the authority after the last '@' (or the scheme).
        let (scheme, rest) = self.database_url.split_once("://").expect("URL scheme");
        let (userinfo, rest) = match rest.split_once('@') {
            Some((u, r)) => (format!("{u}@"), r),
            None => (String::new(), rest),
        };
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let upstream = tokio::net::lookup_host(if authority.contains(':') {
            authority.to_owned()
        } else {
            format!("{authority}:5432")
        })
        .await
        .expect("database host resolves")
        .next()
        .expect("database address");
        let proxy = faults::CutProxy::start(upstream).await;
        self.database_url = format!("{scheme}://{userinfo}{}{path}", proxy.addr());
        Some(proxy)
    }

    /// Makes the database unreachable for servers of this environment: a PostgreSQL
    /// database is dropped with its connections; a SQLite pool is closed (a file cannot be
    /// taken away from connections that have it open).
    pub async fn lose_database(&self, app: &TestApp) {
        match &self.postgres {
            Some((admin_url, name)) => {
                let mut admin = AnyConnection::connect(admin_url).await.expect("admin");
                admin
                    .execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str())
                    .await
                    .expect("drop test database");
            }
            None => app.state.db.close().await,
        }
    }
}

/// `postgres://h/postgres?x` with the database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    format!("{prefix}/{name}{query}")
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: State,
    client: reqwest::Client,
}

impl TestApp {
    /// A server on a fresh environment with both sample regions (empty catalogs).
    pub async fn spawn() -> (TestEnv, TestApp) {
        let env = TestEnv::new().await;
        env.apply_samples().await;
        let app = TestApp::start(env.settings()).await;
        (env, app)
    }

    /// A server with the given settings (usually `env.settings()` adjusted).
    pub async fn start(settings: Settings) -> TestApp {
        let state = AppState::connect(settings).await.expect("app state");
        let app = Application::bind(state.clone()).await.expect("bind");
        let addr = app.local_addr();
        tokio::spawn(app.run());
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        TestApp {
            addr,
            state,
            client,
        }
    }

    /// A server with both sample regions whose mail goes to a fresh SMTP sink, retried
    /// quickly (tests wait for mail, they do not sleep).
    pub async fn spawn_with_mail() -> (TestEnv, TestApp, smtp::SmtpSink) {
        let env = TestEnv::new().await;
        env.apply_samples().await;
        let sink = smtp::SmtpSink::start().await;
        let app = TestApp::start(env.mail_settings(&sink)).await;
        (env, app, sink)
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// A server in a runtime of its own, as a separate process would be: `kill` drops
    /// every task of it where it stands (a send in flight included) without letting
    /// anything finish or be recorded, the way `kill -9` ends a process.
    pub async fn start_killable(settings: Settings) -> Killable {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let (state, addr) = runtime
            .spawn(async move {
                let state = AppState::connect(settings).await.expect("app state");
                let app = Application::bind(state.clone()).await.expect("bind");
                let addr = app.local_addr();
                tokio::spawn(app.run());
                (state, addr)
            })
            .await
            .expect("server start");
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Killable {
            app: TestApp {
                addr,
                state,
                client,
            },
            runtime: Some(runtime),
        }
    }

    /// A request to `path` with the `Host` header set to `host` exactly as given (Unicode
    /// is sent as raw UTF-8, the way some clients do).
    pub fn get(&self, host: &str, path: &str) -> reqwest::RequestBuilder {
        self.client
            .get(format!("http://{}{}", self.addr, path))
            .header(
                HOST,
                HeaderValue::from_bytes(host.as_bytes()).expect("host header"),
            )
    }

    /// GETs JSON; returns status and body.
    pub async fn json(&self, host: &str, path: &str) -> (u16, serde_json::Value) {
        let resp = self.get(host, path).send().await.expect("request");
        let status = resp.status().as_u16();
        (status, resp.json().await.expect("JSON body"))
    }

    /// GETs and returns status and body.
    pub async fn page(&self, host: &str, path: &str) -> (u16, String) {
        let resp = self.get(host, path).send().await.expect("request");
        let status = resp.status().as_u16();
        (status, resp.text().await.expect("body"))
    }
}

/// A server started by [`TestApp::start_killable`].
pub struct Killable {
    pub app: TestApp,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Killable {
    /// Ends the server at once: its tasks are dropped, its sockets closed.
    pub fn kill(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Drop for Killable {
    fn drop(&mut self) {
        // A runtime may not be dropped inside another one; this one never waits.
        self.kill();
    }
}

/// The demo accounts of every region (parent, provider, municipal and regional admin) and
/// the operator, password `navigator-demo-2026`.
pub async fn demo_accounts(state: &State) {
    platform::demo::accounts::ensure(
        &state.db,
        &state.registry.tenants(),
        state.clock.now(),
        &mut Vec::new(),
    )
    .await
    .expect("demo accounts");
}

/// Waits until `check` holds, polling; panics with `what` after the deadline.
pub async fn wait_until<F, Fut>(what: &str, deadline: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let until = tokio::time::Instant::now() + deadline;
    loop {
        if check().await {
            return;
        }
        if tokio::time::Instant::now() > until {
            panic!("timed out after {deadline:?} waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Writes a small valid region file into `dir` and returns its path.
pub fn write_region(dir: &Path, slug: &str, code: u8, host: &str) -> PathBuf {
    let text = format!(
        r##"slug = "{slug}"
code = {code}
name = "Навигатор дополнительного образования Тестовой области {code}"
short_name = "Навигатор{code}"
region_name = "Тестовая область {code}"
hosts = ["{host}"]
time_zone = "Europe/Moscow"
support_email = "support@{host}"

[coordinator]
organization = "Региональный модельный центр"
phone = "+7 (4822) 00-00-{code:02}"
email = "rmc@{host}"
address = "г. Тестовск, ул. Ленина, д. 1"

[map]
center = {{ lat = 56.86, lon = 35.90 }}
zoom = 7

[branding]
primary_color = "#225588"
accent_color = "#ffaa00"

[certificates]
enabled = true
min_age = 5
max_age = 18
self_registration_age = 14
nominal_rub = 4000

[[municipalities]]
id = "gorod"
name = "город Тестовск"
population_5_18 = 40000
center = {{ lat = 56.86, lon = 35.90 }}

[[municipalities]]
id = "rayon"
name = "Тестовский район"
population_5_18 = 5000
center = {{ lat = 57.10, lon = 35.20 }}
"##
    );
    let path = dir.join(format!("{slug}.toml"));
    std::fs::write(&path, text).expect("write region file");
    path
}

/// Creates a staff account with `password` directly (as `navigator user add` followed by
/// the set-password link would), for tests that need a second organization's staff.
pub async fn staff_account(
    app: &TestApp,
    region: &str,
    email: &str,
    role: platform::accounts::values::Role,
    organization: Option<i64>,
    password: &str,
) {
    account(app, region, email, role, organization, None, password).await
}

/// A municipal administrator of `municipality`, with `password`.
pub async fn municipal_account(app: &TestApp, region: &str, email: &str, municipality: &str) {
    use platform::accounts::values::Role;
    let password = platform::demo::accounts::DEMO_PASSWORD;
    account(
        app,
        region,
        email,
        Role::Municipal,
        None,
        Some(municipality),
        password,
    )
    .await
}

async fn account(
    app: &TestApp,
    region: &str,
    email: &str,
    role: platform::accounts::values::Role,
    organization: Option<i64>,
    municipality: Option<&str>,
    password: &str,
) {
    use platform::accounts::{secrets::Hasher, store, values::Password};
    let tenant = app.state.registry.by_slug(region).expect("region");
    let hash = Hasher::new(1)
        .hash(&Password::parse(password).expect("password"))
        .await
        .expect("hash");
    let now = chrono::Utc::now();
    let mut tx = app.state.db.begin().await.expect("tx");
    let new = store::NewUser {
        email,
        password_hash: Some(&hash),
        role,
        organization_id: organization,
        municipality_id: municipality,
        last_name: "Сотрудникова",
        first_name: "Анна",
        middle_name: None,
        phone: None,
        birth_date: None,
    };
    let id = store::insert_user(&mut tx, tenant.id, &new, now)
        .await
        .expect("insert")
        .expect("new address");
    store::confirm_email(&mut tx, tenant.id, id, email, now)
        .await
        .expect("confirm");
    tx.commit().await.expect("commit");
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::with_database("postgres://u@h:5432/postgres?sslmode=disable", "x"),
            "postgres://u@h:5432/x?sslmode=disable"
        );
        assert_eq!(
            super::with_database("postgres://h/postgres", "x"),
            "postgres://h/x"
        );
    }
}
