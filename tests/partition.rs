//! A node cut off from PostgreSQL by a partition that drops packets says so. A relay between the
//! node and PostgreSQL stops forwarding without closing anything (no RST, no FIN), so nothing
//! fails: queries just wait. Within the deadline the node's `/readyz` answers 503, its viewers
//! are told and their streams end, and its commands are refused with `unavailable`; once the
//! partition heals it catches up, is ready again, and a viewer resuming on it misses nothing.

mod common;
#[path = "common/relay.rs"]
mod relay;

use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use common::postgres;
use common::process::post_command_to;
use common::*;
use relay::Relay;
use serde_json::{Value, json};

/// What the brief promises: a cut-off node notices within this.
const NOTICED_WITHIN: Duration = Duration::from_secs(5);

/// The farewell comment a viewer of a cut-off node gets before its stream ends.
const FAREWELL: &str = "this node is cut off from its database; reconnect to another node";

async fn readyz(node: &TestServer) -> (StatusCode, Value) {
    let (status, body) = get(&node.url("/readyz")).await;
    (status, serde_json::from_slice(&body).expect("JSON body"))
}

async fn publish(node: &TestServer, headline: &str) -> (StatusCode, Value) {
    let body = json!({"type": "news.publish", "headline": headline, "tags": ["epl"]});
    post_command_to(&node.url("/api/admin/commands"), body).await
}

/// Read `viewer` until its stream ends: how long after `since` it ended, and whether it was told
/// why first.
async fn until_the_end(viewer: &mut SseClient, since: Instant) -> (Duration, bool) {
    let mut told = false;
    // A stream that just goes silent (the failure this test is about) fails here: no frame,
    // not even the end, arrives within the limit.
    while let Some(frame) = viewer.next_frame_within(Duration::from_secs(10)).await {
        assert!(
            frame.data.is_none(),
            "no event reaches a cut-off node: {frame:?}"
        );
        told |= frame.comment.as_deref() == Some(FAREWELL);
    }
    (since.elapsed(), told)
}

#[actix_rt::test]
async fn a_node_cut_off_from_the_database_goes_unready_sends_viewers_away_and_comes_back() {
    let pg = postgres::shared();
    let url = pg.fresh_database().await;
    let relay = Relay::start(&url);
    let a = postgres::cluster_node(&url);
    let b = postgres::cluster_node(&relay.url);

    for i in 1..=5 {
        let (status, reply) = publish(&a, &format!("before {i}")).await;
        assert_eq!(status, StatusCode::OK, "{reply}");
    }
    // B may have caught up before the viewer comes (a snapshot at 5) or after (events up to 5).
    let mut viewer = SseClient::connect(&b.url("/events"), None).await;
    let mut last = String::new();
    while last.is_empty() || seq_of(&last) != 5 {
        let frame = viewer.next_event().await.expect("the stream is open");
        last = frame.id.expect("every frame with data has an id");
    }
    assert_eq!(readyz(&b).await.0, StatusCode::OK);

    let frozen = relay.freeze();
    let unready = async {
        eventually("B's /readyz turns 503", Duration::from_secs(20), || async {
            readyz(&b).await.0 == StatusCode::SERVICE_UNAVAILABLE
        })
        .await;
        frozen.elapsed()
    };
    let (unready, (closed, told)) =
        futures_util::join!(unready, until_the_end(&mut viewer, frozen));
    eprintln!("freeze -> unready: {unready:?}; freeze -> viewer's stream ended: {closed:?}");
    assert!(unready < NOTICED_WITHIN, "unready after {unready:?}");
    assert!(closed < NOTICED_WITHIN, "viewer sent away after {closed:?}");
    assert!(told, "the viewer was told why its stream ended");

    let (_, body) = readyz(&b).await;
    let store = body["checks"]["store"].as_str().unwrap();
    assert!(store.starts_with("cut off from the database"), "{body}");
    assert_eq!(body["checks"]["hub"], "ok");
    let (status, _) = get(&b.url("/healthz")).await;
    assert_eq!(status, StatusCode::OK, "alive all the same");

    // Commands on the cut-off node are refused at once, not left waiting.
    let (status, reply) = publish(&b, "through the cut-off node").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{reply}");
    assert_eq!(reply["code"], "unavailable", "{reply}");
    assert!(
        reply["message"].as_str().unwrap().contains("cut off"),
        "{reply}"
    );
    // A viewer arriving meanwhile is sent away too, rather than given a feed that cannot move.
    let mut newcomer = SseClient::connect(&b.url("/events"), Some(&last)).await;
    assert_eq!(newcomer.status, StatusCode::OK);
    let (_, told) = until_the_end(&mut newcomer, Instant::now()).await;
    assert!(told, "the newcomer was told why");

    // The rest of the cluster carries on.
    for i in 6..=35 {
        let (status, reply) = publish(&a, &format!("during {i}")).await;
        assert_eq!(status, StatusCode::OK, "{reply}");
        assert_eq!(reply["seq"], i);
    }

    relay.thaw();
    let thawed = Instant::now();
    eventually("B is ready again", Duration::from_secs(20), || async {
        readyz(&b).await.0 == StatusCode::OK
    })
    .await;
    eprintln!("thaw -> ready: {:?}", thawed.elapsed());
    let seq: u64 = get_json::<Value>(&b.url("/healthz")).await["seq"]
        .as_u64()
        .unwrap();
    assert_eq!(seq, 35, "ready means caught up");

    // The viewer that was sent away comes back (here, to B) and gets every event it missed.
    let mut resumed = SseClient::connect(&b.url("/events"), Some(&last)).await;
    for i in 6..=35 {
        let frame = resumed.next_event().await.expect("the replay");
        assert_eq!(frame.id.as_deref().map(seq_of), Some(i), "{frame:?}");
        assert_eq!(envelope(&frame).seq.0, i);
        let data: Value = serde_json::from_str(frame.data.as_deref().unwrap()).unwrap();
        assert_eq!(data["news"]["headline"], format!("during {i}"));
    }
    // And B takes commands again.
    let (status, reply) = publish(&b, "after the partition").await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["seq"], 36);
}
