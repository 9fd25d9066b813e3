//! Cluster mode: several nodes on one PostgreSQL serve one stream in one total order. Real nodes
//! (each a server on its own port and actix system), a real throwaway PostgreSQL, real sockets.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use actix_web::http::StatusCode;
use common::postgres;
use common::process::post_command_to;
use common::*;
use serde_json::{Value, json};

/// Every event a viewer receives up to `last`, as (id, data) pairs, after its snapshot.
async fn record(mut viewer: SseClient, last: u64) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    loop {
        let frame = viewer.next_event().await.expect("the stream goes on");
        if frame.event.as_deref() == Some("snapshot") {
            continue;
        }
        let id = frame.id.clone().expect("events carry ids");
        let seq = seq_of(&id);
        seen.push((id, frame.data.clone().unwrap()));
        if seq >= last {
            return seen;
        }
    }
}

#[actix_rt::test]
async fn three_nodes_deliver_the_same_events_in_the_same_order_whoever_wrote_them() {
    let pg = postgres::shared();
    let url = pg.fresh_database().await;
    let nodes = [
        postgres::cluster_node(&url),
        postgres::cluster_node(&url),
        postgres::cluster_node(&url),
    ];
    assert!(
        nodes.iter().all(|n| n.stream == nodes[0].stream),
        "one stream for every node"
    );
    let urls: Vec<String> = nodes.iter().map(|n| n.url("/events")).collect();
    let viewers =
        futures_util::future::join_all(urls.iter().map(|u| SseClient::connect(u, None))).await;

    const EACH: usize = 60;
    let writes = |n: &TestServer, who: &'static str| {
        let url = n.url("/api/admin/commands");
        async move {
            for i in 0..EACH {
                let body = json!({"type": "news.publish", "headline": format!("{who} {i}"), "tags": ["epl"]});
                let (status, reply) = post_command_to(&url, body).await;
                assert_eq!(status, StatusCode::OK, "{reply}");
            }
        }
    };
    futures_util::future::join(writes(&nodes[0], "A"), writes(&nodes[1], "B")).await;

    let total = (2 * EACH) as u64;
    let recorded =
        futures_util::future::join_all(viewers.into_iter().map(|v| record(v, total))).await;
    let seqs: Vec<u64> = recorded[0].iter().map(|(id, _)| seq_of(id)).collect();
    assert_eq!(seqs, (1..=total).collect::<Vec<_>>(), "contiguous, from 1");
    assert_eq!(recorded[0], recorded[1], "node 2 saw what node 1 saw");
    assert_eq!(recorded[0], recorded[2], "node 3 saw what node 1 saw");
    let headlines: HashSet<String> = recorded[0]
        .iter()
        .map(|(_, data)| {
            serde_json::from_str::<Value>(data).unwrap()["news"]["headline"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        headlines.len(),
        2 * EACH,
        "every acknowledged command's event exactly once"
    );

    // A long-poll on the third node reads the same log.
    let mut polled = Vec::new();
    let mut since = format!("{}.0", nodes[2].stream);
    while polled.len() < total as usize {
        let events: Vec<Value> =
            get_json(&nodes[2].url(&format!("/api/events?since={since}&wait=5"))).await;
        since = events.last().unwrap()["id"].as_str().unwrap().to_owned();
        polled.extend(events.into_iter().map(|e| e.to_string()));
    }
    let live: Vec<String> = recorded[0]
        .iter()
        .map(|(_, data)| serde_json::from_str::<Value>(data).unwrap().to_string())
        .collect();
    assert_eq!(polled, live, "long-poll equals SSE");

    // The writers timed their commits; the node that only followed measured how far behind.
    assert_eq!(metric(&nodes[0], "commit_seconds_count").await, EACH as f64);
    assert!(metric(&nodes[2], "tail_lag_seconds").await > 0.0);
}

#[actix_rt::test]
async fn the_same_expected_version_on_two_nodes_gets_one_ack_and_one_conflict() {
    let pg = postgres::shared();
    let url = pg.fresh_database().await;
    let (a, b) = (postgres::cluster_node(&url), postgres::cluster_node(&url));
    let (status, reply) = post_command_to(
        &a.url("/api/admin/commands"),
        json!({"type": "match.status", "match_id": 1, "status": "live"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let mut version = reply["version"].as_u64().unwrap();
    for round in 1..=15u64 {
        let command = json!({"type": "score.set", "match_id": 1, "home": round, "away": 0, "expected_version": version});
        let (on_a, on_b) = futures_util::future::join(
            post_command_to(&a.url("/api/admin/commands"), command.clone()),
            post_command_to(&b.url("/api/admin/commands"), command),
        )
        .await;
        let mut statuses = [on_a.0, on_b.0];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "round {round}: {} / {}",
            on_a.1,
            on_b.1
        );
        let winner = if on_a.0 == StatusCode::OK {
            on_a.1
        } else {
            on_b.1
        };
        version = winner["version"].as_u64().unwrap();
    }
    // Both nodes end with the same match.
    eventually("both nodes agree", Duration::from_secs(10), || async {
        let on_a: Value = get_json(&a.url("/api/matches/1")).await;
        let on_b: Value = get_json(&b.url("/api/matches/1")).await;
        on_a == on_b && on_a["version"] == json!(version)
    })
    .await;
}

/// The next `want` events from `node`, resuming after `last` (an id) over SSE (header or query
/// parameter) or the viewer WebSocket; `None` for `last` starts from a snapshot, which is
/// skipped. Returns (id, data) pairs; a snapshot after a resume is a failure.
async fn hop(
    node: &TestServer,
    last: Option<&str>,
    how: usize,
    want: usize,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let resumed = last.is_some();
    let take = |out: &mut Vec<(String, String)>, frame: livescore::sse::Frame| {
        if frame.event.as_deref() == Some("snapshot") {
            assert!(
                !resumed,
                "a resume got a snapshot instead of its missed events"
            );
            return;
        }
        if let (Some(id), Some(data)) = (frame.id, frame.data) {
            out.push((id, data));
        }
    };
    match how % 3 {
        0 | 1 => {
            let (url, header) = match (how % 3, last) {
                (1, Some(id)) => (node.url(&format!("/events?lastEventId={id}")), None),
                (_, id) => (node.url("/events"), id),
            };
            let mut viewer = SseClient::connect(&url, header).await;
            while out.len() < want {
                take(
                    &mut out,
                    viewer.next_event().await.expect("the stream goes on"),
                );
            }
        }
        _ => {
            use futures_util::StreamExt;
            let query = last
                .map(|id| format!("?lastEventId={id}"))
                .unwrap_or_default();
            let url = node
                .url(&format!("/ws/feed{query}"))
                .replace("http://", "ws://");
            let (_, mut socket) = client().ws(url).connect().await.expect("viewer WebSocket");
            let mut parser = livescore::sse::Parser::new();
            while out.len() < want {
                let message = tokio::time::timeout(Duration::from_secs(20), socket.next())
                    .await
                    .expect("a message within 20 s")
                    .expect("the socket stays open")
                    .expect("a good frame");
                if let awc::ws::Frame::Text(text) = message {
                    for frame in parser.feed(&text) {
                        take(&mut out, frame);
                    }
                }
            }
        }
    }
    out
}

#[actix_rt::test]
async fn viewers_hopping_between_nodes_miss_nothing_and_see_nothing_twice() {
    let pg = postgres::shared();
    let url = pg.fresh_database().await;
    let nodes = [
        postgres::cluster_node(&url),
        postgres::cluster_node(&url),
        postgres::cluster_node(&url),
    ];
    const WRITES: usize = 150;
    let command_urls: Vec<String> = nodes.iter().map(|n| n.url("/api/admin/commands")).collect();
    let writer = async {
        for i in 0..WRITES {
            let body =
                json!({"type": "news.publish", "headline": format!("hop {i}"), "tags": ["epl"]});
            let (status, reply) = post_command_to(&command_urls[i % 3], body).await;
            assert_eq!(status, StatusCode::OK, "{reply}");
        }
    };
    let hopper = async {
        let mut seen: Vec<(String, String)> = Vec::new();
        let mut hops = 0;
        while seen.len() < WRITES {
            let last = seen.last().map(|(id, _)| id.clone());
            let want = (1 + hops % 7).min(WRITES - seen.len());
            seen.extend(hop(&nodes[hops % 3], last.as_deref(), hops / 3, want).await);
            hops += 1;
        }
        (seen, hops)
    };
    let ((), (seen, hops)) = futures_util::future::join(writer, hopper).await;
    let seqs: Vec<u64> = seen.iter().map(|(id, _)| seq_of(id)).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "no gap, no duplicate over {hops} hops"
    );
    assert!(hops > 30, "enough hops to cross nodes many times");
}

#[actix_rt::test]
async fn admins_on_different_nodes_see_each_other_come_and_go() {
    let pg = postgres::shared();
    let url = pg.fresh_database().await;
    let (a, b) = (postgres::cluster_node(&url), postgres::cluster_node(&url));
    let (mut alice, _) = AdminClient::login(&a, ALICE).await;
    let (mut bob, _) = AdminClient::login(&b, BOB).await;
    // Presence frames come on every change anywhere; wait for the one that shows both.
    loop {
        let presence = alice.next_of("presence").await;
        if presence["admins"] == json!(["alice", "bob"]) {
            break;
        }
    }
    // What bob is at work on reaches alice on the other node ("bob is editing").
    bob.send_json(json!({"type":"editing","match_id":3})).await;
    loop {
        let presence = alice.next_of("presence").await;
        if presence["editing"] == json!([{"admin":"bob","match_id":3}]) {
            break;
        }
    }
    drop(bob);
    loop {
        let presence = alice.next_of("presence").await;
        if presence["admins"] == json!(["alice"]) {
            break;
        }
    }
}
