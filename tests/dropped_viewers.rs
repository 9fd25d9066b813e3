//! Viewers that stop reading, on SSE and on the viewer WebSocket: once the broadcaster drops
//! them as too slow, their address gets its slots back at once, and their connections, which
//! never drain, are closed by the write timeout (`--write-timeout-secs`) instead of being held
//! for ever with the bytes queued in them.

mod common;

use std::time::Duration;

use actix_web::http::StatusCode;
use common::*;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpSocket, TcpStream};

/// Non-reading viewers per test, on each transport.
const STALLED: usize = 4;

/// A long story, so that socket buffers fill in a few commands.
fn long_story() -> String {
    serde_json::json!({
        "type": "news.publish",
        "headline": "A long read",
        "body": "words ".repeat(1_500),
    })
    .to_string()
}

/// A viewer with a tiny receive window that sends its request on `path` and then reads nothing.
async fn stalled_viewer(base: &str, path: &str) -> TcpStream {
    let host = base.strip_prefix("http://").unwrap();
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(host.parse().unwrap()).await.unwrap();
    let request = if path == "/ws/feed" {
        format!(
            "GET /ws/feed HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
    } else {
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n")
    };
    stream.write_all(request.as_bytes()).await.unwrap();
    stream
}

/// The value of `livescore_<name>` (unlabelled) at `base`, or 0.
async fn metric_at(base: &str, name: &str) -> f64 {
    let (_, body) = get(&format!("{base}/metrics")).await;
    String::from_utf8_lossy(&body)
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .map(|v| v.trim().parse().unwrap())
        .unwrap_or(0.0)
}

/// Publish long stories at `base` until `done` holds.
async fn publish_until<F, Fut>(base: &str, what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let url = format!("{base}/api/admin/commands");
    eventually(what, Duration::from_secs(90), || {
        let (url, done) = (url.clone(), done());
        async move {
            for _ in 0..10 {
                let mut resp = client()
                    .post(&url)
                    .insert_header(("Authorization", format!("Bearer {ALICE}")))
                    .insert_header(("Content-Type", "application/json"))
                    .send_body(long_story())
                    .await
                    .unwrap();
                let _ = resp.body().await;
                assert_eq!(resp.status(), StatusCode::OK);
            }
            done.await
        }
    })
    .await;
}

#[actix_rt::test]
async fn a_viewer_dropped_as_too_slow_frees_its_slot_while_its_connection_is_still_open() {
    let server = TestServer::start(|c| {
        with_admins(c);
        c.admin_rate = 1e6;
        c.admin_burst = 1_000_000;
        c.max_viewers_per_ip = 2 * STALLED;
        c.viewer_buffer_bytes = 16 * 1024;
    });
    let base = server.url("");
    let mut stalled = Vec::new();
    for path in ["/events", "/ws/feed"] {
        for _ in 0..STALLED {
            stalled.push(stalled_viewer(&base, path).await);
        }
    }
    eventually(
        "every stalled viewer is subscribed",
        Duration::from_secs(10),
        || async { metric(&server, "viewers").await >= (2 * STALLED) as f64 },
    )
    .await;
    let (status, _) = get(&server.url("/events")).await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "the address is full"
    );

    let dropped = (2 * STALLED) as f64;
    publish_until(
        &base,
        "the stalled viewers are dropped as too slow",
        || async { metric_at(&base, "livescore_viewers_dropped_slow_total").await >= dropped },
    )
    .await;
    // Their sockets are still open (this test holds them, unread); their slots are not.
    let mut fresh = SseClient::connect(&server.url("/events"), None).await;
    assert_eq!(
        fresh.status,
        StatusCode::OK,
        "the dropped viewers' slots are free"
    );
    assert!(fresh.next_event().await.is_some());
    drop(stalled);
}

#[actix_rt::test]
async fn a_dropped_viewer_that_never_reads_is_disconnected_by_the_write_timeout() {
    // A process of its own, so that its descriptor count is its own.
    let dir = tempfile::tempdir().unwrap();
    let server = common::process::Proc::start(
        dir.path(),
        &[
            "--no-generator",
            "--write-timeout-secs",
            "2",
            "--viewer-buffer-bytes",
            "16384",
            "--admin-rate",
            "100000",
            "--admin-burst",
            "100000",
        ],
    );
    let base = server.url("");
    let fds = metric_at(&base, "process_open_fds").await;
    let mut stalled = Vec::new();
    for path in ["/events", "/ws/feed"] {
        for _ in 0..STALLED {
            stalled.push(stalled_viewer(&base, path).await);
        }
    }
    let held = fds + (2 * STALLED) as f64;
    eventually(
        "the stalled viewers hold descriptors",
        Duration::from_secs(10),
        || async { metric_at(&base, "process_open_fds").await >= held },
    )
    .await;
    // Dropped as too slow, or aborted by the write timeout first: either way, closed.
    publish_until(
        &base,
        "the server closes the connections nobody reads",
        || async { metric_at(&base, "process_open_fds").await <= fds + 2.0 },
    )
    .await;
    drop(stalled);
}
