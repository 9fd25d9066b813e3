//! Compression: JSON goes out gzip or brotli when the client accepts it, embedded pages and the
//! OpenAPI document are sent as compressed at build time, answers that never change (past days,
//! archived matches) are compressed once and then come from a cache, a HEAD gets the GET's
//! headers, and the SSE stream is never compressed.

mod common;

use std::io::Read as _;
use std::time::Duration;

use actix_web::http::StatusCode;
use bytes::Bytes;
use common::{ALICE, SseClient, TestServer, client, envelope, snapshot, with_admins};
use serde_json::{Value, json};

/// GET `url` with `Accept-Encoding: accept`: the status, headers and raw body (not decoded).
async fn fetch(url: &str, accept: &str) -> (StatusCode, actix_web::http::header::HeaderMap, Bytes) {
    let mut resp = client()
        .get(url)
        .insert_header(("Accept-Encoding", accept))
        .send()
        .await
        .expect("request succeeds");
    let body = resp.body().limit(16 << 20).await.expect("body arrives");
    (resp.status(), resp.headers().clone(), body)
}

fn header<'a>(headers: &'a actix_web::http::header::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn decode(encoding: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "gzip" => flate2::read::GzDecoder::new(body)
            .read_to_end(&mut out)
            .expect("valid gzip"),
        "br" => brotli::Decompressor::new(body, 4096)
            .read_to_end(&mut out)
            .expect("valid brotli"),
        other => panic!("unexpected encoding {other}"),
    };
    out
}

async fn publish(server: &TestServer, headline: &str, body: &str) {
    let mut resp = client()
        .post(server.url("/api/admin/commands"))
        .insert_header(("Authorization", format!("Bearer {ALICE}")))
        .send_body(json!({"type": "news.publish", "headline": headline, "body": body}).to_string())
        .await
        .expect("command sent");
    let reply = resp.body().await.unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply)
    );
}

#[actix_rt::test]
async fn a_64_kb_snapshot_goes_out_compressed_and_decodes_to_the_same_json() {
    let server = TestServer::start(with_admins);
    for n in 0..8 {
        let body: String = (0..900).map(|i| format!("line {n}-{i} ")).collect();
        publish(&server, &format!("story {n}"), &body[..9_000]).await;
    }
    let url = server.url("/api/snapshot");
    let (status, headers, plain) = fetch(&url, "identity").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        plain.len() >= 64 * 1024,
        "snapshot is {} bytes",
        plain.len()
    );
    assert_eq!(header(&headers, "content-encoding"), None);
    let plain: Value = serde_json::from_slice(&plain).unwrap();

    for encoding in ["gzip", "br"] {
        let (status, headers, body) = fetch(&url, encoding).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(header(&headers, "content-encoding"), Some(encoding));
        assert!(
            header(&headers, "vary").is_some_and(|v| v.eq_ignore_ascii_case("accept-encoding")),
            "{headers:?}"
        );
        assert!(body.len() < 64 * 1024, "{encoding}: {} bytes", body.len());
        let decoded: Value = serde_json::from_slice(&decode(encoding, &body)).unwrap();
        assert_eq!(decoded, plain, "{encoding} decodes to the same snapshot");
    }
}

#[actix_rt::test]
async fn the_sse_stream_is_never_compressed_and_keeps_streaming() {
    let server = TestServer::start(with_admins);
    let request = client()
        .get(server.url("/events"))
        .insert_header(("Accept", "text/event-stream"))
        .insert_header(("Accept-Encoding", "gzip, br"));
    let mut sse = SseClient::send(request).await;
    assert_eq!(sse.status, StatusCode::OK);
    assert_eq!(sse.header("content-encoding"), None);
    // The frames parse as they come: the snapshot, then a live event published after it.
    let first = sse.next_event().await.expect("a snapshot");
    snapshot(&first);
    publish(&server, "Streamed as it happens", "").await;
    let live = sse.next_event().await.expect("a live event");
    assert_eq!(live.event.as_deref(), Some("news"));
    envelope(&live);
    assert!(live.data.unwrap().contains("Streamed as it happens"));
}

