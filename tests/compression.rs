//! Compression: JSON goes out gzip or brotli when the client accepts it, embedded pages are sent
//! as compressed at build time, and the SSE stream is never compressed.

mod common;

use std::io::Read as _;

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
