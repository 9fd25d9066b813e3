//! Cluster mode's one generator: three `livescore` processes with the generator on share one
//! PostgreSQL; one leads, and a leader that is paused or killed is replaced within seconds
//! without a single event of the old leader landing after the new one's first.
//!
//! The proof is in the shared log: every generator batch records the epoch it was appended
//! under, and each leader bumps the epoch when it takes over, so the batches read in log order
//! must never go back to an older epoch.

mod common;

use std::time::{Duration, Instant};

use common::postgres;
use common::process::{Proc, post_command_to};
use common::*;
use serde_json::Value;
use tokio_postgres::{Client, NoTls};

/// Speed of the generators: simulated seconds per real second (busy, but not flooding).
const SPEED: &str = "600";

/// The tests of this file run one at a time: each runs three servers on two cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Three nodes on the database at `url`, the generator on, one seed.
fn three_nodes(url: &str, dir: &tempfile::TempDir) -> Vec<Proc> {
    (0..3)
        .map(|i| {
            let data = dir.path().join(format!("n{i}"));
            let name = format!("n{i}");
            Proc::start(
                &data,
                &[
                    "--database-url",
                    url,
                    "--seed",
                    "7",
                    "--speed",
                    SPEED,
                    "--node-name",
                    &name,
                ],
            )
        })
        .collect()
}

async fn health(node: &Proc) -> Option<Value> {
    let mut resp = client().get(node.url("/healthz")).send().await.ok()?;
    resp.json().await.ok()
}

/// The generator role of each node (`None` for a node that does not answer).
async fn roles(nodes: &[&Proc]) -> Vec<Option<String>> {
    let mut roles = Vec::new();
    for node in nodes {
        let role = health(node)
            .await
            .map(|h| h["generator"].as_str().unwrap().to_owned());
        roles.push(role);
    }
    roles
}

