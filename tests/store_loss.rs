//! A lost store is loud, against the real binary: an emptied database, a `-wal` file deleted
//! after SIGKILL, and an older copy of the database put back are each refused at start-up with
//! the fix named, `livescore check` reports them, and `--accept-empty-store` begins a new stream.

mod common;

use std::path::Path;
use std::time::Duration;

use common::process::*;
use common::*;
use serde_json::{Value, json};

const FAST_ADMIN: [&str; 5] = [
    "--no-generator",
    "--admin-rate",
    "100000",
    "--admin-burst",
    "100000",
];

/// Publish `n` news items, each acknowledged.
async fn publish(p: &Proc, n: usize, label: &str) {
    for i in 0..n {
        let command = json!({"type":"news.publish","headline":format!("{label} {i}")});
        let (status, reply) = post_command_to(&p.url("/api/admin/commands"), command).await;
        assert_eq!(status.as_u16(), 200, "{reply}");
    }
}

async fn health(p: &Proc) -> (String, u64) {
    let h: Value = get_json(&p.url("/healthz")).await;
    (
        h["stream"].as_str().unwrap().to_owned(),
        h["seq"].as_u64().unwrap(),
    )
}

/// Start the server on `dir` expecting it to refuse; its error output.
fn refused_start(dir: &Path) -> String {
    let dir = dir.to_str().unwrap();
    let (ok, _, err) = run(&["--bind", "127.0.0.1:0", "--no-generator", "--data-dir", dir]);
    assert!(!ok, "the server started on a lost store");
    assert!(err.contains("livescore.db"), "names the file: {err}");
    assert!(
        err.contains("livescore import") && err.contains("--accept-empty-store"),
        "names the fix: {err}"
    );
    err
}

/// `livescore check` on `dir` must fail; its error output.
fn failed_check(dir: &Path) -> String {
    let (ok, out, err) = run(&["check", "--data-dir", dir.to_str().unwrap()]);
    assert!(!ok, "check passed a lost store: {out}");
    err
}

fn check_passes(dir: &Path) {
    let (ok, out, err) = run(&["check", "--data-dir", dir.to_str().unwrap()]);
    assert!(ok, "check: {out}{err}");
}

fn remove_if_present(path: &Path) {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => panic!("{}: {e}", path.display()),
        _ => {}
    }
}

#[actix_rt::test]
async fn an_emptied_database_is_refused_until_a_new_stream_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let p = Proc::start(dir.path(), &FAST_ADMIN);
    publish(&p, 50, "kept").await;
    let (old_stream, _) = health(&p).await;
    p.stop();
    check_passes(dir.path());

    std::fs::File::create(dir.path().join("livescore.db")).unwrap(); // truncate -s0
    let err = refused_start(dir.path());
    assert!(
        err.contains(&format!(
            "the store is empty, but livescore.head records stream {old_stream} committed up to seq 50"
        )),
        "{err}"
    );
    let err = failed_check(dir.path());
    assert!(err.contains("the store is empty, but"), "{err}");

    let p = Proc::start(dir.path(), &["--no-generator", "--accept-empty-store"]);
    let (stream, seq) = health(&p).await;
    assert_ne!(stream, old_stream, "a new stream begins");
    assert_eq!(seq, 0);
    p.stop();
    check_passes(dir.path());
    let p = Proc::start(dir.path(), &["--no-generator"]);
    assert_eq!(health(&p).await, (stream, 0), "and carries on normally");
}

#[actix_rt::test]
async fn a_wal_deleted_after_sigkill_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = Proc::start(dir.path(), &FAST_ADMIN);
    publish(&p, 300, "acked").await;
    // The marker follows the commits within a second; wait for it to cover all 300.
    eventually(
        "the head marker at seq 300",
        Duration::from_secs(10),
        || async {
            let text =
                std::fs::read_to_string(dir.path().join("livescore.head")).unwrap_or_default();
            serde_json::from_str::<Value>(&text).is_ok_and(|m| m["seq"] == 300)
        },
    )
    .await;
    p.kill();
    let wal = dir.path().join("livescore.db-wal");
    assert!(
        wal.exists(),
        "the commits are still in the WAL after SIGKILL"
    );
    remove_if_present(&wal);
    remove_if_present(&dir.path().join("livescore.db-shm"));

    let err = refused_start(dir.path());
    assert!(
        err.contains("the store is empty, but") || err.contains("the log ends at seq"),
        "{err}"
    );
    failed_check(dir.path());
    let p = Proc::start(dir.path(), &["--no-generator", "--accept-empty-store"]);
    assert_eq!(health(&p).await.1, 0);
}

#[actix_rt::test]
async fn an_older_copy_of_the_database_put_back_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("livescore.db");
    let p = Proc::start(dir.path(), &FAST_ADMIN);
    publish(&p, 20, "old").await;
    p.stop();
    let old_copy = dir.path().join("old-copy.db");
    std::fs::copy(&db, &old_copy).unwrap();
    let p = Proc::start(dir.path(), &FAST_ADMIN);
    publish(&p, 20, "new").await;
    let (old_stream, _) = health(&p).await;
    p.stop();

    std::fs::rename(&old_copy, &db).unwrap();
    let err = refused_start(dir.path());
    assert!(
        err.contains(&format!(
            "the log ends at seq 20, but livescore.head records stream {old_stream} committed up to seq 40"
        )),
        "{err}"
    );
    let err = failed_check(dir.path());
    assert!(err.contains("the log ends at seq 20"), "{err}");

    // Accepting the loss keeps what the store holds, on a new stream from seq 0.
    let p = Proc::start(dir.path(), &["--no-generator", "--accept-empty-store"]);
    let (stream, seq) = health(&p).await;
    assert_ne!(stream, old_stream);
    assert_eq!(seq, 0);
    let news: Vec<Value> = all_news(&p.url("")).await;
    let old = news
        .iter()
        .filter(|n| n["headline"].as_str().unwrap().starts_with("old "))
        .count();
    assert_eq!(old, 20, "the 20 items the old copy holds are kept");
    p.stop();
    check_passes(dir.path());
}
