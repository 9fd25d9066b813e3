//! The `livescore` binary as a user runs it: start-up errors, the printed address, and a clean,
//! quick shutdown on SIGTERM and SIGINT.

mod common;

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::*;

const BIN: &str = env!("CARGO_BIN_EXE_livescore");

/// Copy the shipped fixtures to a temporary directory, with `file` replaced by `text`.
fn fixtures_with(file: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["leagues.json", "teams.json", "matches.json", "news.json"] {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name);
        std::fs::copy(src, dir.path().join(name)).unwrap();
    }
    std::fs::write(dir.path().join(file), text).unwrap();
    dir
}

/// Run the binary to completion; return its exit status and stderr.
fn run_to_end(args: &[&str]) -> (std::process::ExitStatus, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("LIVESCORE_BIND")
        .output()
        .unwrap();
    (
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_broken_fixture_file_stops_start_up_naming_file_line_and_problem() {
    let dir = fixtures_with(
        "matches.json",
        "[\n  {\"id\": 1, \"league\": \"epl\",\n   \"home\": ARS}\n]\n",
    );
    let (status, stderr) = run_to_end(&[
        "--bind",
        "127.0.0.1:0",
        "--fixtures",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!status.success());
    assert!(stderr.contains("matches.json"), "{stderr}");
    assert!(stderr.contains("line 3"), "{stderr}");
    assert!(stderr.contains("expected value"), "{stderr}");

    let unknown_team = r#"[
  {"id": 1, "league": "epl", "home": "ARS", "away": "CHE", "kickoff": "12:30"},
  {"id": 2, "league": "epl", "home": "LIV", "away": "XYZ", "kickoff": "15:00"}
]"#;
    let dir = fixtures_with("matches.json", unknown_team);
    let (status, stderr) = run_to_end(&[
        "--bind",
        "127.0.0.1:0",
        "--fixtures",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!status.success());
    assert!(
        stderr.contains("matches.json, line 3: match 2 names unknown team `XYZ`"),
        "{stderr}"
    );

    let missing = tempfile::tempdir().unwrap();
    let (status, stderr) = run_to_end(&[
        "--bind",
        "127.0.0.1:0",
        "--fixtures",
        missing.path().to_str().unwrap(),
    ]);
    assert!(!status.success());
    assert!(
        stderr.contains("leagues.json") && stderr.contains("cannot read it"),
        "{stderr}"
    );
}

#[test]
fn impossible_settings_are_refused_by_flag_name() {
    let (status, stderr) = run_to_end(&["--bind", "127.0.0.1:0", "--speed", "0"]);
    assert!(!status.success());
    assert!(stderr.contains("--speed must be between"), "{stderr}");
    let (status, stderr) = run_to_end(&["--bind", "127.0.0.1:0", "--heartbeat-secs", "0"]);
    assert!(!status.success());
    assert!(
        stderr.contains("--heartbeat-secs must be at least 1"),
        "{stderr}"
    );
}

/// Start the binary on a free port; return the child and its base URL (from its first line).
fn spawn_server(extra: &[&str]) -> (Child, String) {
    let mut command = Command::new(BIN);
    command
        .args(["--bind", "127.0.0.1:0", "--speed", "60", "--in-memory"])
        .args(extra);
    common::process::spawn(command)
}

async fn shuts_down_cleanly_on(signal: &str) {
    let (mut child, url) = spawn_server(&[]);
    let mut viewer = SseClient::connect(&format!("{url}/events"), None).await;
    viewer.next_frame().await;
    viewer.next_frame().await;

    let sent = Instant::now();
    Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    // The viewer's stream ends (rather than hanging or erroring)...
    while viewer.next_frame().await.is_some() {}
    // ...and the process exits successfully, promptly.
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "still running 5 s after {signal}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "exit status after {signal}: {status}");
}

#[actix_rt::test]
async fn sigterm_ends_viewer_streams_and_exits() {
    shuts_down_cleanly_on("-TERM").await;
}

#[actix_rt::test]
async fn sigint_ends_viewer_streams_and_exits() {
    shuts_down_cleanly_on("-INT").await;
}
