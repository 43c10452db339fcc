//! Things a test can break on purpose: a Redis server of its own (killed, frozen, brought
//! back on the same port) and a TCP proxy in front of a database that can be cut and
//! restored. Real processes and real sockets: the server under test sees what it would see
//! in production.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A `redis-server` on a free port, keeping nothing on disk.
pub struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    pub async fn start() -> Self {
        let port = free_port();
        let mut server = Self { port, child: None };
        server.spawn().await;
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    async fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--protected-mode", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (.ci/run installs it)");
        self.child = Some(child);
        let addr = format!("127.0.0.1:{}", self.port);
        crate::wait_until(
            "redis-server accepts connections",
            Duration::from_secs(10),
            || {
                let addr = addr.clone();
                async move { ping(&addr).await }
            },
        )
        .await;
    }

    /// Kills the server (as a crash would): connections reset, the port refuses.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty (it keeps nothing).
    pub async fn restart(&mut self) {
        self.kill();
        self.spawn().await;
    }

    /// Freezes the process (SIGSTOP): connections stay open and nothing answers.
    pub fn freeze(&self) {
        self.signal("STOP");
    }

    pub fn thaw(&self) {
        self.signal("CONT");
    }

    fn signal(&self, name: &str) {
        let pid = self.child.as_ref().expect("redis-server running").id();
        let status = Command::new("kill")
            .args([&format!("-{name}"), &pid.to_string()])
            .status()
            .expect("kill");
        assert!(status.success(), "kill -{name} {pid}");
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // SIGKILL ends a stopped process too; `wait` in `kill` reaps it.
        self.kill();
    }
}

/// Whether a Redis at `addr` answers PING.
async fn ping(addr: &str) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return false;
    };
    if stream.write_all(b"PING\r\n").await.is_err() {
        return false;
    }
    let mut buf = [0u8; 7];
    matches!(
        tokio::time::timeout(Duration::from_secs(1), stream.read_exact(&mut buf)).await,
        Ok(Ok(_)) if &buf == b"+PONG\r\n"
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A TCP proxy to `upstream` that can be cut (live connections reset, new ones refused)
/// and restored on the same port: a database server going away and coming back.
pub struct CutProxy {
    addr: SocketAddr,
    upstream: SocketAddr,
    running: Mutex<Option<Running>>,
}

struct Running {
    accept: JoinHandle<()>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl CutProxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        let proxy = Self {
            addr,
            upstream,
            running: Mutex::new(None),
        };
        proxy.serve(listener);
        proxy
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn serve(&self, listener: TcpListener) {
        let upstream = self.upstream;
        let connections: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let live = connections.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                live.lock().expect("connections").push(task);
            }
        });
        *self.running.lock().expect("proxy state") = Some(Running {
            accept,
            connections,
        });
    }

    /// Drops every connection and stops listening: connects are refused until `restore`.
    pub fn cut(&self) {
        if let Some(running) = self.running.lock().expect("proxy state").take() {
            running.accept.abort();
            for task in running.connections.lock().expect("connections").drain(..) {
                task.abort();
            }
        }
    }

    /// Listens again on the same port.
    pub async fn restore(&self) {
        // The aborted listener's socket closes as its task is dropped; wait for the port.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(e) if std::time::Instant::now() > deadline => {
                    panic!("proxy port {} not free again: {e}", self.addr)
                }
                Err(_) => tokio::task::yield_now().await,
            }
        };
        self.serve(listener);
    }
}

impl Drop for CutProxy {
    fn drop(&mut self) {
        self.cut();
    }
}
