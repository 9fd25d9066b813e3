//! Ranges of days (`GET /api/matches?date=`, `?from=&to=`): an answer is bounded by
//! `--max-range-bytes` and pages on with a `Link` header, and an answer in flight holds a viewer
//! slot, so one address cannot pin many of them in the server's socket buffers.

mod common;

use std::time::Duration;

use actix_web::http::StatusCode;
use chrono::Utc;
use common::*;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

fn today() -> String {
    Utc::now().date_naive().to_string()
}

/// GET `url`: status, the `Link` header's next URL (path and query), and the body.
async fn get_page(url: &str) -> (StatusCode, Option<String>, bytes::Bytes) {
    let mut resp = client().get(url).send().await.expect("request succeeds");
    let next = resp
        .headers()
        .get("link")
        .map(|v| v.to_str().unwrap().to_owned())
        .map(|link| {
            assert!(link.ends_with("; rel=\"next\""), "{link}");
            link[link.find('<').unwrap() + 1..link.find('>').unwrap()].to_owned()
        });
    let body = resp.body().limit(16 << 20).await.expect("body arrives");
    (resp.status(), next, body)
}

fn ids(body: &[u8]) -> Vec<u64> {
    let list: Vec<Value> = serde_json::from_slice(body).expect("a JSON array");
    list.iter().map(|m| m["id"].as_u64().unwrap()).collect()
}

#[actix_rt::test]
async fn a_long_day_comes_in_pages_that_follow_their_links_to_every_match_once() {
    let fixtures = fixtures::matches_today(60);
    let server = TestServer::start(|c| {
        c.fixtures = Some(fixtures.path().to_owned());
        c.max_range_bytes = 2048;
    });
    // Every match of the day, in kick-off order (ties by id), as the live state has them.
    let snapshot: Value = get_json(&server.url("/api/snapshot")).await;
    let mut expected: Vec<(String, u64)> = snapshot["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["kickoff"].as_str().unwrap().to_owned(),
                m["id"].as_u64().unwrap(),
            )
        })
        .collect();
    expected.sort();
    let expected: Vec<u64> = expected.into_iter().map(|(_, id)| id).collect();
    assert_eq!(expected.len(), 60);

    let mut seen = Vec::new();
    let mut pages = 0;
    let mut next = Some(format!("/api/matches?date={}", today()));
    while let Some(path) = next {
        let (status, link, body) = get_page(&server.url(&path)).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{path}: {}",
            String::from_utf8_lossy(&body)
        );
        assert!(body.len() <= 2048, "{path}: a page of {} bytes", body.len());
        let page = ids(&body);
        assert!(!page.is_empty(), "{path}: an empty page");
        seen.extend(page);
        pages += 1;
        next = link;
        assert!(pages < 100, "the pages do not end");
    }
    assert!(pages > 3, "60 matches in 2 KiB pages: {pages} pages");
    assert_eq!(seen, expected, "every match once, in kick-off order");

    // The same range asked as from/to pages the same way.
    let (_, link, body) =
        get_page(&server.url(&format!("/api/matches?from={0}&to={0}", today()))).await;
    assert!(link.is_some());
    assert_eq!(ids(&body), expected[..ids(&body).len()]);
}

#[actix_rt::test]
async fn a_cursor_that_is_not_one_or_comes_without_days_is_refused() {
    let server = TestServer::start(|_| {});
    let day = today();
    for (url, says) in [
        (
            format!("/api/matches?date={day}&after=42"),
            "is not a cursor",
        ),
        (
            format!("/api/matches?date={day}&after=2026-11-26T15:00:00Z_x"),
            "is not a cursor",
        ),
        (
            "/api/matches?after=2026-11-26T15:00:00Z_4".to_owned(),
            "with date, or from and to",
        ),
    ] {
        let (code, message) = expect_error(&server.url(&url), StatusCode::BAD_REQUEST).await;
        assert_eq!(code, "bad_request", "{url}");
        assert!(message.contains(says), "{url}: {message}");
    }
    // A cursor past the range's end leaves nothing to send.
    let late = format!("/api/matches?date={day}&after=2999-01-01T00:00:00Z_1");
    let (status, link, body) = get_page(&server.url(&late)).await;
    assert_eq!(
        (status, link, &body[..]),
        (StatusCode::OK, None, &b"[]"[..])
    );
}

#[actix_rt::test]
async fn an_address_holding_all_its_slots_is_refused_a_range_until_it_lets_one_go() {
    let server = TestServer::start(|c| c.max_viewers_per_ip = 1);
    let range = server.url(&format!("/api/matches?date={}", today()));
    let mut viewer = SseClient::connect(&server.url("/events"), None).await;
    viewer.next_event().await.expect("the viewer is admitted");
    let (code, message) = expect_error(&range, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(code, "too_many_viewers");
    assert!(message.contains("already holds 1"), "{message}");
    let (status, _) = get(&server.url("/api/matches")).await;
    assert_eq!(status, StatusCode::OK, "the live list is no range");
    viewer.close();
    eventually("the range is answered", Duration::from_secs(10), || async {
        get(&range).await.0 == StatusCode::OK
    })
    .await;
}

/// A range of `matches` matches asked for by a client with a tiny receive window that does not
/// read holds the address's one slot until the client reads it all.
async fn an_unread_answer_holds_its_slot_until_read(matches: u32) -> usize {
    let fixtures = fixtures::matches_today(matches);
    let server = TestServer::start(|c| {
        c.fixtures = Some(fixtures.path().to_owned());
        c.max_viewers_per_ip = 1;
    });
    let path = format!("/api/matches?date={}", today());
    // A client with a tiny receive window that asks and does not read: most of the answer
    // stays in the server's send queue.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(2048).unwrap();
    let mut stalled = socket.connect(server.addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n");
    stalled.write_all(request.as_bytes()).await.unwrap();

    // Its status line says it was admitted (reading those few bytes leaves the rest queued).
    let mut status = [0u8; 12];
    stalled.read_exact(&mut status).await.unwrap();
    assert_eq!(&status, b"HTTP/1.1 200");
    let url = server.url(&path);
    let (code, message) = expect_error(&url, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(
        code, "too_many_viewers",
        "the unread answer holds the address's one slot"
    );
    assert!(message.contains("already holds 1"), "{message}");

    // Read it all: the slot comes back, though the connection stays open.
    let mut reader = BufReader::new(&mut stalled);
    let mut length = None;
    reader.read_line(&mut String::new()).await.unwrap();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = Some(value.trim().parse::<usize>().unwrap());
        }
    }
    let length = length.expect("a range answer has a length");
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await.unwrap();
    assert_eq!(
        ids(&body).len(),
        matches as usize,
        "{length} bytes, every match"
    );
    eventually(
        "the slot is free again",
        Duration::from_secs(10),
        || async { get(&url).await.0 == StatusCode::OK },
    )
    .await;
    drop(stalled);
    length
}

#[actix_rt::test]
async fn a_range_answer_the_client_does_not_read_holds_its_slot_until_it_is_read() {
    // Larger than the socket buffers: the server still has some of it to hand over.
    let large = an_unread_answer_holds_its_slot_until_read(200).await;
    assert!(large > 32 * 1024, "{large} bytes");
    // Small enough for the server's send buffer, larger than the client's window: handed over
    // at once, it waits in the server's socket until the client takes it.
    let small = an_unread_answer_holds_its_slot_until_read(30).await;
    assert!((4 * 1024..12 * 1024).contains(&small), "{small} bytes");
}
