//! The SSE wire judged by a parser the server's code did not write (`eventsource-stream`): the
//! stream opens with a snapshot and numbered events, and a resume with `Last-Event-ID`
//! carries on exactly after it, also when the replay runs over several pages and when a replay
//! starts in the store.

mod common;

use std::time::Duration;

use common::*;
use eventsource_stream::{Event, Eventsource};
use futures_util::{Stream, StreamExt};
use serde_json::{Value, json};

/// An SSE response parsed by `eventsource-stream`.
async fn events(
    url: &str,
    last_event_id: Option<&str>,
) -> impl Stream<Item = Event> + Unpin + use<> {
    let mut req = client()
        .get(url)
        .insert_header(("Accept", "text/event-stream"));
    if let Some(id) = last_event_id {
        req = req.insert_header(("Last-Event-ID", id));
    }
    let resp = req.send().await.expect("SSE request succeeds");
    assert_eq!(resp.status(), 200);
    let content_type = resp
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap();
    assert_eq!(content_type, "text/event-stream");
    Box::pin(resp.eventsource().map(|e| e.expect("a well-formed event")))
}

async fn next(stream: &mut (impl Stream<Item = Event> + Unpin)) -> Event {
    tokio::time::timeout(Duration::from_secs(20), stream.next())
        .await
        .expect("an event within 20 s")
        .expect("the stream goes on")
}

async fn publish(server: &TestServer, n: usize) {
    for i in 0..n {
        let mut resp = client()
            .post(server.url("/api/admin/commands"))
            .insert_header(("Authorization", format!("Bearer {ALICE}")))
            .send_json(
                &json!({"type": "news.publish", "headline": format!("wire {i}"), "tags": ["epl"]}),
            )
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{:?}", resp.body().await);
    }
}

#[actix_rt::test]
async fn an_independent_parser_reads_snapshot_events_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|c| {
        with_admins(c);
        c.admin_rate = 1e6;
        c.admin_burst = 1_000_000;
        c.in_memory = false;
        c.data_dir = dir.path().to_owned();
        // Small enough that the early events live only in the store.
        c.log_capacity = 100;
    });
    let mut live = events(&server.url("/events"), None).await;
    let snapshot = next(&mut live).await;
    assert_eq!(snapshot.event, "snapshot");
    let state: Value = serde_json::from_str(&snapshot.data).unwrap();
    assert_eq!(state["stream"], json!(server.stream));
    assert_eq!(snapshot.id, format!("{}.0", server.stream));

    publish(&server, 700).await;
    for seq in 1..=700 {
        let event = next(&mut live).await;
        assert_eq!(event.id, format!("{}.{seq}", server.stream));
        assert_eq!(event.event, "news");
        let data: Value = serde_json::from_str(&event.data).unwrap();
        assert_eq!(data["seq"], json!(seq));
    }

    // Resuming after 3: 4..=700 come from the store, then from memory, over several pages.
    let after = format!("{}.3", server.stream);
    let mut resumed = events(&server.url("/events"), Some(&after)).await;
    for seq in 4..=700 {
        let event = next(&mut resumed).await;
        assert_eq!(event.id, format!("{}.{seq}", server.stream));
    }
    publish(&server, 1).await;
    assert_eq!(
        next(&mut resumed).await.id,
        format!("{}.701", server.stream)
    );
}
