//! Cluster mode under failure: the database crashes and comes back, its client connections are
//! terminated, a node is killed. Nothing acknowledged may be lost, no event may be delivered
//! twice or out of order, and everything carries on when the failure is over.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use common::postgres::{self, PgServer};
use common::process::{Proc, post_command_to};
use common::*;
use serde_json::{Value, json};

/// The head both nodes agree on once the writes are over.
async fn settled_head(a: &TestServer, b: &TestServer) -> u64 {
    let seq = |n: &TestServer| {
        let url = n.url("/healthz");
        async move { get_json::<Value>(&url).await["seq"].as_u64().unwrap() }
    };
    eventually(
        "both nodes reach the same head",
        Duration::from_secs(10),
        || async { seq(a).await == seq(b).await },
    )
    .await;
    seq(a).await
}

/// Every event on `node`'s log from the start up to `upto`, read with long-polls: (seq,
/// headline) pairs.
async fn whole_log(node: &TestServer, upto: u64) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    let mut since = format!("{}.0", node.stream);
    while out.last().is_none_or(|(seq, _)| *seq < upto) {
        let events: Vec<Value> =
            get_json(&node.url(&format!("/api/events?since={since}&wait=10"))).await;
        let Some(last) = events.last() else { continue };
        since = last["id"].as_str().unwrap().to_owned();
        out.extend(events.iter().map(|e| {
            let headline = e["news"]["headline"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            (e["seq"].as_u64().unwrap(), headline)
        }));
    }
    out
}

/// Post `news.publish` commands round robin over `nodes` until `stop` says so; returns the
/// headlines that were acknowledged and the count of `unavailable` answers.
async fn write_until(
    nodes: &[&TestServer],
    prefix: &str,
    mut stop: impl FnMut(usize) -> bool,
) -> (Vec<String>, usize) {
    let (mut acked, mut unavailable) = (Vec::new(), 0);
    let mut i = 0;
    while !stop(acked.len()) {
        let headline = format!("{prefix} {i}");
        let url = nodes[i % nodes.len()].url("/api/admin/commands");
        let body = json!({"type": "news.publish", "headline": headline, "tags": ["epl"]});
        let (status, reply) = post_command_to(&url, body).await;
        match status {
            StatusCode::OK => acked.push(headline),
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(reply["code"], "unavailable", "{reply}");
                unavailable += 1;
                actix_rt::time::sleep(Duration::from_millis(100)).await;
            }
            other => panic!("unexpected {other}: {reply}"),
        }
        i += 1;
    }
    (acked, unavailable)
}

fn assert_log_holds_each_once(log: &[(u64, String)], acked: &[String]) {
    let seqs: Vec<u64> = log.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "contiguous"
    );
    let headlines: Vec<&String> = log.iter().map(|(_, h)| h).collect();
    let unique: HashSet<&String> = headlines.iter().copied().collect();
    assert_eq!(unique.len(), headlines.len(), "no event twice");
    for headline in acked {
        assert!(
            unique.contains(headline),
            "acknowledged `{headline}` is in the log"
        );
    }
}

#[actix_rt::test]
async fn a_database_crash_under_load_loses_nothing_acknowledged_and_the_feed_carries_on() {
    let pg = PgServer::start();
    let url = pg.fresh_database().await;
    let (a, b) = (postgres::cluster_node(&url), postgres::cluster_node(&url));
    let (mut acked, _) = write_until(&[&a, &b], "before", |n| n >= 30).await;

    pg.crash();
    // While the database is down, commands are refused with `unavailable`, not left hanging.
    let started = Instant::now();
    let (during, unavailable) = write_until(&[&a, &b], "during", |_| {
        started.elapsed() > Duration::from_secs(6)
    })
    .await;
    assert!(
        unavailable > 0,
        "commands are refused while the database is down"
    );
    acked.extend(during);
    let (status, _) = get(&a.url("/healthz")).await;
    assert_eq!(status, StatusCode::OK, "the node itself stays up");

    pg.restart();
    let (after, _) = write_until(&[&a, &b], "after", |n| n >= 30).await;
    acked.extend(after);

    let head = settled_head(&a, &b).await;
    let log = whole_log(&b, head).await;
    assert_log_holds_each_once(&log, &acked);
    assert_eq!(
        whole_log(&a, head).await,
        log,
        "both nodes hold the same log"
    );
}

#[actix_rt::test]
async fn terminated_database_connections_are_reconnected_without_loss() {
    let pg = common::postgres::shared();
    let url = pg.fresh_database().await;
    let (a, b) = (postgres::cluster_node(&url), postgres::cluster_node(&url));
    let mut acked = Vec::new();
    for round in 0..3 {
        let (batch, _) = write_until(&[&a, &b], &format!("round {round}"), |n| n >= 20).await;
        acked.extend(batch);
        assert!(
            pg.terminate_clients().await > 0,
            "there were connections to end"
        );
    }
    let (batch, _) = write_until(&[&a, &b], "last", |n| n >= 20).await;
    acked.extend(batch);
    let head = settled_head(&a, &b).await;
    let log = whole_log(&a, head).await;
    assert_log_holds_each_once(&log, &acked);
}

