//! Durability, against the real binary with a data directory: acknowledged edits survive
//! SIGKILL, viewers resume across restarts, replay equals live through snapshots and compaction,
//! and every way the store can fail says so clearly.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::process::*;
use common::*;
use serde_json::json;

/// An admin WebSocket to a server process.
async fn admin(p: &Proc) -> awc_ws::Conn {
    awc_ws::connect(&p.ws(), ALICE).await
}

/// A tiny admin client over awc for these tests (the shared one is bound to in-process servers).
mod awc_ws {
    use futures_util::{SinkExt, StreamExt};

    pub type Conn = actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec>;

    pub async fn connect(url: &str, token: &str) -> Conn {
        let (_, mut conn) = awc::Client::new()
            .ws(url)
            .connect()
            .await
            .expect("admin WebSocket");
        send(&mut conn, serde_json::json!({"type":"auth","token":token})).await;
        loop {
            if next(&mut conn).await.expect("ready")["type"] == "ready" {
                return conn;
            }
        }
    }

    pub async fn send(conn: &mut Conn, v: serde_json::Value) {
        conn.send(awc::ws::Message::Text(v.to_string().into()))
            .await
            .expect("send");
    }

    /// The next JSON frame, or `None` when the connection is gone.
    pub async fn next(conn: &mut Conn) -> Option<serde_json::Value> {
        loop {
            match conn.next().await? {
                Ok(awc::ws::Frame::Text(t)) => return serde_json::from_slice(&t).ok(),
                Ok(awc::ws::Frame::Ping(p)) => {
                    let _ = conn.send(awc::ws::Message::Pong(p)).await;
                }
                Ok(awc::ws::Frame::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }
}

/// Every event of the stream from the start, read back through an SSE resume from `<stream>.0`
/// (older than memory holds after a restart, so it comes from the store).
async fn whole_log(p: &Proc, stream: &str, upto: u64) -> Vec<serde_json::Value> {
    let mut sse = SseClient::connect(&p.url("/events"), Some(&format!("{stream}.0"))).await;
    assert_eq!(sse.next_frame().await.unwrap().retry, Some(3000));
    let mut events = Vec::new();
    while events.len() < upto as usize {
        let frame = sse.next_event().await.expect("the replay continues");
        assert_ne!(
            frame.event.as_deref(),
            Some("snapshot"),
            "the whole log is replayed, not a snapshot"
        );
        events.push(serde_json::from_str(frame.data.as_deref().unwrap()).unwrap());
    }
    events
}

#[actix_rt::test]
async fn acknowledged_commands_survive_sigkill_and_nothing_unlogged_was_broadcast() {
    use rand::RngExt;
    let dir = tempfile::tempdir().unwrap();
    let mut acked: Vec<String> = Vec::new();
    let mut seen: HashMap<u64, serde_json::Value> = HashMap::new();
    let mut rng = rand::rng();
    for round in 0..20 {
        let p = Proc::start(dir.path(), &["--no-generator"]);
        let mut conn = admin(&p).await;
        let mut viewer = SseClient::connect(&p.url("/events"), None).await;
        viewer.next_frame().await;
        viewer.next_frame().await;
        // Commands go out back to back; the kill lands at a random moment among them.
        let kill_after = Duration::from_millis(rng.random_range(30..300));
        let started = Instant::now();
        let mut in_flight: HashMap<String, String> = HashMap::new();
        let mut n = 0;
        while started.elapsed() < kill_after {
            let headline = format!("round {round} item {n}");
            let id = format!("r{round}n{n}");
            awc_ws::send(
                &mut conn,
                json!({"type":"news.publish","id":id,"headline":headline}),
            )
            .await;
            in_flight.insert(id, headline);
            n += 1;
            // Read whatever replies are ready, without waiting for all of them.
            while let Ok(Some(frame)) =
                actix_rt::time::timeout(Duration::from_millis(2), awc_ws::next(&mut conn)).await
            {
                if frame["type"] == "ack"
                    && let Some(h) = in_flight.remove(frame["id"].as_str().unwrap())
                {
                    acked.push(h);
                }
            }
        }
        let pid = p.child.id();
        p.kill();
        let _ = pid;
        // Replies already on their way still count: they were sent, so they were committed.
        while let Ok(Some(frame)) =
            actix_rt::time::timeout(Duration::from_millis(50), awc_ws::next(&mut conn)).await
        {
            if frame["type"] == "ack"
                && let Some(h) = in_flight.remove(frame["id"].as_str().unwrap())
            {
                acked.push(h);
            }
        }
        // Everything the viewer got before the kill.
        while let Ok(Some(frame)) =
            actix_rt::time::timeout(Duration::from_millis(50), viewer.next_frame()).await
        {
            if let Some(data) = frame.data {
                let v: serde_json::Value = serde_json::from_str(&data).unwrap();
                seen.insert(v["seq"].as_u64().unwrap(), v);
            }
        }
    }
    assert!(
        acked.len() > 50,
        "the rounds acknowledged real work: {}",
        acked.len()
    );

    let p = Proc::start(dir.path(), &["--no-generator"]);
    let health: serde_json::Value = get_json(&p.url("/healthz")).await;
    let (stream, last) = (
        health["stream"].as_str().unwrap().to_owned(),
        health["seq"].as_u64().unwrap(),
    );
    let news: Vec<serde_json::Value> = all_news(&p.url("")).await;
    let headlines: HashSet<&str> = news
        .iter()
        .map(|n| n["headline"].as_str().unwrap())
        .collect();
    for h in &acked {
        assert!(
            headlines.contains(h.as_str()),
            "acknowledged `{h}` was lost"
        );
    }
    let log = whole_log(&p, &stream, last).await;
    for (i, event) in log.iter().enumerate() {
        assert_eq!(
            event["seq"].as_u64(),
            Some(i as u64 + 1),
            "seqs are contiguous"
        );
    }
    for (seq, event) in &seen {
        assert_eq!(
            &log[*seq as usize - 1],
            event,
            "broadcast event {seq} is not what the log holds"
        );
    }
    let (ok, out, err) = run(&["check", "--data-dir", dir.path().to_str().unwrap()]);
    assert!(ok, "check: {out}{err}");
}

#[actix_rt::test]
async fn a_viewer_resumes_across_a_restart_with_exactly_the_missed_events() {
    let dir = tempfile::tempdir().unwrap();
    let p = Proc::start(dir.path(), &["--no-generator"]);
    let mut conn = admin(&p).await;
    let mut viewer = SseClient::connect(&p.url("/events"), None).await;
    viewer.next_frame().await;
    let snap = snapshot(&viewer.next_frame().await.unwrap());
    let publish = |n: u32| json!({"type":"news.publish","id":format!("p{n}"),"headline":format!("story {n}")});
    for n in 0..3 {
        awc_ws::send(&mut conn, publish(n)).await;
    }
    let mut last_id = snap.id.clone();
    for _ in 0..3 {
        last_id = viewer.next_event().await.unwrap().id.unwrap();
    }
    p.stop();

    // While the viewer is away: a restart, and more news.
    let p = Proc::start(dir.path(), &["--no-generator"]);
    let mut conn = admin(&p).await;
    for n in 3..6 {
        awc_ws::send(&mut conn, publish(n)).await;
        loop {
            let frame = awc_ws::next(&mut conn).await.unwrap();
            if frame["type"] == "ack" {
                break;
            }
        }
    }
    let mut back = SseClient::connect(&p.url("/events"), Some(&last_id)).await;
    assert_eq!(back.next_frame().await.unwrap().retry, Some(3000));
    for n in 3..6 {
        let frame = back.next_event().await.unwrap();
        assert_ne!(
            frame.event.as_deref(),
            Some("snapshot"),
            "no snapshot needed"
        );
        assert_eq!(
            seq_of(frame.id.as_deref().unwrap()),
            seq_of(&last_id) + n - 2
        );
        let v: serde_json::Value = serde_json::from_str(frame.data.as_deref().unwrap()).unwrap();
        assert_eq!(v["news"]["headline"], format!("story {n}"));
    }
    let nothing_more = actix_rt::time::timeout(Duration::from_millis(300), back.next_event()).await;
    assert!(nothing_more.is_err(), "no duplicate and nothing extra");
}

#[actix_rt::test]
async fn replay_equals_live_after_thousands_of_events_with_snapshots_and_compaction() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--speed",
        "3600",
        "--seed",
        "77",
        "--snapshot-every",
        "300",
        "--retention",
        "600",
    ];
    let p = Proc::start(dir.path(), &args);
    eventually("4 000 events", Duration::from_secs(240), || async {
        let h: serde_json::Value = get_json(&p.url("/healthz")).await;
        h["seq"].as_u64().unwrap() >= 4_000
    })
    .await;
    let mut conn = admin(&p).await;
    awc_ws::send(
        &mut conn,
        json!({"type":"generator.control","id":"stop","running":false}),
    )
    .await;
    while awc_ws::next(&mut conn).await.unwrap()["type"] != "ack" {}
    // Let the last tick's commands land, then take the live state.
    actix_rt::time::sleep(Duration::from_millis(300)).await;
    let mut live: serde_json::Value = get_json(&p.url("/api/snapshot")).await;
    p.stop();

    let (ok, out, err) = run(&["check", "--data-dir", dir.path().to_str().unwrap()]);
    assert!(ok, "check failed: {out}{err}");
    assert!(out.contains("snapshots match"), "{out}");

    // Recovery is the newest snapshot plus the log after it; it must equal what was live.
    let p = Proc::start(dir.path(), &["--no-generator"]);
    let mut recovered: serde_json::Value = get_json(&p.url("/api/snapshot")).await;
    live.as_object_mut().unwrap().remove("at");
    recovered.as_object_mut().unwrap().remove("at");
    assert!(live["seq"].as_u64().unwrap() >= 4_000);
    assert_eq!(recovered, live, "replay equals live");
}

#[actix_rt::test]
async fn a_full_store_refuses_changes_with_unavailable_and_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let p = Proc::start(dir.path(), &["--no-generator", "--max-store-mb", "1"]);
    let mut viewer = SseClient::connect(&p.url("/events"), None).await;
    viewer.next_frame().await;
    viewer.next_frame().await;
    let body = "x".repeat(9_000);
    let (mut accepted, mut refused) = (Vec::new(), 0);
    for n in 0..400 {
        let headline = format!("filler {n}");
        let (status, reply) = post_command_to(
            &p.url("/api/admin/commands"),
            json!({"type":"news.publish","headline":headline,"body":body}),
        )
        .await;
        match status.as_u16() {
            200 => accepted.push(headline),
            503 => {
                assert_eq!(reply["code"], "unavailable", "{reply}");
                assert!(
                    reply["message"].as_str().unwrap().contains("full"),
                    "{reply}"
                );
                refused += 1;
                if refused > 3 {
                    break;
                }
            }
            other => panic!("unexpected {other}: {reply}"),
        }
    }
    assert!(
        refused > 0 && !accepted.is_empty(),
        "the 1 MiB store filled up"
    );
    // Still serving: health, reads, and the viewer's stream.
    let news: Vec<serde_json::Value> = all_news(&p.url("")).await;
    let headlines: HashSet<&str> = news
        .iter()
        .map(|n| n["headline"].as_str().unwrap())
        .collect();
    assert!(accepted.iter().all(|h| headlines.contains(h.as_str())));
    assert!(
        !headlines
            .iter()
            .any(|h| h.starts_with("filler") && !accepted.iter().any(|a| a == h)),
        "nothing refused is visible"
    );
    let health: serde_json::Value = get_json(&p.url("/healthz")).await;
    assert_eq!(health["status"], "ok");
    let first = viewer.next_event().await.unwrap();
    assert_eq!(first.event.as_deref(), Some("news"));
    // After a restart the accepted items are all there.
    p.stop();
    let p = Proc::start(dir.path(), &["--no-generator"]);
    let news: Vec<serde_json::Value> = all_news(&p.url("")).await;
    let headlines: HashSet<&str> = news
        .iter()
        .map(|n| n["headline"].as_str().unwrap())
        .collect();
    assert!(accepted.iter().all(|h| headlines.contains(h.as_str())));
}

