//! What one request or one client may take of the server (issue 15): a body past the limit
//! is refused with 413 before it is read, announced (`Content-Length`) or not (chunked),
//! on the API and on a form, without the server's memory growing; the expensive paths
//! admit only so many requests in flight per client address.
//!
//! Requests are written by hand on a socket: a client library would refuse to send a body
//! it cannot finish, and the test must see how much of the body went out before the
//! answer came (the server stopped reading) while generating it, never holding it.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tests::browser::Browser;
use tests::{wait_until, TestApp, TestEnv};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const S: &str = "smolensk.localhost";
const LIMIT: u64 = 64 * 1024;
const MIB: u64 = 1024 * 1024;

#[derive(Clone, Copy, Debug)]
enum Framing {
    /// Announced by `Content-Length`.
    Length,
    /// `Transfer-Encoding: chunked`: the server cannot know the size ahead.
    Chunked,
}

/// A body of `total` bytes: `prefix`, then `a`s, then `suffix`, made as it is sent.
struct Generated {
    prefix: Vec<u8>,
    suffix: Vec<u8>,
    total: u64,
}

impl Generated {
    fn new(prefix: &str, suffix: &str, total: u64) -> Self {
        assert!(total >= (prefix.len() + suffix.len()) as u64);
        Self {
            prefix: prefix.as_bytes().to_vec(),
            suffix: suffix.as_bytes().to_vec(),
            total,
        }
    }

    /// Bytes `from..from + buf.len()` of the body into `buf`.
    fn fill(&self, from: u64, buf: &mut [u8]) {
        let tail = self.total - self.suffix.len() as u64;
        for (i, b) in buf.iter_mut().enumerate() {
            let at = from + i as u64;
            *b = if at < self.prefix.len() as u64 {
                self.prefix[at as usize]
            } else if at >= tail {
                self.suffix[(at - tail) as usize]
            } else {
                b'a'
            };
        }
    }
}

/// The server's answer, and how many bytes of the body had gone out when it came.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: String,
    sent: u64,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then_some(v.trim())
        })
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// POSTs `body` to `path`, writing it while reading the answer; stops writing when the
/// answer is in (or the server closes), as a client that is refused would.
async fn post(
    addr: SocketAddr,
    path: &str,
    content_type: &str,
    headers: &[(&str, &str)],
    body: Generated,
    framing: Framing,
) -> Answer {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let mut head = format!("POST {path} HTTP/1.1\r\nHost: {S}\r\nContent-Type: {content_type}\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    match framing {
        Framing::Length => head.push_str(&format!("Content-Length: {}\r\n\r\n", body.total)),
        Framing::Chunked => head.push_str("Transfer-Encoding: chunked\r\n\r\n"),
    }
    let sent = Arc::new(AtomicU64::new(0));
    let counted = sent.clone();
    let sending = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        let mut buf = vec![0u8; 64 * 1024];
        let mut at = 0;
        while at < body.total {
            let n = buf.len().min((body.total - at) as usize);
            body.fill(at, &mut buf[..n]);
            if let Framing::Chunked = framing {
                writer.write_all(format!("{n:x}\r\n").as_bytes()).await?;
            }
            writer.write_all(&buf[..n]).await?;
            if let Framing::Chunked = framing {
                writer.write_all(b"\r\n").await?;
            }
            at += n as u64;
            counted.store(at, Ordering::SeqCst);
        }
        if let Framing::Chunked = framing {
            writer.write_all(b"0\r\n\r\n").await?;
        }
        // Keep the write half open: closing it could end the connection before the answer.
        Ok::<_, std::io::Error>(writer)
    });
    let (status, head, body) = read_answer(&mut reader).await;
    let sent = sent.load(Ordering::SeqCst);
    sending.abort();
    Answer {
        status,
        head,
        body,
        sent,
    }
}

