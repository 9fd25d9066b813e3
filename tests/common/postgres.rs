//! A throwaway PostgreSQL for tests: `initdb` in a temporary directory, `pg_ctl start` on a free
//! loopback port, `pg_ctl -m immediate stop` when dropped. Each test takes a fresh database of
//! its own from it ([`PgServer::fresh_database`]).
//!
//! The server programs come from Debian's `postgresql` package, which keeps them in
//! `/usr/lib/postgresql/<version>/bin` (not on PATH; `make postgres` installs the package).
//! `initdb` refuses to run as root, so as root the cluster is made and run as the `postgres`
//! user, in a directory that user owns. With `LIVESCORE_TEST_DATABASE_URL` set, that server is
//! used instead and nothing is started.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// A PostgreSQL server for tests.
pub struct PgServer {
    /// A URL of the server's `postgres` database, for creating the test databases.
    admin_url: String,
    /// The cluster this harness started (`None` for `LIVESCORE_TEST_DATABASE_URL`).
    cluster: Option<Cluster>,
}

struct Cluster {
    bin: PathBuf,
    /// `pg_ctl -o` options (port, socket directory, address), to start it again the same way.
    options: String,
    /// Holds the data directory (and the socket); removed after the server stops.
    dir: tempfile::TempDir,
}

/// A node of a cluster on the database at `url`, in this process, with alice and bob as admins
/// and no rate limit in the way.
pub fn cluster_node(url: &str) -> super::TestServer {
    let url = url.to_owned();
    super::TestServer::start(move |c| {
        super::with_admins(c);
        c.in_memory = false;
        c.database_url = Some(livescore::config::Secret(url));
        c.admin_rate = 1e6;
        c.admin_burst = 1_000_000;
    })
}

/// The flags of a node of a cluster on `url` started as a process ([`super::process::Proc`]),
/// generator off, no rate limit in the way, then `extra`.
pub fn node_args<'a>(url: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "--no-generator",
        "--database-url",
        url,
        "--admin-rate",
        "1000000",
        "--admin-burst",
        "1000000",
    ];
    args.extend_from_slice(extra);
    args
}

/// The server shared by the tests of one test binary: started by the first test that asks,
/// stopped when the binary exits.
pub fn shared() -> Arc<PgServer> {
    static SHARED: Mutex<Option<Arc<PgServer>>> = Mutex::new(None);
    extern "C" fn stop_shared() {
        if let Ok(mut slot) = SHARED.lock() {
            slot.take();
        }
    }
    let mut slot = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(server) = slot.as_ref() {
        return server.clone();
    }
    let server = Arc::new(PgServer::start());
    *slot = Some(server.clone());
    // Statics are never dropped: stop the server when the test binary exits.
    // SAFETY: registering a plain `extern "C" fn` with no arguments.
    unsafe { libc::atexit(stop_shared) };
    server
}

