//! The store does not grow with history: after many snapshots it holds only the newest two (each
//! snapshot carries every news item, so keeping them all grew the store with the square of its
//! history), events only within retention, and check, export, import and recovery still work.

mod common;

use actix_web::http::StatusCode;
use common::*;
use livescore::store::backup;
use serde_json::{Value, json};

const SNAPSHOT_EVERY: u64 = 50;
const RETENTION: u64 = 400;
const NEWS: u64 = 1_200;

fn durable_server(dir: &std::path::Path) -> TestServer {
    TestServer::start(|c| {
        with_admins(c);
        c.in_memory = false;
        c.data_dir = dir.to_owned();
        c.snapshot_every = SNAPSHOT_EVERY;
        c.retention = RETENTION;
        c.admin_rate = 100_000.0;
        c.admin_burst = 100_000;
    })
}

/// Snapshot seqs and the stored events' range, read straight from the database file.
fn stored(dir: &std::path::Path) -> (Vec<u64>, u64, u64) {
    let db = rusqlite::Connection::open(dir.join("livescore.db")).unwrap();
    let mut q = db
        .prepare("SELECT seq FROM snapshots ORDER BY seq")
        .unwrap();
    let snapshots = q
        .query_map([], |r| r.get::<_, i64>(0))
        .unwrap()
        .map(|s| s.unwrap() as u64)
        .collect();
    let (min, max): (i64, i64) = db
        .query_row("SELECT MIN(seq), MAX(seq) FROM events", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    (snapshots, min as u64, max as u64)
}

fn without_time(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("at");
    v
}

#[actix_rt::test]
async fn many_snapshots_leave_two_and_check_export_and_recovery_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let server = durable_server(dir.path());
    for n in 0..NEWS {
        let command = json!({"type":"news.publish","headline":format!("story {n}"),"body":"text"});
        let (status, body) = post_command(&server, Some(ALICE), command.to_string()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let live = without_time(get_json(&server.url("/api/snapshot")).await);
    // A graceful stop closes the store (the writer finishes the last snapshot first).
    server.stopper().shut_down().await;
    drop(server);

    let (snapshots, oldest, newest) = stored(dir.path());
    assert_eq!(newest, NEWS);
    assert_eq!(
        snapshots,
        vec![NEWS - SNAPSHOT_EVERY, NEWS],
        "only the newest two of {} snapshots are kept",
        NEWS / SNAPSHOT_EVERY
    );
    assert_eq!(
        oldest,
        NEWS - RETENTION + 1,
        "events are kept for exactly the retention"
    );

    let checked = backup::check(dir.path()).expect("check passes");
    assert_eq!((checked.snapshots, checked.events), (2, RETENTION as usize));

    let export = backup::export(dir.path()).unwrap();
    assert_eq!(export.snapshot_seq.0, NEWS - SNAPSHOT_EVERY);
    assert_eq!(export.events.len() as u64, SNAPSHOT_EVERY);
    let copy = tempfile::tempdir().unwrap();
    backup::import(copy.path(), &export).unwrap();
    backup::check(copy.path()).expect("the imported store passes check");

    for restored in [dir.path(), copy.path()] {
        let server = durable_server(restored);
        let recovered = without_time(get_json(&server.url("/api/snapshot")).await);
        assert_eq!(recovered, live, "recovery from {}", restored.display());
        server.stopper().shut_down().await;
    }
}
