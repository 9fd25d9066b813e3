//! The PostgreSQL event log of cluster mode, against a real server (a throwaway cluster, see
//! `common/postgres.rs`): one total order under racing writers, refusals that tell the real
//! head, batch lookup, the generator fence, NOTIFY after commit, pages, pruning, and restores
//! that move the head back.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use livescore::feed::{Committed, EventKind, Scope};
use livescore::ids::{LeagueId, MatchId, Seq, StreamId};
use livescore::sse;
use livescore::store::postgres::{AppendOutcome, BatchId, HeadListener, Liveness, PgError, PgLog};

use common::postgres::{shared, with_database};

const STATE: &str = r#"{"matches":[]}"#;

/// A news event at `seq` whose JSON carries `tag` (fixed width, so every event has the same
/// size).
fn event(stream: &StreamId, seq: u64, tag: &str) -> Arc<Committed> {
    let json = format!(r#"{{"type":"news","n":"{seq:08}","tag":"{tag:>12}"}}"#);
    Arc::new(Committed {
        seq: Seq(seq),
        at: Utc::now(),
        name: "news",
        scope: Scope {
            kind: EventKind::News,
            match_id: Some(MatchId(7)),
            leagues: vec![LeagueId::from("EPL"), LeagueId::from("UCL")],
        },
        sse: sse::event(&format!("{stream}.{seq}"), "news", json.as_bytes()),
        json: json.into(),
    })
}

/// `n` events following `head`, tagged `tag-0`, `tag-1`, ...
fn batch(stream: &StreamId, head: Seq, n: usize, tag: &str) -> Vec<Arc<Committed>> {
    (0..n)
        .map(|i| event(stream, head.0 + 1 + i as u64, &format!("{tag}-{i}")))
        .collect()
}

fn tag_of(e: &Committed) -> String {
    let v: serde_json::Value = serde_json::from_slice(&e.json).unwrap();
    v["tag"].as_str().unwrap().trim().to_owned()
}

/// Append `n` events tagged `tag` after `head`, as a new batch.
async fn put(
    log: &PgLog,
    head: Seq,
    epoch: Option<u64>,
    n: usize,
    tag: &str,
) -> Result<AppendOutcome, PgError> {
    let events = batch(&log.stream().unwrap(), head, n, tag);
    log.append(head, &BatchId::random(), epoch, &events).await
}

/// A node's log on `url`, with its stream opened.
async fn open(url: &str) -> PgLog {
    let mut log = PgLog::connect(url, Liveness::default())
        .await
        .expect("connect");
    log.create_or_open_stream(&StreamId::parse("pgtest").unwrap(), STATE)
        .await
        .expect("open the stream");
    log
}

async fn everything(log: &PgLog) -> Vec<Committed> {
    log.page(Seq(0), None, usize::MAX, usize::MAX)
        .await
        .unwrap()
}

/// One racing writer: `batches` batches of 1 to 3 events, each retried after a lost race from
/// the head it was told. Returns where each batch landed (tag, last seq, size) and every
/// conflict (expected, told).
async fn race(
    log: Arc<PgLog>,
    writer: usize,
    batches: usize,
) -> (Vec<(String, Seq, usize)>, Vec<(Seq, Seq)>) {
    let stream = log.stream().unwrap().clone();
    let mut head = Seq(0);
    let mut landed = Vec::new();
    let mut conflicts = Vec::new();
    for b in 0..batches {
        let size = 1 + (b + writer) % 3;
        let tag = format!("w{writer}b{b:04}");
        loop {
            let events = batch(&stream, head, size, &tag);
            match log
                .append(head, &BatchId::random(), None, &events)
                .await
                .unwrap()
            {
                AppendOutcome::Appended { head: new } => {
                    assert_eq!(new.0, head.0 + size as u64, "the head moves by the batch");
                    landed.push((tag.clone(), new, size));
                    head = new;
                    break;
                }
                AppendOutcome::Conflict { head: told } => {
                    assert!(
                        told > head,
                        "a conflict at {head} told an older head {told}"
                    );
                    conflicts.push((head, told));
                    head = told;
                }
                AppendOutcome::Fenced { epoch } => panic!("fenced at epoch {epoch} without one"),
            }
        }
    }
    (landed, conflicts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_writers_make_one_contiguous_log_with_each_batch_once() {
    const WRITERS: usize = 3;
    const BATCHES: usize = 150;
    let server = shared();
    let url = server.fresh_database().await;
    let mut tasks = Vec::new();
    for writer in 0..WRITERS {
        let log = Arc::new(open(&url).await);
        tasks.push(tokio::spawn(race(log, writer, BATCHES)));
    }
    let mut landed = Vec::new();
    let mut conflicts = Vec::new();
    for task in tasks {
        let (l, c) = task.await.unwrap();
        landed.extend(l);
        conflicts.extend(c);
    }
    let reader = open(&url).await;
    let log = everything(&reader).await;
    let total: usize = landed.iter().map(|(_, _, size)| size).sum();

    // Exactly 1..=N, no gap, no duplicate.
    let seqs: Vec<u64> = log.iter().map(|e| e.seq.0).collect();
    assert_eq!(seqs, (1..=total as u64).collect::<Vec<_>>());
    assert_eq!(reader.head().await.unwrap().seq, Seq(total as u64));
    // Each batch exactly where its append said, in one piece and in order.
    let by_seq: HashMap<u64, String> = log.iter().map(|e| (e.seq.0, tag_of(e))).collect();
    for (tag, end, size) in &landed {
        for i in 0..*size {
            let seq = end.0 + 1 + i as u64 - *size as u64;
            assert_eq!(by_seq[&seq], format!("{tag}-{i}"), "seq {seq}");
        }
    }
    // Every refusal told a head that really was the head: the end of a committed batch.
    let ends: BTreeSet<Seq> = landed.iter().map(|(_, end, _)| *end).collect();
    for (expected, told) in &conflicts {
        assert!(
            ends.contains(told),
            "conflict at {expected} told {told}, not a batch end"
        );
    }
    assert!(!conflicts.is_empty(), "the writers never raced");
    assert_eq!(landed.len(), WRITERS * BATCHES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn append_at_a_stale_head_is_refused_with_the_real_head() {
    let url = shared().fresh_database().await;
    let log = open(&url).await;
    let stream = log.stream().unwrap().clone();
    let first = batch(&stream, Seq(0), 2, "first");
    let outcome = log.append(Seq(0), &BatchId::random(), None, &first).await;
    assert_eq!(outcome.unwrap(), AppendOutcome::Appended { head: Seq(2) });

    for stale in [Seq(0), Seq(1), Seq(5)] {
        let events = batch(&stream, stale, 1, "stale");
        let outcome = log.append(stale, &BatchId::random(), None, &events).await;
        assert_eq!(outcome.unwrap(), AppendOutcome::Conflict { head: Seq(2) });
    }
    let stored = everything(&log).await;
    assert_eq!(
        stored.iter().map(tag_of).collect::<Vec<_>>(),
        ["first-0", "first-1"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_batch_is_found_and_an_unknown_one_is_settled_as_missing() {
    let url = shared().fresh_database().await;
    let log = open(&url).await;
    let stream = log.stream().unwrap().clone();
    let id = BatchId::random();
    let outcome = log
        .append(Seq(0), &id, None, &batch(&stream, Seq(0), 3, "b"))
        .await;
    assert_eq!(outcome.unwrap(), AppendOutcome::Appended { head: Seq(3) });
    assert_eq!(log.batch_committed(&id).await.unwrap(), Some(Seq(3)));

    let lost = BatchId::random();
    assert_eq!(log.batch_committed(&lost).await.unwrap(), None);
    assert_eq!(log.batch_committed(&lost).await.unwrap(), None);
    // Once answered "not in", a late arrival of that append is refused.
    let late = log
        .append(Seq(3), &lost, None, &batch(&stream, Seq(3), 1, "late"))
        .await;
    assert!(
        matches!(late, Err(PgError::DuplicateBatch { .. })),
        "{late:?}"
    );
    assert_eq!(log.head().await.unwrap().seq, Seq(3));
    // So is the same batch id twice.
    let again = log
        .append(Seq(3), &id, None, &batch(&stream, Seq(3), 1, "again"))
        .await;
    assert!(
        matches!(again, Err(PgError::DuplicateBatch { .. })),
        "{again:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generator_with_a_stale_epoch_is_fenced() {
    let url = shared().fresh_database().await;
    let old_leader = open(&url).await;
    let new_leader = open(&url).await;
    let first = old_leader.bump_epoch().await.unwrap();
    let outcome = put(&old_leader, Seq(0), Some(first), 1, "old");
    assert_eq!(
        outcome.await.unwrap(),
        AppendOutcome::Appended { head: Seq(1) }
    );

    let second = new_leader.bump_epoch().await.unwrap();
    assert_eq!(second, first + 1);
    // The old leader, even at the right head, appends nothing.
    let stale = put(&old_leader, Seq(1), Some(first), 1, "stale");
    assert_eq!(
        stale.await.unwrap(),
        AppendOutcome::Fenced { epoch: second }
    );
    // A future epoch nobody claimed is fenced too.
    let future = put(&old_leader, Seq(1), Some(second + 1), 1, "future");
    assert_eq!(
        future.await.unwrap(),
        AppendOutcome::Fenced { epoch: second }
    );
    assert_eq!(old_leader.head().await.unwrap().seq, Seq(1));

    let new = put(&new_leader, Seq(1), Some(second), 1, "new");
    assert_eq!(new.await.unwrap(), AppendOutcome::Appended { head: Seq(2) });
    // Batches that are not the generator's carry no epoch and are not fenced.
    let admin = put(&old_leader, Seq(2), None, 1, "admin");
    assert_eq!(
        admin.await.unwrap(),
        AppendOutcome::Appended { head: Seq(3) }
    );
    let tags: Vec<String> = everything(&old_leader).await.iter().map(tag_of).collect();
    assert_eq!(tags, ["old-0", "new-0", "admin-0"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_after_commit_reaches_a_listener_and_the_append_alone_does_not() {
    let url = shared().fresh_database().await;
    let log = open(&url).await;
    let mut listener = HeadListener::connect(&url, Liveness::default())
        .await
        .unwrap();

    let outcome = put(&log, Seq(0), None, 2, "n");
    assert_eq!(
        outcome.await.unwrap(),
        AppendOutcome::Appended { head: Seq(2) }
    );
    let quiet = tokio::time::timeout(Duration::from_millis(300), listener.next_head()).await;
    assert!(quiet.is_err(), "the append itself notified: {quiet:?}");

    log.notify_head(Seq(2)).await.unwrap();
    let woken = tokio::time::timeout(Duration::from_secs(5), listener.next_head()).await;
    assert_eq!(woken.expect("a notification within 5 s"), Some(Seq(2)));
    // The notified head is committed: a reader on another connection finds the events.
    assert_eq!(everything(&log).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_returns_the_appended_events_bounded_by_count_and_bytes() {
    let url = shared().fresh_database().await;
    let log = open(&url).await;
    let stream = log.stream().unwrap().clone();
    let mut appended = Vec::new();
    let mut head = Seq(0);
    for b in 0..4 {
        let events = batch(&stream, head, 3, &format!("p{b}"));
        let outcome = log
            .append(head, &BatchId::random(), None, &events)
            .await
            .unwrap();
        head = Seq(head.0 + 3);
        assert_eq!(outcome, AppendOutcome::Appended { head });
        appended.extend(events);
    }
    let owned: Vec<Committed> = appended.iter().map(|e| (**e).clone()).collect();

    // Byte for byte what was appended: same JSON, same frames (ids `<stream>.<seq>`).
    assert_eq!(everything(&log).await, owned);
    assert!(owned[4].sse.starts_with(b"id: pgtest.5\nevent: news\n"));
    assert_eq!(
        log.page(Seq(0), None, 4, usize::MAX).await.unwrap(),
        owned[..4]
    );
    assert_eq!(
        log.page(Seq(4), Some(Seq(6)), 100, usize::MAX)
            .await
            .unwrap(),
        owned[4..6]
    );
    assert_eq!(
        log.page(Seq(10), Some(Seq(20)), 100, usize::MAX)
            .await
            .unwrap(),
        owned[10..]
    );
    assert!(
        log.page(Seq(12), None, 100, usize::MAX)
            .await
            .unwrap()
            .is_empty()
    );
    // Bytes: stop once `max_bytes` of JSON have been read, but always give one event.
    let size = owned[0].json.len();
    assert!(owned.iter().all(|e| e.json.len() == size));
    assert_eq!(log.page(Seq(0), None, 100, 1).await.unwrap(), owned[..1]);
    assert_eq!(
        log.page(Seq(2), None, 100, 2 * size).await.unwrap(),
        owned[2..4]
    );
    assert_eq!(
        log.page(Seq(2), None, 100, 2 * size + 1).await.unwrap(),
        owned[2..5]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pruned_range_is_an_error_not_a_hole() {
    let url = shared().fresh_database().await;
    let log = open(&url).await;
    let outcome = put(&log, Seq(0), None, 8, "x");
    assert_eq!(
        outcome.await.unwrap(),
        AppendOutcome::Appended { head: Seq(8) }
    );
    log.write_snapshot(Seq(4), Utc::now(), "{\"at\":4}")
        .await
        .unwrap();
    log.write_snapshot(Seq(6), Utc::now(), "{\"at\":6}")
        .await
        .unwrap();
    assert_eq!(
        log.latest_snapshot().await.unwrap().unwrap().state,
        "{\"at\":6}"
    );
    // Never past the oldest kept snapshot (4; the one at 0 was dropped).
    assert_eq!(log.prune(Seq(7)).await.unwrap(), 4);

    let pruned = log.page(Seq(2), None, 100, usize::MAX).await;
    assert!(
        matches!(pruned, Err(PgError::Pruned { after: Seq(2), .. })),
        "{pruned:?}"
    );
    let seqs: Vec<u64> = log
        .page(Seq(4), None, 100, usize::MAX)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq.0)
        .collect();
    assert_eq!(seqs, [5, 6, 7, 8]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_share_one_stream_and_see_a_restore_that_moves_the_head_back() {
    let url = shared().fresh_database().await;
    let mut first = PgLog::connect(&url, Liveness::default()).await.unwrap();
    let mut second = PgLog::connect(&url, Liveness::default()).await.unwrap();
    let a = first
        .create_or_open_stream(&StreamId::parse("first").unwrap(), STATE)
        .await
        .unwrap();
    let b = second
        .create_or_open_stream(&StreamId::parse("second").unwrap(), STATE)
        .await
        .unwrap();
    assert!(a.created && !b.created);
    assert_eq!(b.stream.as_str(), "first");
    assert_eq!(
        second.latest_snapshot().await.unwrap().unwrap().state,
        STATE
    );

    let stream = first.stream().unwrap().clone();
    let outcome = put(&first, Seq(0), None, 3, "r");
    assert_eq!(
        outcome.await.unwrap(),
        AppendOutcome::Appended { head: Seq(3) }
    );
    assert_eq!(second.head().await.unwrap().seq, Seq(3));

    // A "restore" behind the nodes' backs.
    let (admin, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    admin
        .batch_execute(
            "DELETE FROM livescore_events WHERE seq = 3; UPDATE livescore_meta SET head = 2",
        )
        .await
        .unwrap();
    let back = second.head().await;
    assert!(
        matches!(
            back,
            Err(PgError::HeadWentBack {
                seen: Seq(3),
                found: Seq(2),
                ..
            })
        ),
        "{back:?}"
    );
    let back = first
        .append(
            Seq(3),
            &BatchId::random(),
            None,
            &batch(&stream, Seq(3), 1, "r"),
        )
        .await;
    assert!(
        matches!(back, Err(PgError::HeadWentBack { .. })),
        "{back:?}"
    );

    admin
        .batch_execute("UPDATE livescore_meta SET stream = 'other', head = 3")
        .await
        .unwrap();
    let changed = second.head().await;
    assert!(
        matches!(changed, Err(PgError::StreamChanged { .. })),
        "{changed:?}"
    );
    let versions: i64 = admin
        .query_one("SELECT count(*) FROM livescore_schema_version", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        versions as usize,
        livescore::store::postgres::MIGRATIONS.len(),
        "each migration once: the second node migrated nothing again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writer_reconnects_after_its_backend_is_killed() {
    let url = shared().fresh_database().await;
    let log = open(&url).await;
    let stream = log.stream().unwrap().clone();
    let (admin, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    admin
        .batch_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE application_name = 'livescore' AND datname = current_database()
             AND pid <> pg_backend_pid()",
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut head = Seq(0);
    for _ in 0..3 {
        let events = batch(&stream, head, 1, "after");
        match log.append(head, &BatchId::random(), None, &events).await {
            Ok(AppendOutcome::Appended { head: new }) => head = new,
            // Lost with the connection: settle it, as a node would.
            Err(PgError::OutcomeUnknown { batch, .. }) => {
                if let Some(new) = log.batch_committed(&batch).await.unwrap() {
                    head = new;
                }
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(head >= Seq(2), "the writer did not recover: head {head}");
    assert_eq!(log.head().await.unwrap().seq, head);
}

#[test]
fn test_urls_get_the_test_database_name() {
    assert_eq!(
        with_database("postgresql://postgres@127.0.0.1:5/postgres", "t1"),
        "postgresql://postgres@127.0.0.1:5/t1"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "t1"),
        "postgres://u:p@h/t1?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h:1", "t1"), "postgres://h:1/t1");
    assert_eq!(
        with_database("host=/tmp user=me", "t1"),
        "host=/tmp user=me dbname=t1"
    );
}

/// Appends/s and the latency of one `append` call, with one writer and with three racing flat
/// out (every call timed, lost races included). Not a test: run it with
/// `cargo test --test pg_log -- --ignored --nocapture append_figures`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn append_figures() {
    async fn writer(log: Arc<PgLog>, appends: usize) -> (Vec<Duration>, usize) {
        let mut head = log.head().await.unwrap().seq;
        let mut calls = Vec::with_capacity(appends * 2);
        let mut conflicts = 0;
        let mut done = 0;
        while done < appends {
            let started = Instant::now();
            let outcome = put(&log, head, None, 1, "bench").await.unwrap();
            calls.push(started.elapsed());
            match outcome {
                AppendOutcome::Appended { head: new } => {
                    head = new;
                    done += 1;
                }
                AppendOutcome::Conflict { head: told } => {
                    head = told;
                    conflicts += 1;
                }
                AppendOutcome::Fenced { .. } => unreachable!(),
            }
        }
        (calls, conflicts)
    }
    fn report(
        what: &str,
        appends: usize,
        elapsed: Duration,
        mut calls: Vec<Duration>,
        conflicts: usize,
    ) {
        calls.sort();
        let at = |q: f64| calls[((calls.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3;
        println!(
            "{what}: {appends} appends in {:.2} s = {:.0} appends/s; one call p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {conflicts} lost races",
            elapsed.as_secs_f64(),
            appends as f64 / elapsed.as_secs_f64(),
            at(0.5),
            at(0.99),
            at(1.0),
        );
    }
    const APPENDS: usize = 3000;
    let server = shared();
    for writers in [1, 3] {
        let url = server.fresh_database().await;
        let mut logs = Vec::new();
        for _ in 0..writers {
            logs.push(Arc::new(open(&url).await));
        }
        let started = Instant::now();
        let tasks: Vec<_> = logs
            .into_iter()
            .map(|log| tokio::spawn(writer(log, APPENDS / writers)))
            .collect();
        let mut calls = Vec::new();
        let mut conflicts = 0;
        for task in tasks {
            let (c, n) = task.await.unwrap();
            calls.extend(c);
            conflicts += n;
        }
        let elapsed = started.elapsed();
        report(
            &format!("{writers} writer(s)"),
            APPENDS,
            elapsed,
            calls,
            conflicts,
        );
        let reader = open(&url).await;
        assert_eq!(reader.head().await.unwrap().seq, Seq(APPENDS as u64));
    }
}
