//! The `livescore` binary as a child process on a data directory, for the durability tests:
//! start it, read its address, stop it with SIGTERM or SIGKILL, and run it to completion.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{ALICE, BOB, client};

pub const BIN: &str = env!("CARGO_BIN_EXE_livescore");

/// A server process on a data directory.
pub struct Proc {
    pub child: Child,
    pub base: String,
}

/// Start `command` (the binary, its flags set, bound to port 0) and read its base URL from the
/// first line it prints; the rest of its output is drained, as a terminal would.
pub fn spawn(mut command: Command) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = read_banner(&mut child);
    (child, base)
}

/// The base URL from the first line `child` prints; the rest of its output is drained, as a
/// terminal would.
fn read_banner(child: &mut Child) -> String {
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    first
        .trim()
        .strip_prefix("livescore listening on ")
        .unwrap_or_else(|| panic!("the server did not start: {first:?}"))
        .trim_end_matches('/')
        .to_owned()
}

/// What a server process writes to stderr, line by line, as it arrives.
#[derive(Clone, Default)]
pub struct Stderr(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Stderr {
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// [`spawn`], keeping what the server writes to stderr (read from a pipe, not a terminal).
pub fn spawn_logged(mut command: Command) -> (Child, String, Stderr) {
    let stderr = Stderr::default();
    command.stderr(Stdio::piped());
    let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
    let pipe = BufReader::new(child.stderr.take().unwrap());
    let lines = stderr.clone();
    std::thread::spawn(move || {
        for line in pipe.split(b'\n') {
            let Ok(line) = line else { break };
            lines
                .0
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&line).into_owned());
        }
    });
    let base = read_banner(&mut child);
    (child, base, stderr)
}

impl Proc {
    pub fn start(dir: &Path, extra: &[&str]) -> Proc {
        let mut command = Command::new(BIN);
        command
            .args(["--bind", "127.0.0.1:0", "--data-dir"])
            .arg(dir)
            .args(extra)
            .env("LIVESCORE_ADMIN_TOKENS", format!("alice:{ALICE},bob:{BOB}"))
            .env("LIVESCORE_LOG", "warn")
            // As in TestServer: every news item stays live unless a test says otherwise.
            .env("LIVESCORE_LIVE_NEWS", "1000000");
        let (child, base) = spawn(command);
        Proc { child, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn ws(&self) -> String {
        self.url("/ws/admin").replace("http://", "ws://")
    }

    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    pub fn stop(mut self) {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run the binary to completion (a start-up that must fail, or a subcommand). A server that
/// starts instead of failing is stopped after 20 s and reported as a success.
pub fn run(args: &[&str]) -> (bool, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .env("LIVESCORE_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// POST a command with Alice's token to a server process; status and JSON body.
pub async fn post_command_to(
    url: &str,
    body: serde_json::Value,
) -> (actix_web::http::StatusCode, serde_json::Value) {
    let mut resp = client()
        .post(url)
        .insert_header(("Authorization", format!("Bearer {ALICE}")))
        .send_body(body.to_string())
        .await
        .unwrap();
    let json = resp.json().limit(1 << 20).await.unwrap();
    (resp.status(), json)
}

/// Resident memory of process `pid`, in MiB.
pub fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/<pid>/status");
    kb / 1024.0
}
