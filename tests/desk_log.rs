//! The desk's reads of the event log over real sockets: the audit trail
//! (`GET /api/admin/audit`) and a story's history (`GET /api/admin/news/{id}/history`), in
//! memory, on SQLite across a restart, and on PostgreSQL.

mod common;

use std::time::Duration;

use actix_web::http::StatusCode;
use common::process::Proc;
use common::*;
use serde_json::{Value, json};

/// POST a command to the server at `base` with `token`; the ack (asserted).
async fn post_as(base: &str, token: &str, command: Value) -> Value {
    let mut resp = client()
        .post(format!("{base}/api/admin/commands"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send_body(command.to_string())
        .await
        .unwrap();
    let reply: Value = resp.json().await.unwrap();
    assert_eq!(reply["type"], "ack", "{command}: {reply}");
    reply
}

/// GET a desk path with an optional token: the status and JSON body.
async fn desk(base: &str, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut req = client().get(format!("{base}{path}"));
    if let Some(token) = token {
        req = req.insert_header(("Authorization", format!("Bearer {token}")));
    }
    let mut resp = req.send().await.unwrap();
    let body = resp.body().await.unwrap();
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {}", String::from_utf8_lossy(&body)));
    (resp.status(), json)
}

async fn desk_ok(base: &str, path: &str) -> Vec<Value> {
    let (status, body) = desk(base, path, Some(BOB)).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body.as_array().expect("an array").clone()
}

/// A story by two people: alice publishes it, bob and alice update it. Returns its id and the
/// three acks.
async fn story(base: &str) -> (u64, Vec<Value>) {
    let published = post_as(
        base,
        ALICE,
        json!({"type":"news.publish","headline":"Draft","tags":["epl"],"breaking":true}),
    )
    .await;
    let id = published["news_id"].as_u64().unwrap();
    let second = post_as(
        base,
        BOB,
        json!({"type":"news.update","news_id":id,"headline":"Second draft"}),
    )
    .await;
    let third = post_as(
        base,
        ALICE,
        json!({"type":"news.update","news_id":id,"body":"Now with a body","breaking":false}),
    )
    .await;
    (id, vec![published, second, third])
}

/// What the audit and the history must say after [`story`] (and nothing more by people).
async fn check_story(base: &str, stream: &str, id: u64, acks: &[Value]) {
    // Newest first, people only: exactly the three changes.
    let entries = desk_ok(base, "/api/admin/audit").await;
    assert!(
        entries
            .iter()
            .all(|e| e["by"] == "alice" || e["by"] == "bob"),
        "{entries:?}"
    );
    let seqs: Vec<u64> = acks
        .iter()
        .rev()
        .map(|a| a["seq"].as_u64().unwrap())
        .collect();
    let got: Vec<u64> = entries
        .iter()
        .take(3)
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(got, seqs);
    let mut newest = entries[0].clone();
    assert!(newest["at"].as_str().unwrap().starts_with("20"), "{newest}");
    newest.as_object_mut().unwrap().remove("at");
    assert_eq!(
        newest,
        json!({"seq":seqs[0],"id":format!("{stream}.{}", seqs[0]),"by":"alice","type":"news",
               "match_id":null,"news_id":id,"summary":"updated (v3): Second draft"})
    );
    assert_eq!(entries[1]["by"], "bob");
    assert_eq!(entries[2]["summary"], "published: Draft");

    // Paging: one at a time with `before`, the same entries.
    let first = desk_ok(base, "/api/admin/audit?limit=1").await;
    assert_eq!(first, entries[..1]);
    let next = desk_ok(
        base,
        &format!("/api/admin/audit?limit=2&before={}", seqs[0]),
    )
    .await;
    assert_eq!(next, entries[1..3]);

    // The story's three versions, oldest first.
    let history = desk_ok(base, &format!("/api/admin/news/{id}/history")).await;
    let versions: Vec<(u64, &str, &str)> = history
        .iter()
        .map(|h| {
            assert_eq!(h["type"], "news");
            (
                h["news"]["version"].as_u64().unwrap(),
                h["by"].as_str().unwrap(),
                h["news"]["headline"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        versions,
        [
            (1, "alice", "Draft"),
            (2, "bob", "Second draft"),
            (3, "alice", "Second draft")
        ]
    );
    assert_eq!(history[0]["news"]["breaking"], true);
    assert!(history[2]["news"].get("breaking").is_none());
    assert_eq!(history[2]["seq"], seqs[0]);
}

/// Retract the story: its history ends with the retraction, the item as it stood.
async fn check_retraction(base: &str, id: u64) {
    let ack = post_as(base, BOB, json!({"type":"news.retract","news_id":id})).await;
    let history = desk_ok(base, &format!("/api/admin/news/{id}/history")).await;
    assert_eq!(history.len(), 4, "{history:?}");
    let last = &history[3];
    assert_eq!(last["type"], "news_retracted");
    assert_eq!(last["by"], "bob");
    assert_eq!(last["seq"], ack["seq"]);
    assert_eq!(last["news"]["version"], 3);
    let audit = desk_ok(base, "/api/admin/audit?limit=1").await;
    assert_eq!(audit[0]["type"], "news_retracted");
    assert_eq!(audit[0]["summary"], format!("retracted news {id}"));
}

#[actix_rt::test]
async fn the_audit_and_a_story_history_come_from_the_memory_log() {
    let server = TestServer::start(|c| {
        with_admins(c);
        c.no_generator = false;
        c.seed = Some(7);
        c.speed = 1200.0;
    });
    let base = server.url("");
    let base = base.trim_end_matches('/');
    let (id, acks) = story(base).await;
    // The generator's events are there with all=true, and only then.
    eventually(
        "a generator event in the audit",
        Duration::from_secs(30),
        || async {
            desk_ok(base, "/api/admin/audit?all=true&limit=200")
                .await
                .iter()
                .any(|e| e["by"] == "generator")
        },
    )
    .await;
    check_story(base, &server.stream, id, &acks).await;
    check_retraction(base, id).await;
}

#[actix_rt::test]
async fn the_desk_reads_need_a_token_and_good_parameters() {
    let server = TestServer::start(with_admins);
    let base = server.url("");
    let base = base.trim_end_matches('/');
    for path in ["/api/admin/audit", "/api/admin/news/1/history"] {
        for token in [None, Some("not-a-token-at-all")] {
            let (status, body) = desk(base, path, token).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
            assert_eq!(body["error"]["code"], "unauthorized");
        }
    }
    let response = client()
        .get(format!("{base}/api/admin/audit"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers().get("www-authenticate").unwrap(),
        "Bearer"
    );
    for (query, message) in [
        ("limit=0", "limit: `0` is not a number from 1 to 200"),
        ("limit=201", "limit: `201` is not a number from 1 to 200"),
        ("limit=ten", "limit: `ten` is not a number from 1 to 200"),
        (
            "before=x",
            "before: `x` is not a seq (a whole number from 1)",
        ),
        (
            "before=0",
            "before: `0` is not a seq (a whole number from 1)",
        ),
        ("all=yes", "all: `yes` is not true or false"),
    ] {
        let (status, body) = desk(base, &format!("/api/admin/audit?{query}"), Some(ALICE)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["message"], message);
    }
    let (status, body) = desk(base, "/api/admin/news/9999/history", Some(ALICE)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["message"], "news item 9999 does not exist");
    let (status, _) = desk(base, "/api/admin/news/abc/history", Some(ALICE)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A seeded item exists but has no logged versions.
    assert_eq!(
        desk_ok(base, "/api/admin/news/1/history").await,
        Vec::<Value>::new()
    );
    // No one has changed anything yet.
    assert_eq!(desk_ok(base, "/api/admin/audit").await, Vec::<Value>::new());
}

#[actix_rt::test]
async fn the_audit_survives_a_restart_with_the_sqlite_store() {
    let dir = tempfile::tempdir().unwrap();
    let p = Proc::start(dir.path(), &["--seed", "7", "--speed", "1200"]);
    let health: Value = get_json(&p.url("/healthz")).await;
    let stream = health["stream"].as_str().unwrap().to_owned();
    let (id, acks) = story(&p.base).await;
    eventually(
        "a generator event in the audit",
        Duration::from_secs(30),
        || async {
            desk_ok(&p.base, "/api/admin/audit?all=true&limit=200")
                .await
                .iter()
                .any(|e| e["by"] == "generator")
        },
    )
    .await;
    check_story(&p.base, &stream, id, &acks).await;
    let before = desk_ok(&p.base, "/api/admin/audit?limit=200").await;
    p.stop();

    let p = Proc::start(dir.path(), &["--no-generator"]);
    assert_eq!(desk_ok(&p.base, "/api/admin/audit?limit=200").await, before);
    check_story(&p.base, &stream, id, &acks).await;
    check_retraction(&p.base, id).await;
}

#[actix_rt::test]
async fn the_audit_and_history_work_on_postgresql() {
    let pg = postgres::shared();
    let url = pg.fresh_database().await;
    let node = postgres::cluster_node(&url);
    let base = node.url("");
    let base = base.trim_end_matches('/');
    let (id, acks) = story(base).await;
    check_story(base, &node.stream, id, &acks).await;
    check_retraction(base, id).await;
    let (status, _) = desk(base, "/api/admin/news/9999/history", Some(ALICE)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[actix_rt::test]
async fn story_histories_read_from_a_large_memory_log_do_not_copy_the_log_per_reader() {
    let dir = tempfile::tempdir().unwrap();
    let server = Proc::start(
        dir.path(),
        &[
            "--in-memory",
            "--no-generator",
            "--admin-rate",
            "100000",
            "--admin-burst",
            "100000",
        ],
    );
    let base = server.url("");
    // 800 long stories: a memory log of about 25 MB of news events.
    let body = "€".repeat(10_000);
    for i in 0..800 {
        post_as(
            &base,
            ALICE,
            json!({"type":"news.publish","headline":format!("Long read {i}"),"body":body}),
        )
        .await;
    }
    let (id, _) = story(&base).await;
    let path = format!("/api/admin/news/{id}/history");
    assert_eq!(desk_ok(&base, &path).await.len(), 3);
    let before = common::process::rss_mib(server.child.id());
    let readers = (0..8).map(|_| desk_ok(&base, &path));
    for history in futures_util::future::join_all(readers).await {
        assert_eq!(history.len(), 3);
    }
    let grown = common::process::rss_mib(server.child.id()) - before;
    // Copying and decoding the whole log for each reader grew it by some 50 MB a reader.
    assert!(
        grown < 64.0,
        "8 history readers grew the server by {grown:.0} MiB"
    );
}
