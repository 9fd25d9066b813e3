//! `/metrics` for operators: command round trips by transport, delivery lag, the process's own
//! CPU, memory and file descriptors, the build's version, and `--metrics-bind` moving it all to
//! an address of its own.

mod common;

use std::time::Duration;

use actix_web::http::StatusCode;
use common::*;
use serde_json::json;

/// The value of one series (name with its labels, as exported), or `None` when absent.
async fn series(url: &str, name: &str) -> Option<f64> {
    // On a connection of its own that the server closes after answering, so that no idle
    // connection of an earlier read is still counted in `process_open_fds` by the next one.
    let mut resp = client()
        .get(url)
        .insert_header(("Connection", "close"))
        .send()
        .await
        .expect("metrics answer");
    assert_eq!(resp.status(), StatusCode::OK);
    let body = resp.body().limit(16 << 20).await.expect("metrics body");
    String::from_utf8_lossy(&body)
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

#[actix_rt::test]
async fn command_round_trips_are_timed_for_each_transport() {
    let server = TestServer::start(with_admins);
    let metrics = server.url("/metrics");
    let http = r#"livescore_command_seconds_count{transport="http"}"#;
    let ws = r#"livescore_command_seconds_count{transport="ws"}"#;
    assert_eq!(series(&metrics, http).await, None);
    assert_eq!(series(&metrics, ws).await, None);

    let command = json!({"type": "news.publish", "headline": "over http"});
    let (status, _) = post_command(&server, Some(ALICE), command.to_string()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(series(&metrics, http).await, Some(1.0));

    let (mut admin, _) = AdminClient::login(&server, ALICE).await;
    let reply = admin
        .command(json!({"id": "c1", "type": "news.publish", "headline": "over ws"}))
        .await;
    assert_eq!(reply["type"], "ack", "{reply}");
    assert_eq!(series(&metrics, ws).await, Some(1.0));
    let sum = series(&metrics, r#"livescore_command_seconds_sum{transport="ws"}"#).await;
    assert!(sum.unwrap() > 0.0);
}

#[actix_rt::test]
async fn the_delivery_lag_is_observed_as_viewers_take_events() {
    let server = TestServer::start(with_admins);
    let metrics = server.url("/metrics");
    let count = "livescore_delivery_lag_seconds_count";
    let mut viewer = SseClient::connect(&server.url("/events"), None).await;
    viewer.next_event().await; // the snapshot
    assert_eq!(series(&metrics, count).await, Some(0.0));

    let command = json!({"type": "news.publish", "headline": "lag"});
    post_command(&server, Some(ALICE), command.to_string()).await;
    let event = viewer.next_event().await.unwrap();
    assert_eq!(event.event.as_deref(), Some("news"));
    eventually(
        "a delivery lag observed",
        Duration::from_secs(10),
        || async { series(&metrics, count).await >= Some(1.0) },
    )
    .await;
}

#[actix_rt::test]
async fn process_metrics_and_the_build_version_are_exported_and_follow_the_process() {
    // The server runs as a process of its own, so its descriptors are its own: in this test
    // binary the clients' sockets, and other tests' servers, would share the count.
    let dir = tempfile::tempdir().unwrap();
    let server = common::process::Proc::start(dir.path(), &["--no-generator"]);
    let metrics = server.url("/metrics");
    let version = env!("CARGO_PKG_VERSION");
    let build = format!("livescore_build_info{{version=\"{version}\"}}");
    assert_eq!(series(&metrics, &build).await, Some(1.0));
    assert!(
        series(&metrics, "process_cpu_seconds_total")
            .await
            .is_some()
    );
    assert!(series(&metrics, "process_resident_memory_bytes").await > Some(0.0));
    let mut viewers = Vec::new();
    for _ in 0..20 {
        let mut viewer = SseClient::connect(&server.url("/events"), None).await;
        viewer.next_event().await;
        viewers.push(viewer);
    }
    // Measured as the viewers leave rather than against a count read before they came: that
    // one read may have caught a descriptor of the moment (a closing connection, a store file)
    // and set a bar the viewers could never reach; here every poll reads afresh.
    let with_viewers = series(&metrics, "process_open_fds").await.unwrap();
    for viewer in viewers {
        viewer.close();
    }
    let metrics = &metrics;
    eventually(
        "20 viewers leaving give back 20 descriptors",
        Duration::from_secs(10),
        || async move { series(metrics, "process_open_fds").await.unwrap() <= with_viewers - 20.0 },
    )
    .await;
}

#[actix_rt::test]
async fn metrics_bind_serves_metrics_on_its_own_address_and_not_on_the_public_one() {
    let server = TestServer::start(|c| c.metrics_bind = Some("127.0.0.1:0".parse().unwrap()));
    let private = server.metrics_url();
    assert_ne!(private, server.url("/metrics"));
    assert_eq!(series(&private, "livescore_viewers").await, Some(0.0));

    let (code, message) = expect_error(&server.url("/metrics"), StatusCode::NOT_FOUND).await;
    assert_eq!(code, "not_found");
    assert!(message.contains("--metrics-bind"), "{message}");
    let other = private.replace("/metrics", "/api/matches");
    expect_error(&other, StatusCode::NOT_FOUND).await;
    let (status, _) = get(&server.url("/api/matches")).await;
    assert_eq!(status, StatusCode::OK, "the public address serves the rest");

    // The router decodes percent-escapes; the split decides on the same decoded path.
    for escaped in [
        "/%6detrics",
        "/%6Detrics",
        "/metric%73",
        "/%6d%65%74%72%69%63%73",
    ] {
        let (status, body) = get(&server.url(escaped)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{escaped}");
        assert!(!String::from_utf8_lossy(&body).contains("livescore_viewers"));
        let (status, _) = get(&private.replace("/metrics", escaped)).await;
        assert_eq!(status, StatusCode::OK, "{escaped} on the metrics address");
    }
    let (status, _) = get(&server.url("/api/m%61tches")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "an escaped public path still serves"
    );
    let (code, _) = expect_error(&server.url("/api/matches%20"), StatusCode::BAD_REQUEST).await;
    assert_eq!(code, "bad_request");
}
