//! Running the binary as an operator would: settings from a config file under the environment
//! and the command line, JSON logs with an access line per request (its id sent back in
//! `X-Request-Id`) and no colour codes when stderr is not a terminal.

mod common;

use std::process::Command;
use std::time::Duration;

use common::process::*;
use common::*;
use serde_json::Value;

/// The binary with `args`, logging at `info`, no admin tokens of its own.
fn server(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("LIVESCORE_LOG", "info")
        .env_remove("LIVESCORE_CONFIG");
    command
}

/// The JSON log lines (each line of stderr must be one).
fn json_lines(stderr: &Stderr) -> Vec<Value> {
    stderr
        .lines()
        .iter()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"))
        })
        .collect()
}

#[actix_rt::test]
async fn a_config_file_is_overridden_by_the_environment_and_the_environment_by_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("livescore.toml");
    std::fs::write(
        &file,
        "bind = \"127.0.0.1:0\"\nin-memory = true\nno-generator = true\nlog-format = \"json\"\n\
         node-name = \"file-node\"\nretry-ms = 1111\n",
    )
    .unwrap();
    let mut command = server(&["--node-name", "flag-node"]);
    command
        .env("LIVESCORE_CONFIG", &file)
        .env("LIVESCORE_NODE_NAME", "env-node")
        .env("LIVESCORE_RETRY_MS", "2222");
    let (child, base, stderr) = spawn_logged(command);
    let p = Proc { child, base };

    let health: Value = get_json(&p.url("/healthz")).await;
    assert_eq!(health["node"], "flag-node", "the flag beats env and file");
    assert_eq!(health["generator"], "off", "the file's no-generator");
    assert_eq!(health["durable"], false, "the file's in-memory");
    let mut viewer = SseClient::connect(&p.url("/events"), None).await;
    let retry = viewer.next_frame().await.unwrap();
    assert_eq!(retry.retry, Some(2222), "the environment beats the file");
    assert!(!json_lines(&stderr).is_empty(), "the file's log-format");
}

