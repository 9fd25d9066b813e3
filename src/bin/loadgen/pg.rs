//! A throwaway PostgreSQL for the cluster benchmark: `initdb` in a directory under the results
//! folder, `pg_ctl start` on a free loopback port, `pg_ctl -m immediate stop` and the directory
//! removed when dropped (so also when a scenario fails).
//!
//! The server programs come from Debian's `postgresql` package, in
//! `/usr/lib/postgresql/<version>/bin` (not on PATH; `make postgres` installs it). `initdb`
//! refuses to run as root, so as root the cluster is made and run as the `postgres` user, in a
//! directory that user owns. `fsync` and `synchronous_commit` stay on: commits cost what they
//! would in production on this disk.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, bail};

/// A running PostgreSQL cluster, stopped when dropped.
pub struct Postgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_root: bool,
}

impl Postgres {
    /// Make and start a cluster in a new directory under `parent`.
    pub fn start(parent: &Path) -> anyhow::Result<Postgres> {
        let bin = server_bin_dir()?;
        let as_root = unsafe { libc::geteuid() } == 0;
        let dir = std::path::absolute(parent)?.join(format!("pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        if as_root {
            let (uid, gid) = postgres_user()?;
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
                .with_context(|| format!("chown {} to postgres", dir.display()))?;
        }
        // From here on, dropping `server` stops whatever was started and removes the directory.
        let mut server = Postgres {
            bin,
            dir,
            port: 0,
            as_root,
        };
        let data = server.dir.join("data");
        server.run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-A".as_ref(),
                "trust".as_ref(),
                "-U".as_ref(),
                "postgres".as_ref(),
            ],
        )?;
        let log = server.dir.join("server.log");
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
            let options = format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
                server.dir.display()
            );
            let out = server
                .command("pg_ctl")
                .arg("-D")
                .arg(&data)
                .args(["-w", "-l"])
                .arg(&log)
                .args(["-o", &options, "start"])
                .stdout(Stdio::null())
                .output()
                .context("running pg_ctl start")?;
            if out.status.success() {
                server.port = port;
                return Ok(server);
            }
            last_error = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stderr),
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        bail!("PostgreSQL did not start: {last_error}")
    }

    /// A URL of a new, empty database `name` on this server.
    pub async fn fresh_database(&self, name: &str) -> anyhow::Result<String> {
        let admin = format!("postgresql://postgres@127.0.0.1:{}/postgres", self.port);
        let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
            .await
            .with_context(|| format!("connecting to {admin}"))?;
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .with_context(|| format!("creating database {name}"))?;
        Ok(format!(
            "postgresql://postgres@127.0.0.1:{}/{name}",
            self.port
        ))
    }

    /// `program` from the server's bin directory, as the `postgres` user when we are root.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) -> anyhow::Result<()> {
        let out = self
            .command(program)
            .args(args)
            .output()
            .with_context(|| format!("running {program}"))?;
        if !out.status.success() {
            bail!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if self.port != 0 {
            let _ = self
                .command("pg_ctl")
                .arg("-D")
                .arg(self.dir.join("data"))
                .args(["-m", "immediate", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Debian's versioned server bin directory (the newest version), or the directory of an
/// `initdb` on PATH.
fn server_bin_dir() -> anyhow::Result<PathBuf> {
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
        return Ok(bin);
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
        .context("no PostgreSQL server programs (initdb) found: run `make postgres`")
}

/// The uid and gid of the `postgres` user.
fn postgres_user() -> anyhow::Result<(u32, u32)> {
    let name = std::ffi::CString::new("postgres")?;
    // SAFETY: getpwnam returns a pointer to static storage or null; read before any other call.
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    if pw.is_null() {
        bail!("no `postgres` user: install Debian's postgresql package (make postgres)");
    }
    // SAFETY: checked non-null above.
    Ok(unsafe { ((*pw).pw_uid, (*pw).pw_gid) })
}
