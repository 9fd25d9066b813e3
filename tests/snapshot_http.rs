//! `GET /api/snapshot` as a page's first load: filtered like `/events` (a scores-only filter
//! leaves out timelines, sheets and figures), cacheable (its event id is its validator: `304`
//! at the same seq), and a stream opened after its id carries only what happened since.

mod common;

use actix_web::http::StatusCode;
use common::desk::ack;
use common::*;
use serde_json::{Value, json};

/// The snapshot's status, ETag, Cache-Control and body, optionally revalidating `etag`.
async fn snapshot(
    server: &TestServer,
    query: &str,
    etag: Option<&str>,
) -> (StatusCode, String, String, Value) {
    let mut req = client().get(server.url(&format!("/api/snapshot{query}")));
    if let Some(etag) = etag {
        req = req.insert_header(("If-None-Match", etag));
    }
    let mut resp = req.send().await.unwrap();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (etag, cache) = (header("etag"), header("cache-control"));
    let body = resp.body().await.unwrap();
    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (resp.status(), etag, cache, json)
}

#[actix_rt::test]
async fn the_snapshot_is_revalidated_by_its_event_id() {
    let server = TestServer::start(with_admins);
    let (status, etag, cache, body) = snapshot(&server, "", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(etag, format!("W/\"{}\"", body["id"].as_str().unwrap()));
    assert_eq!(cache, "max-age=2");
    let (status, again, _, body) = snapshot(&server, "", Some(&etag)).await;
    assert_eq!(
        (status, again.as_str(), body),
        (StatusCode::NOT_MODIFIED, etag.as_str(), Value::Null)
    );

    let base = server.url("");
    ack(
        base.trim_end_matches('/'),
        json!({"type":"match.status","match_id":1,"status":"live"}),
    )
    .await;
    let (status, moved, _, body) = snapshot(&server, "", Some(&etag)).await;
    assert_eq!(status, StatusCode::OK, "the feed moved on");
    assert_ne!(moved, etag);
    assert_eq!(body["matches"][0]["status"], "live");
}

#[actix_rt::test]
async fn a_scores_only_snapshot_leaves_out_what_its_viewer_will_not_hear_of() {
    let server = TestServer::start(with_admins);
    let base = server.url("");
    let base = base.trim_end_matches('/');
    ack(
        base,
        json!({"type":"match.status","match_id":1,"status":"live"}),
    )
    .await;
    ack(
        base,
        json!({"type":"incident.add","match_id":1,"kind":"goal","team":"home"}),
    )
    .await;
    let (_, _, _, whole) = snapshot(&server, "", None).await;
    let first = |s: &Value| {
        s["matches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == 1)
            .unwrap()
            .clone()
    };
    assert!(!first(&whole)["incidents"].as_array().unwrap().is_empty());
    let (status, _, _, scores) = snapshot(
        &server,
        "?types=score,status,match,news,archived&leagues=epl",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first(&scores)["incidents"], json!([]));
    assert_eq!(first(&scores)["score"], json!({"home":1,"away":0}));
    assert!(
        scores["matches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["league"] == "epl")
    );
    let (status, _, _, refused) = snapshot(&server, "?leagues=xfl", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
}

#[actix_rt::test]
async fn a_stream_opened_after_the_snapshot_carries_only_what_happened_since() {
    let server = TestServer::start(with_admins);
    let (_, _, _, body) = snapshot(&server, "", None).await;
    let id = body["id"].as_str().unwrap().to_owned();
    let mut viewer = SseClient::connect(&server.url("/events"), Some(&id)).await;
    let base = server.url("");
    ack(
        base.trim_end_matches('/'),
        json!({"type":"match.status","match_id":2,"status":"live"}),
    )
    .await;
    let first = viewer.next_event().await.unwrap();
    assert_eq!(
        first.event.as_deref(),
        Some("status"),
        "no snapshot first: {first:?}"
    );
    assert_eq!(seq_of(first.id.as_deref().unwrap()), seq_of(&id) + 1);
}