#[test]
fn broken_stores_stop_start_up_naming_the_file_and_the_cause() {
    let start = |dir: &Path| {
        run(&[
            "--bind",
            "127.0.0.1:0",
            "--no-generator",
            "--data-dir",
            dir.to_str().unwrap(),
        ])
    };

    let not_db = tempfile::tempdir().unwrap();
    std::fs::write(
        not_db.path().join("livescore.db"),
        "this is not a database, just text ".repeat(200),
    )
    .unwrap();
    let (ok, _, err) = start(not_db.path());
    assert!(!ok);
    assert!(
        err.contains("livescore.db") && err.contains("not a livescore database"),
        "{err}"
    );

    // A real store, cut short.
    let truncated = tempfile::tempdir().unwrap();
    let p = Proc::start(truncated.path(), &["--no-generator"]);
    p.stop();
    let file = truncated.path().join("livescore.db");
    assert!(
        !truncated.path().join("livescore.db-wal").exists(),
        "a clean shutdown folds the WAL back into the database"
    );
    let len = std::fs::metadata(&file).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
    f.set_len(len / 3).unwrap();
    let (ok, _, err) = start(truncated.path());
    assert!(!ok);
    assert!(err.contains("livescore.db"), "{err}");
    assert!(
        err.contains("corrupt")
            || err.contains("not a livescore database")
            || err.contains("malformed"),
        "{err}"
    );

    // Locked by a running server.
    let busy = tempfile::tempdir().unwrap();
    let holder = Proc::start(busy.path(), &["--no-generator"]);
    let (ok, _, err) = start(busy.path());
    assert!(!ok);
    assert!(
        err.contains("livescore.db") && err.contains("locked"),
        "{err}"
    );
    holder.stop();

    // A directory that cannot be written: a read-only mount where we may mount one (as root in
    // CI), else a path the kernel refuses to create.
    let ro = tempfile::tempdir().unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs"])
        .arg(ro.path())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let target = if mounted {
        ro.path().join("store")
    } else {
        Path::new("/proc/livescore-store").to_owned()
    };
    let (ok, _, err) = start(&target);
    if mounted {
        let _ = Command::new("umount").arg(ro.path()).status();
    }
    assert!(!ok);
    assert!(
        err.contains(target.to_str().unwrap()) && err.contains("cannot create the data directory"),
        "{err}"
    );
}