#[actix_rt::test]
async fn a_killed_node_s_viewer_resumes_on_another_without_a_gap() {
    let pg = common::postgres::shared();
    let url = pg.fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let args = postgres::node_args(&url, &[]);
    let doomed = Proc::start(dir.path(), &args);
    let survivor = Proc::start(dir.path(), &args);
    let post = |p: &Proc, i: usize| {
        let url = p.url("/api/admin/commands");
        async move {
            let body =
                json!({"type": "news.publish", "headline": format!("k {i}"), "tags": ["epl"]});
            let (status, reply) = post_command_to(&url, body).await;
            assert_eq!(status, StatusCode::OK, "{reply}");
        }
    };
    let mut viewer = SseClient::connect(&doomed.url("/events"), None).await;
    let mut last = None;
    for i in 0..20 {
        post(&survivor, i).await;
    }
    while last.as_deref().map(seq_of) != Some(20) {
        let frame = viewer.next_event().await.unwrap();
        if frame.event.as_deref() != Some("snapshot") {
            last = frame.id.clone();
        }
    }
    doomed.kill();
    for i in 20..40 {
        post(&survivor, i).await;
    }
    // The browser reconnects (to whichever node the balancer picks) with its last id.
    let mut resumed = SseClient::connect(&survivor.url("/events"), last.as_deref()).await;
    for seq in 21..=40 {
        let frame = resumed.next_event().await.unwrap();
        assert_eq!(frame.id.as_deref().map(seq_of), Some(seq), "{frame:?}");
    }
}

#[actix_rt::test]
async fn a_database_restored_behind_the_nodes_rotates_the_stream() {
    let pg = common::postgres::shared();
    let url = pg.fresh_database().await;
    let (a, b) = (postgres::cluster_node(&url), postgres::cluster_node(&url));
    write_until(&[&a, &b], "kept", |n| n >= 20).await;
    assert_eq!(settled_head(&a, &b).await, 20);
    let old = a.stream.clone();

    // An older backup put back: the log as it was at seq 10.
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    actix_rt::spawn(connection);
    client
        .batch_execute(
            "BEGIN;
             DELETE FROM livescore_events WHERE seq > 10;
             DELETE FROM livescore_batches WHERE head > 10;
             UPDATE livescore_meta SET head = 10;
             COMMIT;",
        )
        .await
        .unwrap();

    let stream_of = |n: &TestServer| {
        let url = n.url("/healthz");
        async move { get_json::<Value>(&url).await }
    };
    eventually(
        "both nodes move to one new stream at seq 10",
        Duration::from_secs(15),
        || async {
            let (ha, hb) = (stream_of(&a).await, stream_of(&b).await);
            ha["stream"] != json!(old)
                && ha["stream"] == hb["stream"]
                && ha["seq"] == 10
                && hb["seq"] == 10
        },
    )
    .await;
    let new = stream_of(&a).await["stream"].as_str().unwrap().to_owned();

    // An id of the old stream names events that are gone: a snapshot, never a different replay.
    let mut viewer = SseClient::connect(&b.url("/events"), Some(&format!("{old}.15"))).await;
    let first = viewer.next_event().await.unwrap();
    assert_eq!(first.event.as_deref(), Some("snapshot"));
    assert_eq!(first.id, Some(format!("{new}.10")));

    // And the feed goes on from there.
    let body = json!({"type": "news.publish", "headline": "after the restore", "tags": ["epl"]});
    let (status, reply) = post_command_to(&a.url("/api/admin/commands"), body).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["seq"], 11);
    let next = viewer.next_event().await.unwrap();
    assert_eq!(next.id, Some(format!("{new}.11")));
}

#[actix_rt::test]
async fn a_node_away_while_its_gap_was_pruned_reloads_from_the_newest_snapshot() {
    let pg = common::postgres::shared();
    let url = pg.fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let args = postgres::node_args(&url, &["--snapshot-every", "20", "--retention", "20"]);
    let writer = Proc::start(dir.path(), &args);
    let away = Proc::start(dir.path(), &args);
    let post = |i: usize| {
        let url = writer.url("/api/admin/commands");
        async move {
            let body =
                json!({"type": "news.publish", "headline": format!("g {i}"), "tags": ["epl"]});
            let (status, reply) = post_command_to(&url, body).await;
            assert_eq!(status, StatusCode::OK, "{reply}");
        }
    };
    let seq_on = |p: &Proc| {
        let url = p.url("/healthz");
        async move { get_json::<Value>(&url).await["seq"].as_u64().unwrap() }
    };
    for i in 0..5 {
        post(i).await;
    }
    eventually(
        "the other node follows",
        Duration::from_secs(10),
        || async { seq_on(&away).await == 5 },
    )
    .await;
    let pid = away.child.id().to_string();
    std::process::Command::new("kill")
        .args(["-STOP", &pid])
        .status()
        .unwrap();
    for i in 5..120 {
        post(i).await;
    }
    std::process::Command::new("kill")
        .args(["-CONT", &pid])
        .status()
        .unwrap();
    // Events 6 and on were pruned while it slept: it must reload, not stay stuck at 5.
    eventually(
        "the node that was away catches up",
        Duration::from_secs(15),
        || async { seq_on(&away).await == 120 },
    )
    .await;
    let a = all_news(&writer.url("")).await;
    let b = all_news(&away.url("")).await;
    assert_eq!(a, b, "both nodes hold the same news");
}