#[test]
fn a_bad_config_file_stops_start_up_naming_the_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("livescore.toml");
    std::fs::write(&file, "in-memory = true\nheartbeat-sec = 5\n").unwrap();
    let (ok, _, err) = run(&["--config", file.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        err.contains("livescore.toml:2: unknown key `heartbeat-sec`"),
        "{err}"
    );
    std::fs::write(&file, "in-memory = true\nmax-viewers = -3\n").unwrap();
    let (ok, _, err) = run(&["--config", file.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("livescore.toml:2: `max-viewers`"), "{err}");
}

#[test]
fn values_too_large_to_serve_with_stop_start_up_instead_of_panicking_later() {
    let huge = (1u64 << 62).to_string();
    for flag in ["--viewer-buffer", "--max-store-replays", "--heartbeat-secs"] {
        let (ok, _, err) = run(&["--in-memory", "--bind", "127.0.0.1:0", flag, &huge]);
        assert!(!ok, "{flag} {huge} started");
        assert!(err.contains(&format!("{flag} must be at most")), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn a_token_named_like_the_machine_authors_is_refused() {
    for name in ["generator", "calendar"] {
        let tokens = format!("{name}:a-long-enough-token");
        let (ok, _, err) = run(&[
            "--in-memory",
            "--bind",
            "127.0.0.1:0",
            "--admin-tokens",
            &tokens,
        ]);
        assert!(!ok, "{name} was accepted");
        assert!(
            err.contains(&format!("`{name}` is the name the feed gives")),
            "{err}"
        );
    }
}

#[actix_rt::test]
async fn the_default_config_file_starts_the_server_as_no_file_would() {
    let (ok, file, _) = run(&["config", "default"]);
    assert!(ok);
    assert!(file.contains("\nheartbeat-secs = 15\n"), "{file}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("livescore.toml");
    std::fs::write(&path, file).unwrap();
    // The defaults bind 127.0.0.1:8080; the flag moves it, the rest comes from the file.
    let command = server(&[
        "--config",
        path.to_str().unwrap(),
        "--bind",
        "127.0.0.1:0",
        "--in-memory",
    ]);
    let (child, base) = spawn(command);
    let p = Proc { child, base };
    let health: Value = get_json(&p.url("/healthz")).await;
    assert_eq!(health["status"], "ok");
}

#[actix_rt::test]
async fn json_logs_have_an_access_line_per_request_with_the_id_sent_back() {
    let command = server(&[
        "--bind",
        "127.0.0.1:0",
        "--in-memory",
        "--no-generator",
        "--log-format",
        "json",
        "--trusted-proxies",
        "127.0.0.1",
    ]);
    let (child, base, stderr) = spawn_logged(command);
    let p = Proc { child, base };

    let resp = client().get(p.url("/api/matches")).send().await.unwrap();
    let id = resp
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!id.is_empty());
    let access = |id: String| {
        let stderr = stderr.clone();
        move || {
            let id = id.clone();
            let lines = json_lines(&stderr);
            async move { lines.iter().any(|l| l["request_id"] == id.as_str()) }
        }
    };
    eventually(
        "the access line",
        Duration::from_secs(10),
        access(id.clone()),
    )
    .await;
    let line = json_lines(&stderr)
        .into_iter()
        .find(|l| l["request_id"] == id.as_str() && l["message"] == "request")
        .unwrap();
    assert_eq!(line["method"], "GET", "{line}");
    assert_eq!(line["path"], "/api/matches", "{line}");
    assert_eq!(line["status"], 200, "{line}");

    // A proxy's request id is kept; HEAD is logged as HEAD.
    let resp = client()
        .head(p.url("/healthz"))
        .insert_header(("X-Request-Id", "from-the-proxy-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers().get("x-request-id").unwrap(),
        "from-the-proxy-1"
    );
    eventually(
        "the proxy's id logged",
        Duration::from_secs(10),
        access("from-the-proxy-1".into()),
    )
    .await;
    let line = json_lines(&stderr)
        .into_iter()
        .find(|l| l["request_id"] == "from-the-proxy-1")
        .unwrap();
    assert_eq!(line["method"], "HEAD", "{line}");

    // Behind the trusted proxy, the line names the client it forwards for, and the proxy apart.
    let resp = client()
        .get(p.url("/healthz"))
        .insert_header(("X-Request-Id", "from-the-proxy-2"))
        .insert_header(("X-Forwarded-For", "198.51.100.7"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    eventually(
        "the forwarded client's line",
        Duration::from_secs(10),
        access("from-the-proxy-2".into()),
    )
    .await;
    let line = json_lines(&stderr)
        .into_iter()
        .find(|l| l["request_id"] == "from-the-proxy-2")
        .unwrap();
    assert_eq!(line["client"], "198.51.100.7", "{line}");
    assert_eq!(line["via"], "127.0.0.1", "{line}");
    // Even from the proxy, an id outside the safe alphabet is replaced.
    let resp = client()
        .get(p.url("/healthz"))
        .insert_header(("X-Request-Id", "id with spaces\"and quotes"))
        .send()
        .await
        .unwrap();
    let id = resp
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(!id.contains(' ') && !id.contains('"'), "{id}");

    // An SSE viewer's stream end is logged with how long it stayed.
    let mut viewer = SseClient::connect(&p.url("/events"), None).await;
    let id = viewer.header("x-request-id").unwrap().to_owned();
    viewer.next_frame().await;
    viewer.close();
    let ended = |id: String| {
        let stderr = stderr.clone();
        move || {
            let lines = json_lines(&stderr);
            let id = id.clone();
            async move {
                lines.iter().any(|l| {
                    l["request_id"] == id.as_str()
                        && l["message"] == "viewer stream ended"
                        && l["connected_secs"].as_f64().is_some()
                })
            }
        }
    };
    eventually("the stream-end line", Duration::from_secs(10), ended(id)).await;

    let raw = stderr.lines().concat();
    assert!(!raw.contains('\u{1b}'), "no escape codes on a pipe: {raw}");
}

#[actix_rt::test]
async fn text_logs_on_a_pipe_have_no_colour_codes() {
    let command = server(&["--bind", "127.0.0.1:0", "--in-memory", "--no-generator"]);
    let (child, base, stderr) = spawn_logged(command);
    let p = Proc { child, base };
    // Without --trusted-proxies no client names its own request id.
    let resp = client()
        .get(p.url("/healthz"))
        .insert_header(("X-Request-Id", "chosen-by-the-client"))
        .send()
        .await
        .unwrap();
    assert_ne!(
        resp.headers().get("x-request-id").unwrap(),
        "chosen-by-the-client"
    );
    let id = resp
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    eventually("the access line", Duration::from_secs(10), || {
        let lines = stderr.lines();
        let id = id.clone();
        async move { lines.iter().any(|l| l.contains(&id)) }
    })
    .await;
    let raw = stderr.lines().concat();
    assert!(raw.contains("/healthz"), "{raw}");
    assert!(!raw.contains('\u{1b}'), "no escape codes on a pipe: {raw}");
}