impl PgServer {
    /// The server named by `LIVESCORE_TEST_DATABASE_URL`, or a new throwaway cluster.
    pub fn start() -> PgServer {
        if let Ok(url) = std::env::var("LIVESCORE_TEST_DATABASE_URL") {
            return PgServer {
                admin_url: url,
                cluster: None,
            };
        }
        let bin = server_bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("livescore-pg-")
            .tempdir()
            .expect("a temporary directory");
        let data = dir.path().join("data");
        let as_root = unsafe { libc::geteuid() } == 0;
        if as_root {
            let (uid, gid) = postgres_user();
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).expect("chown the tempdir");
        }
        run(
            as_root,
            &bin.join("initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = free_port();
            let options = format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1",
                dir.path().display()
            );
            let log = dir.path().join("server.log");
            let started = command(as_root, &bin.join("pg_ctl"))
                .args(["-D", data.to_str().unwrap(), "-w", "-l"])
                .arg(&log)
                .args(["-o", &options, "start"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .output()
                .expect("pg_ctl runs");
            if started.status.success() {
                return PgServer {
                    admin_url: format!("postgresql://postgres@127.0.0.1:{port}/postgres"),
                    cluster: Some(Cluster { bin, options, dir }),
                };
            }
            last_error = format!(
                "{}{}",
                String::from_utf8_lossy(&started.stderr),
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        panic!("PostgreSQL did not start: {last_error}");
    }

    /// A URL of a new, empty database on this server, for one test.
    pub async fn fresh_database(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "livescore_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let (client, connection) = tokio_postgres::connect(&self.admin_url, tokio_postgres::NoTls)
            .await
            .expect("connect to the test server");
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create a test database");
        with_database(&self.admin_url, &name)
    }
}

impl PgServer {
    /// Crash the server: SIGKILL the postmaster and every backend at once, as a power cut
    /// would (killing the postmaster alone leaves backends holding its shared memory).
    pub fn crash(&self) {
        let cluster = self
            .cluster
            .as_ref()
            .expect("a server this harness started");
        let pid_file = cluster.dir.path().join("data/postmaster.pid");
        let pid = std::fs::read_to_string(&pid_file).expect("postmaster.pid");
        let pid = pid.lines().next().unwrap().trim().to_owned();
        let _ = Command::new("pkill").args(["-KILL", "-P", &pid]).status();
        let _ = Command::new("kill").args(["-KILL", &pid]).status();
        // Wait until every backend is gone, so the restart does not find them.
        for _ in 0..100 {
            let alive = Command::new("pgrep")
                .args(["-P", &pid])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            let master = std::path::Path::new(&format!("/proc/{pid}")).exists();
            if !alive && !master {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("PostgreSQL did not die");
    }

    /// Start the server again on the same port after [`PgServer::crash`] (it recovers from its
    /// write-ahead log).
    pub fn restart(&self) {
        let cluster = self
            .cluster
            .as_ref()
            .expect("a server this harness started");
        let data = cluster.dir.path().join("data");
        let as_root = unsafe { libc::geteuid() } == 0;
        let status = command(as_root, &cluster.bin.join("pg_ctl"))
            .args(["-D", data.to_str().unwrap(), "-w", "-l"])
            .arg(cluster.dir.path().join("server.log"))
            .args(["-o", &cluster.options, "start"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("pg_ctl runs");
        assert!(status.success(), "PostgreSQL restarts");
    }

    /// Terminate every client backend (as an operator or a failover would).
    pub async fn terminate_clients(&self) -> u64 {
        let (client, connection) = tokio_postgres::connect(&self.admin_url, tokio_postgres::NoTls)
            .await
            .expect("connect to the test server");
        tokio::spawn(connection);
        let rows = client
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
                &[],
            )
            .await
            .expect("terminate the backends");
        rows.len() as u64
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if let Some(cluster) = &self.cluster {
            let data = cluster.dir.path().join("data");
            let as_root = unsafe { libc::geteuid() } == 0;
            let _ = command(as_root, &cluster.bin.join("pg_ctl"))
                .args(["-D", data.to_str().unwrap(), "-m", "immediate", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// `url` naming database `name` instead (a URL, or a `key=value` string).
pub fn with_database(url: &str, name: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return format!("{url} dbname={name}");
    };
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let host_start = scheme_end + 3;
    let path_start = base[host_start..]
        .find('/')
        .map_or(base.len(), |i| host_start + i);
    format!("{}/{name}{query}", &base[..path_start])
}

/// Debian's versioned server bin directory (the newest version), or the directory of an
/// `initdb` on PATH.
fn server_bin_dir() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return bin;
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
        .expect(
            "no PostgreSQL server programs (initdb) found: run `make postgres` (installs \
             Debian's postgresql) or set LIVESCORE_TEST_DATABASE_URL",
        )
}

/// A command, run as the `postgres` user when we are root.
fn command(as_root: bool, program: &Path) -> Command {
    if as_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn run(as_root: bool, program: &Path, args: &[&str]) {
    let out = command(as_root, program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    assert!(
        out.status.success(),
        "{} failed: {}{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The uid and gid of the `postgres` user.
fn postgres_user() -> (u32, u32) {
    let name = std::ffi::CString::new("postgres").unwrap();
    // SAFETY: getpwnam returns a pointer to static storage or null; read before any other call.
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    assert!(
        !pw.is_null(),
        "no `postgres` user: install Debian's postgresql package (make postgres)"
    );
    unsafe { ((*pw).pw_uid, (*pw).pw_gid) }
}

/// A loopback port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
