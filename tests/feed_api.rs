//! The JSON read API and long-polling over real sockets, and what the event log promises:
//! replaying it over a snapshot reproduces the live state, and the generator is deterministic.

mod common;

use std::time::Duration;

use actix_web::http::StatusCode;
use common::*;
use livescore::feed::{Envelope, Event, FeedState, Snapshot};

/// `GET /api/events` and parse the array into snapshots and envelopes.
async fn poll(server: &TestServer, query: &str) -> Vec<serde_json::Value> {
    get_json(&server.url(&format!("/api/events{query}"))).await
}

#[actix_rt::test]
async fn replaying_the_log_over_a_snapshot_gives_the_live_state() {
    let server = TestServer::with_generator(99, 1200.0);
    let start: Vec<Snapshot<FeedState>> =
        serde_json::from_value(serde_json::Value::Array(poll(&server, "").await)).unwrap();
    let start = start.into_iter().next().expect("no since: one snapshot");
    assert_eq!(start.kind, "snapshot");
    let health: serde_json::Value = get_json(&server.url("/healthz")).await;
    assert_eq!(
        health["generator"], "leader",
        "alone, the generator just runs"
    );

    // Let the generator play for a while, then take the live state.
    eventually("300 events", Duration::from_secs(60), || async {
        let live: serde_json::Value = get_json(&server.url("/api/snapshot")).await;
        live["seq"].as_u64().unwrap() > start.seq.0 + 300
    })
    .await;
    let live: Snapshot<FeedState> = get_json(&server.url("/api/snapshot")).await;

    let since = format!("?since={}&wait=0", start.id);
    let events: Vec<Envelope> =
        serde_json::from_value(serde_json::Value::Array(poll(&server, &since).await)).unwrap();
    let mut state = start.state;
    let mut expected_seq = start.seq.0 + 1;
    for envelope in events.iter().take_while(|e| e.seq <= live.seq) {
        assert_eq!(envelope.seq.0, expected_seq, "the log is contiguous");
        expected_seq += 1;
        state.apply(&envelope.event);
    }
    assert_eq!(expected_seq - 1, live.seq.0, "the log reaches the live seq");
    assert_eq!(state, live.state, "replay equals live");
}

#[actix_rt::test]
async fn long_poll_wakes_on_the_next_event_and_answers_empty_after_wait() {
    let quiet = TestServer::start(|_| {});
    let first = poll(&quiet, "").await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["type"], "snapshot");
    let id = first[0]["id"].as_str().unwrap().to_owned();
    let none = poll(&quiet, &format!("?since={id}&wait=1")).await;
    assert!(none.is_empty(), "nothing happened: []");

    let busy = TestServer::with_generator(8, 120.0);
    let head: serde_json::Value = get_json(&busy.url("/api/snapshot")).await;
    let id = head["id"].as_str().unwrap();
    let events = poll(&busy, &format!("?since={id}&wait=30")).await;
    assert!(!events.is_empty(), "woken by the generator's next event");
    let head_seq = head["seq"].as_u64().unwrap();
    assert_eq!(
        events[0]["seq"].as_u64(),
        Some(head_seq + 1),
        "starts right after since"
    );

    // An id the log cannot serve gets a snapshot to start over from.
    let foreign = poll(&busy, "?since=other.5&wait=0").await;
    assert_eq!(foreign.len(), 1);
    assert_eq!(foreign[0]["type"], "snapshot");
}

#[actix_rt::test]
async fn read_api_serves_matches_news_health_and_metrics() {
    let server = TestServer::start(|_| {});
    let matches: Vec<serde_json::Value> = get_json(&server.url("/api/matches")).await;
    assert_eq!(matches.len(), 12);
    let one: serde_json::Value = get_json(&server.url("/api/matches/3")).await;
    assert_eq!(one["id"], 3);
    let news: Vec<serde_json::Value> = all_news(&server.url("")).await;
    assert!(news.len() >= 10);
    let times: Vec<&str> = news
        .iter()
        .map(|n| n["published_at"].as_str().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {times:?}"
    );
    let teams: Vec<serde_json::Value> = get_json(&server.url("/api/teams")).await;
    assert_eq!(teams.len(), 28);
    assert!(
        teams
            .iter()
            .all(|t| !t["squad"].as_array().unwrap().is_empty()),
        "teams come with squads"
    );
    let snapshot: serde_json::Value = get_json(&server.url("/api/snapshot")).await;
    assert!(
        snapshot["teams"][0].get("squad").is_none(),
        "snapshots leave squads out"
    );
    let health: serde_json::Value = get_json(&server.url("/healthz")).await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["stream"], server.stream.as_str());
    assert_eq!(
        health["generator"], "off",
        "the test server runs without one"
    );
    let port = format!(":{}", server.addr.port());
    assert!(
        health["node"].as_str().unwrap().ends_with(&port),
        "the node is named after the host and port: {health}"
    );
    let (status, body) = get(&server.url("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8_lossy(&body);
    for name in [
        "livescore_viewers ",
        "livescore_deliveries_total",
        "livescore_seq ",
        "livescore_generator_leader 0",
        "livescore_generator_fenced_batches_total 0",
    ] {
        assert!(text.contains(name), "metrics lack {name}");
    }
}

/// Event payloads with the fields that depend on wall-clock time blanked out.
fn timeless(events: &[Envelope]) -> Vec<Event> {
    events
        .iter()
        .map(|e| {
            let mut event = e.event.clone();
            match &mut event {
                Event::News { news } => {
                    news.published_at = Default::default();
                    news.updated_at = Default::default();
                }
                Event::Match { game } => game.kickoff = Default::default(),
                _ => {}
            }
            event
        })
        .collect()
}

async fn first_events(server: &TestServer, n: usize) -> Vec<Envelope> {
    let query = format!("?since={}.0&wait=0", server.stream);
    eventually("enough events", Duration::from_secs(60), || async {
        poll(server, &query).await.len() >= n
    })
    .await;
    let all: Vec<Envelope> =
        serde_json::from_value(serde_json::Value::Array(poll(server, &query).await)).unwrap();
    all.into_iter().take(n).collect()
}

#[actix_rt::test]
async fn the_same_seed_plays_the_same_events() {
    let a = TestServer::with_generator(2026, 600.0);
    let b = TestServer::with_generator(2026, 600.0);
    let c = TestServer::with_generator(2027, 600.0);
    let (ea, eb, ec) = (
        first_events(&a, 200).await,
        first_events(&b, 200).await,
        first_events(&c, 200).await,
    );
    assert_eq!(
        timeless(&ea),
        timeless(&eb),
        "same seed, same first 200 events"
    );
    assert_ne!(
        timeless(&ea),
        timeless(&ec),
        "another seed plays differently"
    );
}