/// Wait until exactly one of `nodes` leads; its index.
async fn leader_among(nodes: &[&Proc], limit: Duration) -> usize {
    let deadline = Instant::now() + limit;
    loop {
        let roles = roles(nodes).await;
        let leaders: Vec<usize> = (0..roles.len())
            .filter(|&i| roles[i].as_deref() == Some("leader"))
            .collect();
        if leaders.len() == 1 {
            return leaders[0];
        }
        assert!(leaders.len() < 2, "two leaders at once: {roles:?}");
        assert!(
            Instant::now() < deadline,
            "no leader after {limit:?}: {roles:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn sql(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
    actix_rt::spawn(connection);
    client
}

async fn epoch(db: &Client) -> i64 {
    db.query_one("SELECT epoch FROM livescore_meta", &[])
        .await
        .unwrap()
        .get(0)
}

/// The first seq appended under `epoch`, once there is one.
async fn first_seq_of(db: &Client, epoch: i64, limit: Duration) -> i64 {
    let deadline = Instant::now() + limit;
    loop {
        let first: Option<i64> = db
            .query_one(
                "SELECT min(first_seq) FROM livescore_batches WHERE epoch = $1",
                &[&epoch],
            )
            .await
            .unwrap()
            .get(0);
        if let Some(first) = first {
            return first;
        }
        assert!(
            Instant::now() < deadline,
            "epoch {epoch} appended nothing within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The log holds every seq from 1 to its head once, and the generator's batches, in log order,
/// never go back to an older epoch.
async fn assert_one_generator_at_a_time(db: &Client) {
    let rows = db
        .query(
            "SELECT epoch FROM livescore_batches WHERE epoch IS NOT NULL AND first_seq IS NOT NULL
             ORDER BY first_seq",
            &[],
        )
        .await
        .unwrap();
    let epochs: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    assert!(
        epochs.windows(2).all(|w| w[0] <= w[1]),
        "an older leader appended after a newer one: {epochs:?}"
    );
    let row = db
        .query_one(
            "SELECT count(*), coalesce(min(seq), 1), coalesce(max(seq), 0) FROM livescore_events",
            &[],
        )
        .await
        .unwrap();
    let (count, min, max): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
    assert_eq!((count, min), (max, 1), "the log is contiguous from 1");
}

async fn fenced_batches(node: &Proc) -> f64 {
    let (_, body) = get(&node.url("/metrics")).await;
    let text = String::from_utf8(body.to_vec()).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("livescore_generator_fenced_batches_total "))
        .map_or(0.0, |v| v.parse().unwrap())
}

fn signal(node: &Proc, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([signal, &node.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[actix_rt::test]
async fn a_paused_leader_is_replaced_and_stands_down_when_it_wakes() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let url = postgres::shared().fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let nodes = three_nodes(&url, &dir);
    let db = sql(&url).await;
    let all: Vec<&Proc> = nodes.iter().collect();
    let old = leader_among(&all, Duration::from_secs(10)).await;
    let old_epoch = epoch(&db).await;
    first_seq_of(&db, old_epoch, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let roles_now = roles(&all).await;
    assert_eq!(
        roles_now
            .iter()
            .filter(|r| r.as_deref() == Some("leader"))
            .count(),
        1,
        "one leader, the others on standby: {roles_now:?}"
    );

    signal(&nodes[old], "-STOP");
    let paused = Instant::now();
    let others: Vec<&Proc> = (0..3).filter(|&i| i != old).map(|i| &nodes[i]).collect();
    leader_among(&others, Duration::from_secs(15)).await;
    let new_epoch = epoch(&db).await;
    assert!(new_epoch > old_epoch);
    let new_first = first_seq_of(&db, new_epoch, Duration::from_secs(10)).await;
    eprintln!(
        "paused leader replaced: first event of the new one {} ms after SIGSTOP",
        paused.elapsed().as_millis()
    );

    signal(&nodes[old], "-CONT");
    // An admin's command on the woken node is written, whatever becomes of its generator's.
    let body = serde_json::json!({"type": "news.publish", "headline": "woken", "tags": ["epl"]});
    let (status, reply) = post_command_to(&nodes[old].url("/api/admin/commands"), body).await;
    assert_eq!(status, actix_web::http::StatusCode::OK, "{reply}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while roles(&[&nodes[old]]).await[0].as_deref() != Some("standby") {
        assert!(
            Instant::now() < deadline,
            "the woken leader did not stand down"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Give anything the old leader still had on its way time to land (or be fenced).
    tokio::time::sleep(Duration::from_secs(1)).await;
    let stale: Option<i64> = db
        .query_one(
            "SELECT max(first_seq) FROM livescore_batches WHERE epoch = $1",
            &[&old_epoch],
        )
        .await
        .unwrap()
        .get(0);
    assert!(
        stale.unwrap() < new_first,
        "the old leader appended after the new one started"
    );
    eprintln!(
        "fenced batches on the woken leader: {}",
        fenced_batches(&nodes[old]).await
    );
    let leaders = roles(&all).await;
    assert_eq!(
        leaders
            .iter()
            .filter(|r| r.as_deref() == Some("leader"))
            .count(),
        1,
        "{leaders:?}"
    );
    assert_one_generator_at_a_time(&db).await;
}

#[actix_rt::test]
async fn a_killed_leader_is_replaced_within_seconds_and_the_matches_go_on() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let url = postgres::shared().fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let mut nodes: Vec<Option<Proc>> = three_nodes(&url, &dir).into_iter().map(Some).collect();
    let db = sql(&url).await;
    let all: Vec<&Proc> = nodes.iter().flatten().collect();
    let old = leader_among(&all, Duration::from_secs(10)).await;
    let old_epoch = epoch(&db).await;
    first_seq_of(&db, old_epoch, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let head_before: Value = health(all[old]).await.unwrap();

    nodes[old].take().unwrap().kill();
    let killed = Instant::now();
    let deadline = killed + Duration::from_secs(10);
    let new_epoch = loop {
        let now = epoch(&db).await;
        if now > old_epoch {
            break now;
        }
        assert!(Instant::now() < deadline, "nobody took over");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let new_first = first_seq_of(&db, new_epoch, Duration::from_secs(30)).await;
    let takeover = killed.elapsed();
    eprintln!(
        "killed leader replaced: first event of the new one {} ms after SIGKILL",
        takeover.as_millis()
    );
    // How soon is a figure for `make bench-cluster`, not a pass mark: the new leader's first
    // event waits for the next thing its calendar has to say (a desk story, a kick-off).

    let rest: Vec<&Proc> = nodes.iter().flatten().collect();
    leader_among(&rest, Duration::from_secs(5)).await;
    // The matches go on: the log keeps growing past the new leader's first event.
    let before = head_before["seq"].as_u64().unwrap() as i64;
    // (How busy it is depends on the calendar: a morning without matches is quiet.)
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let seqs: Vec<i64> = futures_util::future::join_all(rest.iter().map(|n| health(n)))
            .await
            .into_iter()
            .map(|h| h.unwrap()["seq"].as_i64().unwrap())
            .collect();
        if seqs.iter().all(|&s| s > new_first + 5 && s > before) {
            break;
        }
        assert!(Instant::now() < deadline, "the matches stopped at {seqs:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_one_generator_at_a_time(&db).await;
}

#[actix_rt::test]
async fn generator_control_sent_to_any_node_steers_the_leader() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let url = postgres::shared().fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let nodes = three_nodes(&url, &dir);
    let all: Vec<&Proc> = nodes.iter().collect();
    let leader = leader_among(&all, Duration::from_secs(10)).await;
    let standby = (leader + 1) % 3;
    let seq = |node: &Proc| {
        let node_url = node.url("/healthz");
        async move {
            let mut resp = client().get(node_url).send().await.unwrap();
            resp.json::<Value>().await.unwrap()["seq"].as_u64().unwrap()
        }
    };
    let control = |running: bool| {
        let command_url = all[standby].url("/api/admin/commands");
        async move {
            let body = serde_json::json!({"type": "generator.control", "running": running});
            let (status, reply) = common::process::post_command_to(&command_url, body).await;
            assert_eq!(status, 200, "{reply}");
        }
    };

    // Paused through a standby node: the leader says so to its admins, and its matches stop
    // (at this speed a live match makes an event every few simulated seconds, so five real
    // seconds without one means the generator is paused).
    control(false).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while ready_generator(all[leader]).await["running"] != Value::Bool(false) {
        assert!(
            Instant::now() < deadline,
            "the leader was not told to pause"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let paused_at = loop {
        let before = seq(all[leader]).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        if seq(all[leader]).await == before {
            break before;
        }
        assert!(Instant::now() < deadline, "the leader did not pause");
    };
    // Resumed the same way: they go on.
    control(true).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while seq(all[leader]).await <= paused_at {
        assert!(Instant::now() < deadline, "the leader did not resume");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The generator settings an admin of `node` is shown on login.
async fn ready_generator(node: &Proc) -> Value {
    use futures_util::{SinkExt, StreamExt};
    let (_, mut socket) = client()
        .ws(node.ws())
        .connect()
        .await
        .expect("admin WebSocket");
    let auth = serde_json::json!({"type": "auth", "token": ALICE}).to_string();
    socket
        .send(awc::ws::Message::Text(auth.into()))
        .await
        .unwrap();
    loop {
        let frame = socket.next().await.expect("a frame").expect("a good frame");
        if let awc::ws::Frame::Text(text) = frame {
            let v: Value = serde_json::from_slice(&text).unwrap();
            if v["type"] == "ready" {
                return v["generator"].clone();
            }
        }
    }
}
