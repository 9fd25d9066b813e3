//! Servers under test, started and stopped by the suite: a release livescore, and nginx with the
//! nchan module as the peer (installed with apt when absent).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

/// The admin token the suite configures on the servers it starts.
pub const TOKEN: &str = "loadgen-token-0001";

/// A running server process, killed when dropped.
pub struct Server {
    pub url: String,
    pub pid: u32,
    child: Child,
}

impl Server {
    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }

    /// Ask the server to stop (SIGTERM: nginx's master then takes its workers down too) and wait
    /// for it; kill it if it has not gone within five seconds.
    pub async fn stop(mut self) {
        // SAFETY: kill(2) with a pid we started and a valid signal number.
        unsafe { libc::kill(self.pid as libc::pid_t, libc::SIGTERM) };
        if tokio::time::timeout(Duration::from_secs(5), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

impl Server {
    /// The body of `GET path` (HTTP/1.0, so the server closes when it is done); an error unless
    /// it answers 200.
    pub async fn get(&self, path: &str) -> anyhow::Result<String> {
        let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", self.port())).await?;
        conn.write_all(format!("GET {path} HTTP/1.0\r\n\r\n").as_bytes())
            .await?;
        let mut answer = String::new();
        conn.read_to_string(&mut answer).await?;
        let (head, body) = answer.split_once("\r\n\r\n").context("an HTTP answer")?;
        anyhow::ensure!(head.contains(" 200 "), "GET {path}: {head}");
        Ok(body.to_owned())
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Wait until `GET path` answers 2xx.
async fn wait_ready(port: u16, path: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(mut conn) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            let req = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
            if conn.write_all(req.as_bytes()).await.is_ok() {
                let mut head = [0u8; 12];
                if conn.read_exact(&mut head).await.is_ok() && head[9] == b'2' {
                    return Ok(());
                }
            }
        }
        if Instant::now() > deadline {
            bail!("server on port {port} did not become ready");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Where a livescore under test keeps its feed.
#[derive(Debug, Clone, Copy)]
pub enum Store<'a> {
    /// `--in-memory`: nothing on disk.
    Memory,
    /// `--data-dir`: the SQLite store in this directory.
    Sqlite(&'a Path),
    /// `--database-url`: a cluster node on this PostgreSQL database.
    Postgres(&'a str),
}

/// Start `bin` (a release livescore) on a free port with the generator off and limits that let
/// the load through (every viewer comes from this one machine); with its feed in `store`, and
/// `extra` flags.
pub async fn livescore(
    bin: &Path,
    max_viewers: usize,
    store: Store<'_>,
    extra: &[&str],
) -> anyhow::Result<Server> {
    let mut flags = vec!["--no-generator"];
    flags.extend_from_slice(extra);
    start_livescore(bin, max_viewers, store, &flags).await
}

/// Like [`livescore`], with the generator playing (its flags among `extra`).
pub async fn livescore_playing(
    bin: &Path,
    store: Store<'_>,
    extra: &[&str],
) -> anyhow::Result<Server> {
    start_livescore(bin, 1000, store, extra).await
}

async fn start_livescore(
    bin: &Path,
    max_viewers: usize,
    store: Store<'_>,
    extra: &[&str],
) -> anyhow::Result<Server> {
    let port = free_port()?;
    let mut command = Command::new(bin);
    command.args(["--bind", &format!("127.0.0.1:{port}")]);
    match store {
        Store::Memory => command.arg("--in-memory"),
        Store::Sqlite(dir) => command.arg("--data-dir").arg(dir),
        Store::Postgres(url) => command.args(["--database-url", url]),
    };
    let child = command
        .args(["--max-viewers", &max_viewers.to_string()])
        .args(extra)
        .env("LIVESCORE_MAX_VIEWERS_PER_IP", "0")
        .env("LIVESCORE_ADMIN_TOKENS", format!("loadgen:{TOKEN}"))
        .env("LIVESCORE_ADMIN_RATE", "1000000")
        .env("LIVESCORE_ADMIN_BURST", "1000000")
        .env("LIVESCORE_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let pid = child.id().context("server pid")?;
    wait_ready(port, "/healthz").await?;
    Ok(Server {
        url: format!("http://127.0.0.1:{port}"),
        pid,
        child,
    })
}

/// Install nginx and the nchan module with apt when they are missing (the machine's user is root
/// on CI and the development machines).
pub fn ensure_nchan() -> anyhow::Result<()> {
    let module = Path::new("/usr/lib/nginx/modules/ngx_nchan_module.so");
    if module.exists() && which("nginx") {
        return Ok(());
    }
    eprintln!("installing nginx and libnginx-mod-nchan (apt-get)...");
    let ok = std::process::Command::new("sh")
        .args(["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx libnginx-mod-nchan >/dev/null"])
        .status()?
        .success();
    if !ok || !module.exists() {
        bail!("could not install nginx with the nchan module");
    }
    Ok(())
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join(program).is_file()))
}

/// Start nginx + nchan from `bench/nchan.conf` (port and paths filled in) under `dir`.
pub async fn nchan(template: &Path, dir: &Path) -> anyhow::Result<Server> {
    ensure_nchan()?;
    let port = free_port()?;
    let prefix: PathBuf = std::path::absolute(dir)?;
    std::fs::create_dir_all(prefix.join("logs"))?;
    let conf = std::fs::read_to_string(template)
        .with_context(|| format!("reading {}", template.display()))?
        .replace("{port}", &port.to_string())
        .replace("{prefix}", &prefix.display().to_string());
    let conf_path = prefix.join("nginx.conf");
    std::fs::write(&conf_path, conf)?;
    let child = Command::new("nginx")
        .arg("-p")
        .arg(&prefix)
        .arg("-c")
        .arg(&conf_path)
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("starting nginx")?;
    let pid = child.id().context("nginx pid")?;
    wait_ready(port, "/health").await?;
    Ok(Server {
        url: format!("http://127.0.0.1:{port}"),
        pid,
        child,
    })
}
