//! A real SMTP server in the test process: it speaks enough ESMTP for lettre, keeps every
//! message it accepts, and can be stopped and started again on the same port (to test
//! that mail written while SMTP is down goes out when it returns). It can also misbehave
//! the ways real servers do ([`Fault`]): say nothing after accepting the connection, or
//! refuse a recipient or a message with a 4xx or 5xx reply; and it counts connections and
//! `RCPT TO` commands, so a test can tell how often the platform tried.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A message as accepted: envelope recipients, the decoded parts tests look at, and the
/// bytes as they arrived (headers included, dot-stuffing undone) for signature checks.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub subject: String,
    pub from: String,
    pub text: String,
    pub html: String,
    pub raw: Vec<u8>,
}

/// How the server misbehaves until [`SmtpSink::heal`].
#[derive(Debug, Clone)]
pub enum Fault {
    /// Accepts connections and never says a word (sessions already open fall silent too).
    Hang,
    /// Answers `RCPT TO` for `address` (every address when `None`) with `reply`, e.g.
    /// `"452 4.2.2 Mailbox full"`.
    Rcpt {
        address: Option<String>,
        reply: String,
    },
    /// Reads the whole message for `address` (any when `None`), then answers the end of
    /// DATA with `reply`; the message is not kept.
    Data {
        address: Option<String>,
        reply: String,
    },
}

fn matches(address: &Option<String>, to: &str) -> bool {
    address
        .as_deref()
        .is_none_or(|a| a.eq_ignore_ascii_case(to))
}

/// What the server's sessions share.
#[derive(Default)]
struct Shared {
    inbox: Mutex<Vec<Received>>,
    faults: Mutex<Vec<Fault>>,
    connections: AtomicUsize,
    /// Every `RCPT TO` address, accepted or refused, in order.
    rcpts: Mutex<Vec<String>>,
    /// Messages read in full and then refused at the end of DATA.
    refused: Mutex<Vec<Received>>,
}

impl Shared {
    fn hanging(&self) -> bool {
        self.faults
            .lock()
            .unwrap()
            .iter()
            .any(|f| matches!(f, Fault::Hang))
    }

    fn rcpt_reply(&self, to: &str) -> Option<String> {
        self.faults.lock().unwrap().iter().find_map(|f| match f {
            Fault::Rcpt { address, reply } if matches(address, to) => Some(reply.clone()),
            _ => None,
        })
    }

    fn data_reply(&self, to: &[String]) -> Option<String> {
        self.faults.lock().unwrap().iter().find_map(|f| match f {
            Fault::Data { address, reply } if to.iter().any(|t| matches(address, t)) => {
                Some(reply.clone())
            }
            _ => None,
        })
    }
}

impl Received {
    /// The first `http…` link in the text part that contains `path`.
    pub fn link(&self, path: &str) -> Option<String> {
        self.text
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(path))
            .map(str::to_owned)
    }

    /// The value of the first header called `name` (any case), unfolded and trimmed, as it
    /// arrived (encoded words left encoded).
    pub fn header(&self, name: &str) -> Option<String> {
        header_fields(&self.raw)
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, field)| {
                let value = field.split_once(':').map_or("", |(_, v)| v);
                value.replace("\r\n", "").trim().to_owned()
            })
    }
}

/// The header fields of `raw`, in order, each as its name and its whole text (name, colon,
/// value, folding and the final CRLF).
pub fn header_fields(raw: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(split(raw).0);
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some((_, field)) = fields.last_mut() {
                field.push_str(line);
            }
        } else if let Some((name, _)) = line.split_once(':') {
            fields.push((name.trim().to_owned(), line.to_owned()));
        }
    }
    fields
}

/// (header block with its last CRLF, body).
pub fn split(raw: &[u8]) -> (&[u8], &[u8]) {
    match raw.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(i) => (&raw[..i + 2], &raw[i + 4..]),
        None => (raw, &[]),
    }
}