#[actix_rt::test]
async fn embedded_pages_are_sent_as_compressed_at_build_time() {
    let server = TestServer::start(|_| {});
    for (path, accept, expected) in [
        ("/", "br", "br"),
        ("/js/feed.js", "gzip", "gzip"),
        ("/css/app.css", "gzip, deflate, br", "br"),
        ("/admin", "gzip;q=1, br;q=0.5", "gzip"),
    ] {
        let url = server.url(path);
        let (_, plain_headers, plain) = fetch(&url, "identity").await;
        assert_eq!(header(&plain_headers, "content-encoding"), None);
        let (status, headers, body) = fetch(&url, accept).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(
            header(&headers, "content-encoding"),
            Some(expected),
            "{path}"
        );
        assert_eq!(header(&headers, "vary"), Some("Accept-Encoding"), "{path}");
        // Bytes made at build time have a length known up front; compressing per request would
        // stream them in chunks instead.
        assert_eq!(
            header(&headers, "content-length"),
            Some(body.len().to_string().as_str()),
            "{path} is sent pre-compressed"
        );
        assert!(body.len() < plain.len(), "{path}");
        assert_eq!(decode(expected, &body), plain.to_vec(), "{path}");
        // Each encoding is its own representation with its own validator.
        let etag = header(&headers, "etag").expect("an ETag").to_owned();
        assert_ne!(header(&plain_headers, "etag"), Some(etag.as_str()));
        let resp = client()
            .get(&url)
            .insert_header(("Accept-Encoding", accept))
            .insert_header(("If-None-Match", etag))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_MODIFIED, "{path}");
    }
}

#[actix_rt::test]
async fn pages_from_a_frontend_dir_are_compressed_per_request() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("frontend");
    let server = TestServer::start(|c| c.frontend_dir = Some(dir.clone()));
    let (status, headers, body) = fetch(&server.url("/js/render.js"), "gzip").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "content-encoding"), Some("gzip"));
    let on_disk = std::fs::read(dir.join("js/render.js")).unwrap();
    assert_eq!(decode("gzip", &body), on_disk);
}

/// HEAD `url` with `Accept-Encoding: accept`: the status, headers and the body (none expected).
async fn head(url: &str, accept: &str) -> (StatusCode, actix_web::http::header::HeaderMap, Bytes) {
    let mut resp = client()
        .head(url)
        .insert_header(("Accept-Encoding", accept))
        .send()
        .await
        .expect("request succeeds");
    let body = resp.body().await.expect("no body arrives");
    (resp.status(), resp.headers().clone(), body)
}

/// The headers a client reads to know what it would get.
fn describing(headers: &actix_web::http::header::HeaderMap) -> Vec<(String, Option<String>)> {
    [
        "content-type",
        "content-encoding",
        "content-length",
        "vary",
        "cache-control",
        "transfer-encoding",
    ]
    .iter()
    .map(|name| (name.to_string(), header(headers, name).map(str::to_owned)))
    .collect()
}

#[actix_rt::test]
async fn a_head_gets_the_headers_of_the_get_and_no_body() {
    let server = TestServer::start(with_admins);
    publish(&server, "story", &"words ".repeat(1500)).await;
    for (path, accept) in [
        ("/api/snapshot", "br"),
        ("/api/snapshot", "gzip"),
        ("/api/snapshot", "identity"),
        ("/api/openapi.json", "br"),
        ("/api/teams", "gzip"),
        ("/js/feed.js", "br"),
    ] {
        let url = server.url(path);
        // Twice, so that an answer kept compressed is in the cache for the second.
        for _ in 0..2 {
            let (status, got, _) = fetch(&url, accept).await;
            let (head_status, headed, body) = head(&url, accept).await;
            assert_eq!((head_status, status), (StatusCode::OK, StatusCode::OK));
            assert!(
                body.is_empty(),
                "HEAD {path}: a body of {} bytes",
                body.len()
            );
            let (head_headers, get_headers) = (describing(&headed), describing(&got));
            assert_eq!(head_headers, get_headers, "HEAD and GET {path} ({accept})");
            assert!(header(&headed, "content-type").is_some(), "{path}");
        }
    }
}

#[actix_rt::test]
async fn the_openapi_document_is_sent_as_compressed_at_build_time() {
    let server = TestServer::start(|_| {});
    let url = server.url("/api/openapi.json");
    let stored = &livescore::http::openapi::STORED;
    for (accept, encoding, bytes) in [
        ("br", Some("br"), stored.brotli),
        ("gzip", Some("gzip"), stored.gzip),
        ("identity", None, stored.identity),
    ] {
        let (status, headers, body) = fetch(&url, accept).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(header(&headers, "content-encoding"), encoding, "{accept}");
        assert_eq!(&body[..], bytes, "{accept}: the bytes made at build time");
        assert_eq!(
            header(&headers, "content-length"),
            Some(body.len().to_string().as_str()),
            "{accept}: a length known up front"
        );
        if let Some(encoding) = encoding {
            assert_eq!(decode(encoding, &body), stored.identity, "{accept}");
            assert!(body.len() * 5 < stored.identity.len(), "{accept}");
        }
    }
}

