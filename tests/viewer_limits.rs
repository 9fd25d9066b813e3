//! The limits that keep one client from taking what belongs to all: per-address caps, long-polls
//! counted as viewers, slots freed the moment a connection closes, the replay bound, long-poll
//! pages; and the HTTP corners (HTTP/1.0, HEAD, OPTIONS, 405).

mod common;

use std::time::Duration;

use actix_web::http::StatusCode;
use common::*;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Publish `n` news items through the admin HTTP endpoint (alice's token).
async fn publish_news(server: &TestServer, n: usize) {
    for i in 0..n {
        let mut resp = client()
            .post(server.url("/api/admin/commands"))
            .insert_header(("Authorization", format!("Bearer {ALICE}")))
            .send_json(
                &json!({"type": "news.publish", "headline": format!("Item {i}"), "tags": ["epl"]}),
            )
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{:?}", resp.body().await);
    }
}

fn admins_without_limits(c: &mut livescore::config::Config) {
    with_admins(c);
    c.admin_rate = 1e6;
    c.admin_burst = 1_000_000;
}

#[actix_rt::test]
async fn one_address_cannot_take_every_viewer_slot_and_long_polls_count() {
    let server = TestServer::start(|c| c.max_viewers_per_ip = 2);
    let first = SseClient::connect(&server.url("/events"), None).await;
    let second = SseClient::connect(&server.url("/events"), None).await;
    assert_eq!(
        (first.status, second.status),
        (StatusCode::OK, StatusCode::OK)
    );
    let (code, message) =
        expect_error(&server.url("/events"), StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(code, "too_many_viewers");
    assert!(
        message.contains("this address already holds 2"),
        "{message}"
    );
    let (code, _) =
        expect_error(&server.url("/api/events?wait=999"), StatusCode::BAD_REQUEST).await;
    assert_eq!(
        code, "bad_request",
        "a bad request is refused before a slot is taken"
    );
    let poll = server.url(&format!("/api/events?since={}.0&wait=1", server.stream));
    let (code, _) = expect_error(&poll, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(code, "too_many_viewers", "a long-poll needs a slot too");
    assert_eq!(metric(&server, "viewers_refused_address_total").await, 2.0);
}

#[actix_rt::test]
async fn a_waiting_long_poll_holds_a_viewer_slot() {
    let server = TestServer::start(|c| c.max_viewers = 1);
    let poll = server.url(&format!("/api/events?since={}.0&wait=30", server.stream));
    let waiting = actix_rt::spawn(async move { get(&poll).await });
    eventually("the long-poll waits", Duration::from_secs(10), || async {
        metric(&server, "long_poll_waiting").await == 1.0
    })
    .await;
    let (code, _) = expect_error(&server.url("/events"), StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(code, "too_many_viewers");
    waiting.abort();
}

#[actix_rt::test]
async fn a_closed_connection_frees_its_slot_at_once_not_at_the_next_heartbeat() {
    let server = TestServer::start(|c| {
        c.max_viewers = 1;
        c.heartbeat_secs = 3600;
    });
    // Read everything the server sent, then close: the server sees a plain FIN (no reset), as
    // from a browser tab that was closed while the stream was idle.
    let mut socket = TcpStream::connect(server.addr).await.unwrap();
    socket
        .write_all(b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 65536];
    // The snapshot is complete when a chunk ends with the frame's blank line.
    while !(seen.ends_with(b"\n\n\r\n") && String::from_utf8_lossy(&seen).contains("snapshot")) {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0);
        seen.extend_from_slice(&buf[..n]);
    }
    drop(socket);
    eventually(
        "a new viewer is admitted after the first closed",
        Duration::from_secs(10),
        || async {
            let next = SseClient::connect(&server.url("/events"), None).await;
            next.status == StatusCode::OK
        },
    )
    .await;
}

#[actix_rt::test]
async fn a_resume_further_behind_than_the_replay_bound_gets_a_snapshot() {
    let server = TestServer::start(|c| {
        admins_without_limits(c);
        c.max_replay_events = 5;
    });
    publish_news(&server, 10).await;
    let far = format!("{}.2", server.stream);
    let mut viewer = SseClient::connect(&server.url("/events"), Some(&far)).await;
    let frame = viewer.next_event().await.unwrap();
    assert_eq!(frame.event.as_deref(), Some("snapshot"), "8 behind > 5");
    let near = format!("{}.6", server.stream);
    let mut viewer = SseClient::connect(&server.url("/events"), Some(&near)).await;
    for seq in 7..=10 {
        let frame = viewer.next_event().await.unwrap();
        assert_eq!(frame.id.as_deref().map(seq_of), Some(seq), "{frame:?}");
    }
}

#[actix_rt::test]
async fn a_long_replay_is_paged_for_sse_and_capped_for_long_polls() {
    let server = TestServer::start(|c| {
        admins_without_limits(c);
        c.max_poll_events = 300;
    });
    // More than one replay page (512 events) behind.
    publish_news(&server, 1100).await;
    let from = format!("{}.0", server.stream);
    let mut viewer = SseClient::connect(&server.url("/events"), Some(&from)).await;
    for seq in 1..=1100 {
        let frame = viewer.next_event().await.unwrap();
        assert_eq!(frame.id.as_deref().map(seq_of), Some(seq));
    }

    let poll = |since: u64, limit: Option<u64>| {
        let limit = limit.map(|l| format!("&limit={l}")).unwrap_or_default();
        server.url(&format!(
            "/api/events?since={}.{since}&wait=0{limit}",
            server.stream
        ))
    };
    let mut resp = client().get(poll(0, None)).send().await.unwrap();
    let more = resp.headers().get("livescore-more").cloned();
    let events: Vec<Value> = resp.json().limit(1 << 24).await.unwrap();
    assert_eq!(events.len(), 300, "capped at --max-poll-events");
    assert_eq!(events[299]["seq"], 300);
    assert_eq!(more.as_ref().and_then(|v| v.to_str().ok()), Some("true"));

    let mut resp = client().get(poll(1000, Some(50))).send().await.unwrap();
    assert!(resp.headers().get("livescore-more").is_some());
    let events: Vec<Value> = resp.json().await.unwrap();
    assert_eq!(events.first().map(|e| e["seq"].clone()), Some(json!(1001)));
    assert_eq!(events.len(), 50);

    let mut resp = client().get(poll(1090, Some(50))).send().await.unwrap();
    assert!(resp.headers().get("livescore-more").is_none(), "all 10 fit");
    let events: Vec<Value> = resp.json().await.unwrap();
    assert_eq!(events.len(), 10);

    let (code, message) = expect_error(&poll(0, Some(301)), StatusCode::BAD_REQUEST).await;
    assert_eq!(code, "bad_request");
    assert!(message.contains("limit"), "{message}");
}

/// Send a raw request and read until the headers and `want` bytes of body have arrived.
async fn raw(server: &TestServer, request: &str, want: &str) -> String {
    let mut socket = TcpStream::connect(server.addr).await.unwrap();
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains(want) {
        let n = tokio::time::timeout(Duration::from_secs(10), socket.read(&mut buf))
            .await
            .expect("the server answers")
            .unwrap();
        assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&seen).into_owned()
}

#[actix_rt::test]
async fn an_http_1_0_viewer_gets_a_close_delimited_stream_not_chunks() {
    let server = TestServer::start(|_| {});
    let answer = raw(&server, "GET /events HTTP/1.0\r\n\r\n", "event: snapshot").await;
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.0 200"), "{head}");
    assert!(!head.to_ascii_lowercase().contains("chunked"), "{head}");
    assert!(
        body.starts_with("retry: "),
        "the body is the SSE stream itself: {body:.40}"
    );
}

#[actix_rt::test]
async fn head_options_and_wrong_methods_get_proper_answers() {
    let server = TestServer::start(|_| {});
    for path in ["/healthz", "/api/matches", "/", "/events"] {
        let resp = client().head(server.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "HEAD {path}");
    }
    let answer = raw(
        &server,
        "HEAD /events HTTP/1.1\r\nHost: x\r\n\r\n",
        "\r\n\r\n",
    )
    .await;
    assert!(answer.contains("text/event-stream"), "{answer}");
    assert!(
        answer.ends_with("\r\n\r\n"),
        "no body after the headers: {answer}"
    );

    let resp = client()
        .request(actix_web::http::Method::OPTIONS, server.url("/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(resp.headers().get("allow").unwrap(), "GET, HEAD, OPTIONS");
    let resp = client()
        .request(
            actix_web::http::Method::OPTIONS,
            server.url("/api/admin/commands"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers().get("allow").unwrap(), "POST, OPTIONS");

    let mut resp = client().post(server.url("/events")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(resp.headers().get("allow").unwrap(), "GET, HEAD, OPTIONS");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
    let resp = client()
        .request(
            actix_web::http::Method::OPTIONS,
            server.url("/nothing-here"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}