#[actix_rt::test]
async fn export_then_import_reproduces_the_store_and_check_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let p = Proc::start(
        dir.path(),
        &[
            "--speed",
            "3600",
            "--seed",
            "5",
            "--snapshot-every",
            "200",
            "--retention",
            "300",
        ],
    );
    eventually("1 000 events", Duration::from_secs(120), || async {
        let h: serde_json::Value = get_json(&p.url("/healthz")).await;
        h["seq"].as_u64().unwrap() >= 1_000
    })
    .await;
    p.stop();
    let backup = dir.path().join("backup.json");
    let (ok, _, err) = run(&[
        "export",
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--out",
        backup.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let copy = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(&[
        "import",
        "--data-dir",
        copy.path().to_str().unwrap(),
        backup.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let (ok, out, err) = run(&["check", "--data-dir", copy.path().to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    let (ok, _, err) = run(&[
        "import",
        "--data-dir",
        copy.path().to_str().unwrap(),
        backup.to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("already holds a stream"), "{err}");

    let original = Proc::start(dir.path(), &["--no-generator"]);
    let mut a: serde_json::Value = get_json(&original.url("/api/snapshot")).await;
    original.stop();
    let imported = Proc::start(copy.path(), &["--no-generator"]);
    let mut b: serde_json::Value = get_json(&imported.url("/api/snapshot")).await;
    a.as_object_mut().unwrap().remove("at");
    b.as_object_mut().unwrap().remove("at");
    assert_eq!(a, b, "the imported store serves the same feed");
}
