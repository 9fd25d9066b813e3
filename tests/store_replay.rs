//! Resume points older than the in-memory log, within one run: both SSE (`Last-Event-ID`) and
//! long-poll (`since=`) read the missed events back from the store instead of starting the client
//! over with a snapshot.

mod common;

use std::time::Duration;

use actix_web::http::StatusCode;
use common::*;
use serde_json::{Value, json};

/// A durable server whose memory holds only the last few events, so older ids must go to disk.
fn small_memory_server(dir: &std::path::Path) -> TestServer {
    TestServer::start(|c| {
        with_admins(c);
        c.in_memory = false;
        c.data_dir = dir.to_owned();
        c.log_capacity = 8;
        c.admin_rate = 10_000.0;
        c.admin_burst = 10_000;
    })
}

async fn ok(server: &TestServer, command: Value) {
    let (status, body) = post_command(server, Some(ALICE), command.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The current event id, from the snapshot.
async fn current_id(server: &TestServer) -> String {
    let snap: Value = get_json(&server.url("/api/snapshot")).await;
    snap["id"].as_str().expect("snapshot id").to_owned()
}

/// 20 news items and 20 score corrections on match 1, interleaved: 60 events after `live` (a
/// correction is a line on the timeline, then the score).
async fn publish_sixty(server: &TestServer) {
    for n in 1..=20 {
        ok(
            server,
            json!({"type":"news.publish","headline":format!("story {n}")}),
        )
        .await;
        ok(
            server,
            json!({"type":"score.set","match_id":1,"home":n,"away":0}),
        )
        .await;
    }
}

/// A small-memory server where match 1 went live and then 60 events happened; returns the server
/// and the id from before those 60.
async fn sixty_events_past_memory(dir: &std::path::Path) -> (TestServer, String) {
    let server = small_memory_server(dir);
    ok(
        &server,
        json!({"type":"match.status","match_id":1,"status":"live"}),
    )
    .await;
    let start = current_id(&server).await;
    publish_sixty(&server).await;
    (server, start)
}

async fn long_poll(server: &TestServer, query: &str) -> Vec<Value> {
    get_json(&server.url(&format!("/api/events?{query}"))).await
}

#[actix_rt::test]
async fn long_poll_and_sse_resume_from_the_store_past_the_memory_log() {
    let dir = tempfile::tempdir().unwrap();
    let (server, start) = sixty_events_past_memory(dir.path()).await;
    let first = seq_of(&start) + 1;

    // Long-poll: every missed event, in order, and no snapshot.
    let events = long_poll(&server, &format!("since={start}&wait=0")).await;
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (first..first + 60).collect::<Vec<_>>());
    assert!(events.iter().all(|e| e["type"] != "snapshot"));
    assert_eq!(events[0]["news"]["headline"], "story 1");
    assert_eq!(events[58]["incident"]["kind"], "correction");
    assert_eq!(events[59]["home"], 20);

    // With a filter: only the matching stored events.
    let scores = long_poll(&server, &format!("since={start}&wait=0&types=score")).await;
    assert_eq!(scores.len(), 20);
    assert!(scores.iter().all(|e| e["type"] == "score"));

    // SSE with the same old id: the same 60 events, then nothing more.
    let mut viewer = SseClient::connect(&server.url("/events"), Some(&start)).await;
    assert_eq!(viewer.next_frame().await.unwrap().retry, Some(3000));
    for seq in first..first + 60 {
        let frame = viewer.next_event().await.unwrap();
        assert_ne!(frame.event.as_deref(), Some("snapshot"));
        assert_eq!(seq_of(frame.id.as_deref().unwrap()), seq);
    }
    let nothing_more =
        actix_rt::time::timeout(Duration::from_millis(300), viewer.next_event()).await;
    assert!(nothing_more.is_err(), "no duplicate and nothing extra");
}

#[actix_rt::test]
async fn a_long_poll_with_nothing_stored_for_its_filter_waits_for_the_next_match() {
    let dir = tempfile::tempdir().unwrap();
    let (server, start) = sixty_events_past_memory(dir.path()).await;

    // Nothing for match 3 in the stored range: an empty answer after `wait`, not a snapshot.
    let empty = long_poll(&server, &format!("since={start}&wait=1&matches=3")).await;
    assert!(empty.is_empty(), "{empty:?}");

    // A poll still waiting when match 3 goes live gets exactly that change (the status and its
    // kick-off marker).
    let url = server.url(&format!("/api/events?since={start}&wait=10&matches=3"));
    let waiting = actix_rt::spawn(async move { get_json::<Vec<Value>>(&url).await });
    actix_rt::time::sleep(Duration::from_millis(200)).await;
    ok(
        &server,
        json!({"type":"match.status","match_id":3,"status":"live"}),
    )
    .await;
    let answer = waiting.await.unwrap();
    let kinds: Vec<&str> = answer.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["status", "incident"], "{answer:?}");
    assert!(answer.iter().all(|e| e["match_id"] == 3));
    assert_eq!(answer[0]["seq"].as_u64().unwrap(), seq_of(&start) + 61);
}
