//! Replay amplification: clients that resume from the first stored event and never read must not
//! make the server hold their replays. Measured on the real binary, from `/proc`.

mod common;

use std::time::Duration;

use common::process::Proc;
use common::*;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Resident memory of `pid`, in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kib * 1024
}

async fn metric_of(p: &Proc, name: &str) -> f64 {
    let (_, body) = get(&p.url("/metrics")).await;
    String::from_utf8_lossy(&body)
        .lines()
        .find_map(|l| l.strip_prefix(&format!("livescore_{name} ")))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

const ITEMS: usize = 2_000;
const RESUMERS: usize = 30;

#[actix_rt::test]
async fn resumers_that_never_read_cost_a_page_each_not_their_whole_replay() {
    let dir = tempfile::tempdir().unwrap();
    let p = Proc::start(
        dir.path(),
        &[
            "--no-generator",
            "--log-capacity",
            "100",
            "--admin-rate",
            "1000000",
            "--admin-burst",
            "1000000",
        ],
    );
    // 2 000 items of 10 000 characters: a 20 MB replay for each resumer.
    let body = "x".repeat(10_000);
    for chunk in (0..ITEMS).collect::<Vec<_>>().chunks(16) {
        let posts = chunk.iter().map(|n| {
            let command = json!({"type": "news.publish", "headline": format!("Item {n}"), "body": body, "tags": ["epl"]});
            client()
                .post(p.url("/api/admin/commands"))
                .insert_header(("Authorization", format!("Bearer {ALICE}")))
                .send_json(&command)
        });
        for resp in futures_util::future::join_all(posts).await {
            assert_eq!(resp.unwrap().status(), 200);
        }
    }
    let health: Value = get_json(&p.url("/healthz")).await;
    let stream = health["stream"].as_str().unwrap().to_owned();
    let before = rss(p.child.id());

    let addr = p.base.trim_start_matches("http://").to_owned();
    let mut held = Vec::new();
    for _ in 0..RESUMERS {
        let mut socket = TcpStream::connect(&addr).await.unwrap();
        let request =
            format!("GET /events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: {stream}.1\r\n\r\n");
        socket.write_all(request.as_bytes()).await.unwrap();
        held.push(socket);
    }
    // Every resumer has started its replay, and the replays have stopped where the sockets
    // stopped taking bytes: the page count no longer moves.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut last = -1.0;
    loop {
        let pages = metric_of(&p, "store_replay_pages_total").await;
        if pages >= RESUMERS as f64 && pages == last {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the replays did not settle: {pages} pages read"
        );
        last = pages;
        actix_rt::time::sleep(Duration::from_millis(500)).await;
    }
    let grown = rss(p.child.id()).saturating_sub(before);
    eprintln!(
        "{RESUMERS} stalled resumers: RSS {} MB -> +{} MB",
        before >> 20,
        grown >> 20
    );
    let (status, _) = get(&p.url("/healthz")).await;
    assert_eq!(status, 200, "the server still answers");
    // Before paging, each resumer's whole replay (about 40 MB as JSON and SSE) was read into
    // memory: 30 of them took over a gigabyte. A page each is well under this bound.
    assert!(
        grown < 200 << 20,
        "{RESUMERS} stalled resumers grew the server by {} MB",
        grown >> 20
    );

    // The long-poll equivalent answers one bounded page and says more is waiting.
    let url = p.url(&format!("/api/events?since={stream}.1&wait=0"));
    let mut resp = client().get(url).send().await.unwrap();
    assert_eq!(resp.headers().get("livescore-more").unwrap(), "true");
    let page = resp.body().limit(8 << 20).await.unwrap();
    assert!(
        page.len() < 2 << 20,
        "a long-poll page of {} bytes",
        page.len()
    );
    drop(held);
}