pub struct SmtpSink {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    server: Mutex<Option<JoinHandle<()>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind SMTP");
        let addr = listener.local_addr().expect("addr");
        let shared = Arc::new(Shared::default());
        let server = tokio::spawn(serve(listener, shared.clone()));
        SmtpSink {
            addr,
            shared,
            server: Mutex::new(Some(server)),
        }
    }

    /// From now on the server also misbehaves as `fault` says (faults add up).
    pub fn fail(&self, fault: Fault) {
        self.shared.faults.lock().unwrap().push(fault);
    }

    /// From now on the server behaves (sessions that hang stay silent: their clients gave
    /// up on them).
    pub fn heal(&self) {
        self.shared.faults.lock().unwrap().clear();
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// `RCPT TO` commands naming `address` so far, accepted or refused: one per attempt.
    pub fn rcpts(&self, address: &str) -> usize {
        self.shared
            .rcpts
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.eq_ignore_ascii_case(address))
            .count()
    }

    /// Messages read in full and refused at the end of DATA.
    pub fn refused(&self) -> Vec<Received> {
        self.shared.refused.lock().unwrap().clone()
    }

    /// `smtp://127.0.0.1:port` for `Settings::smtp_url`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Stops accepting connections (the port is closed).
    pub fn stop(&self) {
        if let Some(server) = self.server.lock().unwrap().take() {
            server.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn resume(&self) {
        let listener = TcpListener::bind(self.addr).await.expect("rebind SMTP");
        *self.server.lock().unwrap() = Some(tokio::spawn(serve(listener, self.shared.clone())));
    }

    pub fn all(&self) -> Vec<Received> {
        self.shared.inbox.lock().unwrap().clone()
    }

    /// Messages to `address` so far.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.all()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }

    /// Waits for the `n`-th message to `address` (1-based) and returns it.
    pub async fn wait_for(&self, address: &str, n: usize) -> Received {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let got = self.to(address);
            if got.len() >= n {
                return got[n - 1].clone();
            }
            if tokio::time::Instant::now() > deadline {
                let inbox: Vec<(Vec<String>, String)> =
                    self.all().into_iter().map(|m| (m.to, m.subject)).collect();
                panic!("no mail #{n} to {address} within 15 s; inbox: {inbox:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            return;
        };
        shared.connections.fetch_add(1, Ordering::SeqCst);
        let shared = shared.clone();
        tokio::spawn(async move {
            let _ = session(socket, shared).await;
        });
    }
}

/// Says nothing more: reads and drops whatever the client sends until it hangs up.
async fn silence(mut lines: BufReader<tokio::net::tcp::OwnedReadHalf>) -> std::io::Result<()> {
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
    }
}

async fn session(socket: tokio::net::TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    if shared.hanging() {
        return silence(lines).await;
    }
    write.write_all(b"220 sink ESMTP ready\r\n").await?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        if shared.hanging() {
            return silence(lines).await;
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: Vec<u8> = if command.starts_with("EHLO") {
            b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n".to_vec()
        } else if command.starts_with("HELO") || command.starts_with("MAIL FROM") {
            b"250 OK\r\n".to_vec()
        } else if command.starts_with("RCPT TO") {
            let addr = line.trim_end()[8..]
                .trim()
                .trim_start_matches('<')
                .split('>')
                .next()
                .unwrap_or_default()
                .to_owned();
            shared.rcpts.lock().unwrap().push(addr.clone());
            match shared.rcpt_reply(&addr) {
                Some(reply) => format!("{reply}\r\n").into_bytes(),
                None => {
                    to.push(addr);
                    b"250 OK\r\n".to_vec()
                }
            }
        } else if command == "DATA" {
            write.write_all(b"354 end with .\r\n").await?;
            let mut data = Vec::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                let l = line
                    .strip_prefix('.')
                    .filter(|_| line.starts_with(".."))
                    .unwrap_or(&line);
                data.extend_from_slice(l.as_bytes());
            }
            if shared.hanging() {
                return silence(lines).await;
            }
            let received = parse(std::mem::take(&mut to), data);
            match shared.data_reply(&received.to) {
                Some(reply) => {
                    shared.refused.lock().unwrap().push(received);
                    format!("{reply}\r\n").into_bytes()
                }
                None => {
                    shared.inbox.lock().unwrap().push(received);
                    b"250 queued\r\n".to_vec()
                }
            }
        } else if command == "RSET" || command == "NOOP" {
            to.clear();
            b"250 OK\r\n".to_vec()
        } else if command == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 not implemented\r\n".to_vec()
        };
        write.write_all(&reply).await?;
    }
}

fn parse(to: Vec<String>, data: Vec<u8>) -> Received {
    match mail_parser::MessageParser::default().parse(&data) {
        Some(m) => Received {
            to,
            subject: m.subject().unwrap_or_default().to_owned(),
            from: m
                .from()
                .and_then(|f| f.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_owned(),
            text: m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
            html: m.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
            raw: data.clone(),
        },
        None => Received {
            to,
            subject: String::new(),
            from: String::new(),
            text: String::from_utf8_lossy(&data).into_owned(),
            html: String::new(),
            raw: data.clone(),
        },
    }
}