async fn command(server: &TestServer, body: Value) {
    let (status, reply) = common::post_command(server, Some(ALICE), body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body} -> {reply}");
}

#[actix_rt::test]
async fn a_past_day_and_an_archived_match_are_compressed_once_then_served_from_the_cache() {
    let fixtures = common::fixtures::matches_today(2);
    let server = TestServer::start(|c| {
        with_admins(c);
        c.fixtures = Some(fixtures.path().to_owned());
    });
    let today = chrono::Utc::now().date_naive();
    let day = server.url(&format!("/api/matches?date={today}"));
    let counts = || async {
        (
            common::metric(&server, "compressed_cache_hits_total").await,
            common::metric(&server, "compressed_cache_misses_total").await,
        )
    };
    // Today is live: compressed per request, never kept.
    common::eventually("the feed is on today", Duration::from_secs(10), || async {
        let snapshot: Value = common::get_json(&server.url("/api/snapshot")).await;
        snapshot["calendar"]["today"] == json!(today.to_string())
    })
    .await;
    for _ in 0..2 {
        let (_, headers, _) = fetch(&day, "br").await;
        assert_eq!(header(&headers, "content-encoding"), Some("br"));
    }
    assert_eq!(counts().await, (0.0, 0.0), "a live day is not kept");

    // Both matches end, and a roll two days on archives them: the day is past.
    for id in [1, 2] {
        for status in ["live", "halftime", "live", "final"] {
            command(
                &server,
                json!({"type":"match.status","match_id":id,"status":status}),
            )
            .await;
        }
    }
    let later = today + chrono::Days::new(2);
    command(
        &server,
        json!({"type":"calendar.roll","today": later.to_string()}),
    )
    .await;
    let (_, _, plain) = fetch(&day, "identity").await;
    assert_eq!(
        serde_json::from_slice::<Vec<Value>>(&plain).unwrap().len(),
        2
    );

    let (_, headers, first) = fetch(&day, "br").await;
    assert_eq!(header(&headers, "content-encoding"), Some("br"));
    assert_eq!(decode("br", &first), plain.to_vec());
    assert_eq!(counts().await, (0.0, 1.0), "compressed once");
    let (_, headers, again) = fetch(&day, "br").await;
    assert_eq!(again, first, "the same bytes");
    assert_eq!(
        header(&headers, "content-length"),
        Some(first.len().to_string().as_str())
    );
    assert_eq!(counts().await, (1.0, 1.0), "then served from the cache");
    let (_, headed, _) = head(&day, "br").await;
    assert_eq!(
        describing(&headed),
        describing(&headers),
        "a HEAD says the same"
    );
    assert_eq!(counts().await, (2.0, 1.0));
    let (_, _, gzipped) = fetch(&day, "gzip").await;
    assert_eq!(decode("gzip", &gzipped), plain.to_vec());
    assert_eq!(
        counts().await,
        (2.0, 2.0),
        "each encoding is kept on its own"
    );

    let one = server.url("/api/matches/1");
    for _ in 0..3 {
        let (_, headers, body) = fetch(&one, "br").await;
        assert_eq!(header(&headers, "content-encoding"), Some("br"));
        let archived: Value = serde_json::from_slice(&decode("br", &body)).unwrap();
        assert_eq!(archived["status"], "final");
    }
    assert_eq!(
        counts().await,
        (4.0, 3.0),
        "an archived match: once, then twice from the cache"
    );
    assert!(common::metric(&server, "compressed_cache_bytes").await > 0.0);
}

#[actix_rt::test]
async fn without_a_cache_past_days_are_compressed_every_time() {
    let server = TestServer::start(|c| c.compressed_cache_mb = 0);
    let url = server.url("/api/teams");
    for _ in 0..3 {
        let (_, headers, body) = fetch(&url, "br").await;
        assert_eq!(header(&headers, "content-encoding"), Some("br"));
        assert!(!decode("br", &body).is_empty());
    }
    assert_eq!(
        common::metric(&server, "compressed_cache_hits_total").await,
        0.0
    );
    assert_eq!(
        common::metric(&server, "compressed_cache_misses_total").await,
        3.0
    );
}