/// Reads one response: status, header block, body (by `Content-Length`).
async fn read_answer(reader: &mut (impl AsyncReadExt + Unpin)) -> (u16, String, String) {
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    let split = loop {
        if let Some(i) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = reader.read(&mut buf).await.expect("read the answer");
        assert!(
            n > 0,
            "closed before an answer: {}",
            String::from_utf8_lossy(&got)
        );
        got.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&got[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {head}"));
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or_else(|| panic!("no Content-Length in the answer: {head}"));
    let mut body = got[split + 4..].to_vec();
    while body.len() < length {
        let n = reader.read(&mut buf).await.expect("read the body");
        assert!(n > 0, "closed in the middle of the answer's body");
        body.extend_from_slice(&buf[..n]);
    }
    (status, head, String::from_utf8_lossy(&body).into_owned())
}

/// The resident memory of this process, in bytes: the server under test runs in it
/// (`TestApp::start` spawns it on this runtime), so this is the server's memory plus the
/// test's own.
fn resident() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS line");
    kib * 1024
}

/// A JSON body for the anonymous `POST /api/v1/auth/confirm` of exactly `total` bytes.
fn confirm_body(total: u64) -> Generated {
    Generated::new(r#"{"code":""#, r#""}"#, total)
}

/// The login form with the CSRF token of `csrf`, padded with an ignored field to `total`.
fn login_body(csrf: &str, total: u64) -> Generated {
    let prefix = format!("csrf={csrf}&email=nobody%40example.ru&password=not-the-password&pad=");
    Generated::new(&prefix, "", total)
}

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

fn assert_api_413(answer: &Answer) {
    assert_eq!(answer.status, 413, "{answer:?}");
    let body = answer.json();
    assert_eq!(body["error"]["code"], "payload_too_large", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("не больше 64 КБ"), "{message}");
}

fn assert_page_413(answer: &Answer) {
    assert_eq!(answer.status, 413, "{answer:?}");
    assert!(
        answer
            .header("content-type")
            .unwrap_or_default()
            .starts_with("text/html"),
        "{}",
        answer.head
    );
    assert!(
        answer
            .body
            .contains("Слишком большой запрос: можно отправить не больше 64 КБ"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("Сократите текст в полях формы"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_sent_at_once_get_413_unread_and_memory_stays_flat() {
    // Resident memory belongs to the whole process, and the suite's other tests run beside
    // this one: the attack runs again in a process of its own (this binary, this test only),
    // and this run only checks that it passed.
    const ALONE: &str = "NAVIGATOR_TEST_ALONE";
    if std::env::var_os(ALONE).is_none() {
        let name = "limits::oversized_bodies_sent_at_once_get_413_unread_and_memory_stays_flat";
        let status = tokio::task::spawn_blocking(move || {
            std::process::Command::new(std::env::current_exe().expect("test binary"))
                .args(["--exact", name, "--test-threads=1", "--nocapture"])
                .env(ALONE, "1")
                .status()
        })
        .await
        .expect("join")
        .expect("the test binary runs");
        assert!(
            status.success(),
            "the attack, run alone, failed: its output is above"
        );
        return;
    }
    let (_env, app) = TestApp::spawn().await;
    let mut browser = Browser::new(&app, S);
    browser.get("/login").await;
    let cookie = format!("nav_csrf={}", browser.cookies["nav_csrf"]);
    let csrf = browser.cookies["nav_csrf"].clone();

    // Warm up every path the attack takes, so the baseline holds what they allocate once.
    for framing in [Framing::Length, Framing::Chunked] {
        let a = post(
            app.addr,
            "/api/v1/auth/confirm",
            JSON,
            &[],
            confirm_body(MIB),
            framing,
        )
        .await;
        assert_api_413(&a);
        let a = post(
            app.addr,
            "/login",
            FORM,
            &[("Cookie", &cookie)],
            login_body(&csrf, MIB),
            framing,
        )
        .await;
        assert_page_413(&a);
    }
    let baseline = resident();

    // The peak while the attack runs, sampled: a body held by the server would show here
    // even if it were freed before the end.
    let peak = Arc::new(AtomicU64::new(baseline));
    let sampling = {
        let peak = peak.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(5));
            loop {
                every.tick().await;
                peak.fetch_max(resident(), Ordering::SeqCst);
            }
        })
    };
    let big = 100 * MIB;
    let addr = app.addr;
    let with_cookie = [("Cookie", cookie.as_str())];
    let (api_length, api_chunked, form_length, form_chunked) = tokio::join!(
        post(
            addr,
            "/api/v1/auth/confirm",
            JSON,
            &[],
            confirm_body(big),
            Framing::Length
        ),
        post(
            addr,
            "/api/v1/auth/confirm",
            JSON,
            &[],
            confirm_body(big),
            Framing::Chunked
        ),
        post(
            addr,
            "/login",
            FORM,
            &with_cookie,
            login_body(&csrf, big),
            Framing::Length
        ),
        post(
            addr,
            "/login",
            FORM,
            &with_cookie,
            login_body(&csrf, big),
            Framing::Chunked
        ),
    );
    sampling.abort();
    let after = resident();
    let peak = peak.load(Ordering::SeqCst).max(after);

    assert_api_413(&api_length);
    assert_api_413(&api_chunked);
    assert_page_413(&form_length);
    assert_page_413(&form_chunked);
    // The server stopped reading at the limit: what went out before the answer is what the
    // sockets' buffers hold (a few MiB on loopback), never the 100 MiB.
    for answer in [&api_length, &api_chunked, &form_length, &form_chunked] {
        assert!(
            answer.sent < 32 * MIB,
            "{} MiB of a 100 MiB body went out before the 413",
            answer.sent / MIB
        );
    }
    let grown = |v: u64| v.saturating_sub(baseline) / MIB;
    assert!(
        grown(peak) < 64,
        "resident memory rose by {} MiB during the attack (baseline {} MiB)",
        grown(peak),
        baseline / MIB
    );
    assert!(
        grown(after) < 64,
        "resident memory stayed {} MiB above the baseline after the attack",
        grown(after)
    );
}

#[tokio::test]
async fn a_body_at_the_limit_is_read_and_one_byte_more_is_413() {
    let (_env, app) = TestApp::spawn().await;
    let mut browser = Browser::new(&app, S);
    browser.get("/login").await;
    let cookie = format!("nav_csrf={}", browser.cookies["nav_csrf"]);
    let csrf = browser.cookies["nav_csrf"].clone();
    for framing in [Framing::Length, Framing::Chunked] {
        // At the limit, the handler sees the whole body: an unknown code is a stale link.
        let at = post(
            app.addr,
            "/api/v1/auth/confirm",
            JSON,
            &[],
            confirm_body(LIMIT),
            framing,
        )
        .await;
        assert_eq!(at.status, 400, "{framing:?}: {at:?}");
        assert_eq!(at.json()["error"]["code"], "bad_link", "{framing:?}");
        let over = post(
            app.addr,
            "/api/v1/auth/confirm",
            JSON,
            &[],
            confirm_body(LIMIT + 1),
            framing,
        )
        .await;
        assert_api_413(&over);

        // The login form at the limit is a login like any other: a wrong password.
        let at = post(
            app.addr,
            "/login",
            FORM,
            &[("Cookie", &cookie)],
            login_body(&csrf, LIMIT),
            framing,
        )
        .await;
        assert_eq!(at.status, 422, "{framing:?}: {}", at.body);
        assert!(at
            .body
            .contains("Неверный адрес электронной почты или пароль"));
        let over = post(
            app.addr,
            "/login",
            FORM,
            &[("Cookie", &cookie)],
            login_body(&csrf, LIMIT + 1),
            framing,
        )
        .await;
        assert_page_413(&over);
    }
}

#[tokio::test]
async fn the_body_limit_is_a_setting() {
    let env = TestEnv::new().await;
    env.apply_samples().await;
    let mut settings = env.settings();
    settings.limits.body = 1024;
    let app = TestApp::start(settings).await;
    let over = post(
        app.addr,
        "/api/v1/auth/confirm",
        JSON,
        &[],
        confirm_body(1025),
        Framing::Chunked,
    )
    .await;
    assert_eq!(over.status, 413);
    assert!(over.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("не больше 1 КБ"));
}

/// A login whose body is announced but not sent yet: in flight, holding its slot.
async fn held_login(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {S}\r\nContent-Type: {JSON}\r\n\
         Content-Length: {}\r\n\r\n{{",
        LOGIN.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream
}

const LOGIN: &str = r#"{"email": "nobody@example.ru", "password": "not-the-password"}"#;

#[tokio::test]
async fn an_address_gets_its_share_of_expensive_requests_and_no_queue() {
    let env = TestEnv::new().await;
    env.apply_samples().await;
    let mut settings = env.settings();
    settings.limits.expensive_per_client = 2;
    let app = TestApp::start(settings).await;
    // Whether this address has `n` expensive requests in flight, for `wait_until`.
    let in_flight = |n: usize| {
        let state = app.state.clone();
        move || {
            let holds = state.in_flight.count("127.0.0.1") == n;
            async move { holds }
        }
    };

    let mut first = held_login(app.addr).await;
    let second = held_login(app.addr).await;
    wait_until(
        "both logins in flight",
        Duration::from_secs(10),
        in_flight(2),
    )
    .await;

    // The third expensive request of this address is refused at once, on any expensive path.
    let login = app
        .client()
        .post(format!("http://{}/api/v1/auth/login", app.addr))
        .header("Host", S)
        .header("Content-Type", JSON)
        .body(LOGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 429);
    assert_eq!(login.headers()["retry-after"], "1");
    let body: Value = login.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_requests");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Слишком много одновременных запросов"));
    let search = app
        .get(S, "/api/v1/programs?q=шахматы")
        .send()
        .await
        .unwrap();
    assert_eq!(search.status(), 429);
    assert_eq!(search.headers()["retry-after"], "1");
    let (status, page) = app.page(S, "/programs").await;
    assert_eq!(status, 429);
    assert!(page.contains("Слишком много одновременных запросов с вашего адреса"));
    // Cheap paths are not counted; another address has its own share.
    let (status, _) = app.json(S, "/api/v1/region").await;
    assert_eq!(status, 200);
    let elsewhere = reqwest::Client::builder()
        .no_proxy()
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    let other = elsewhere
        .post(format!("http://{}/api/v1/auth/login", app.addr))
        .header("Host", S)
        .header("Content-Type", JSON)
        .body(LOGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 401, "another address is not refused");

    // A held request that finishes gives its slot back.
    first.write_all(&LOGIN.as_bytes()[1..]).await.unwrap();
    let (status, _, _) = read_answer(&mut first).await;
    assert_eq!(status, 401);
    wait_until(
        "the finished login's slot is free",
        Duration::from_secs(10),
        in_flight(1),
    )
    .await;
    let (status, _) = app.json(S, "/api/v1/programs").await;
    assert_eq!(status, 200, "a slot is free again");

    // So does one whose client went away in the middle.
    drop(second);
    wait_until(
        "the abandoned login's slot is free",
        Duration::from_secs(10),
        in_flight(0),
    )
    .await;
}

#[tokio::test]
async fn behind_the_proxy_an_address_written_by_the_client_is_not_a_new_one() {
    let env = TestEnv::new().await;
    env.apply_samples().await;
    let mut settings = env.settings();
    settings.trust_proxy = true;
    settings.limits.expensive_per_client = 1;
    let app = TestApp::start(settings).await;
    // nginx appends the address it saw to whatever the client sent.
    let mut held = TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {S}\r\nContent-Type: {JSON}\r\n\
         X-Forwarded-For: 10.0.0.1, 198.51.100.7\r\nContent-Length: {}\r\n\r\n{{",
        LOGIN.len()
    );
    held.write_all(head.as_bytes()).await.unwrap();
    let state = app.state.clone();
    wait_until("the login in flight", Duration::from_secs(10), move || {
        let holds = state.in_flight.count("198.51.100.7") == 1;
        async move { holds }
    })
    .await;
    let forged = app
        .client()
        .post(format!("http://{}/api/v1/auth/login", app.addr))
        .header("Host", S)
        .header("Content-Type", JSON)
        .header("X-Forwarded-For", "10.0.0.2, 198.51.100.7")
        .body(LOGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        429,
        "a forged first address escaped the bound"
    );
    let other = app
        .client()
        .post(format!("http://{}/api/v1/auth/login", app.addr))
        .header("Host", S)
        .header("Content-Type", JSON)
        .header("X-Forwarded-For", "198.51.100.8")
        .body(LOGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(
        other.status(),
        401,
        "another client of the proxy has its own share"
    );
}

#[tokio::test]
async fn the_spec_documents_413_where_a_body_is_taken_and_429_on_search() {
    let (_env, app) = TestApp::spawn().await;
    let (status, spec) = app.json(S, "/api/openapi.json").await;
    assert_eq!(status, 200);
    let responses = |path: &str, method: &str| spec["paths"][path][method]["responses"].clone();
    for (path, method) in [
        ("/auth/confirm", "post"),
        ("/auth/login", "post"),
        ("/me/children/{id}", "put"),
    ] {
        assert!(
            responses(path, method).get("413").is_some(),
            "{method} {path} takes a body: 413 must be documented"
        );
    }
    assert!(responses("/programs", "get").get("413").is_none());
    for (path, method) in [
        ("/programs", "get"),
        ("/catalog.geojson", "get"),
        ("/auth/login", "post"),
    ] {
        assert!(
            responses(path, method).get("429").is_some(),
            "{method} {path} is bounded: 429 must be documented"
        );
    }
}
