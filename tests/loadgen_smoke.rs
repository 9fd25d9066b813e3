//! A fast smoke run of the load generator against a real server, so the benchmark tool cannot
//! rot: a few viewers of each transport, a few seconds, and its JSON report must show every
//! update delivered exactly once.

mod common;

use common::*;

fn loadgen(
    server: &TestServer,
    transport: &str,
    seconds: &str,
    extra: &[&str],
) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args([
            "run",
            "--json",
            "--url",
            &server.url(""),
            "--transport",
            transport,
        ])
        .args([
            "--viewers",
            "20",
            "--rate",
            "10",
            "--duration",
            seconds,
            "--drain-ms",
            "1500",
        ])
        .args(["--token", ALICE])
        .args(extra)
        .output()
        .expect("loadgen runs");
    assert!(
        out.status.success(),
        "loadgen failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the report is JSON")
}

#[test]
fn every_transport_delivers_every_update_exactly_once() {
    let server = TestServer::start(with_admins);
    for transport in ["sse", "ws", "longpoll", "poll"] {
        let report = loadgen(&server, transport, "2", &[]);
        assert_eq!(report["connected"], 20, "{transport}: {report}");
        assert_eq!(report["published"]["accepted"], 20, "{transport}: {report}");
        assert_eq!(report["delivered"], 400, "{transport}: {report}");
        assert_eq!(report["missing"], 0, "{transport}");
        assert_eq!(report["duplicates"], 0, "{transport}");
        assert!(report["latency_ms"]["p50"].as_f64().unwrap() > 0.0);
        assert!(report["bytes_per_update"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn churning_sse_viewers_resume_without_gaps_or_duplicates() {
    let server = TestServer::start(with_admins);
    let report = loadgen(&server, "sse", "3", &["--churn", "0.5"]);
    assert!(report["reconnects"].as_u64().unwrap() >= 10, "{report}");
    assert_eq!(report["missing"], 0, "{report}");
    assert_eq!(report["duplicates"], 0, "{report}");
}
