//! `loadgen hostile`: what clients that never read cost the server (the hardening figures of
//! docs/benchmarks.md).
//!
//! Two attacks on a release server with a durable store, each on a fresh server:
//! - **Non-reading resumers**: the store is filled with news, then many connections ask
//!   `GET /events` with `Last-Event-ID: <stream>.1` (a replay of the whole store) and never read.
//! - **Stalled admins**: authenticated admin WebSockets that never read while another admin
//!   floods large edits, so the hub has frames for them all the time. The edits rewrite one news
//!   item and the event log is small, so the feed's own memory stays flat and what grows is what
//!   the server holds for the sessions (new items would grow the feed by ~55 KB per 8 KB item:
//!   the item, its event, JSON and SSE frame in the log, and the periodic snapshots).
//!
//! For each: the server's RSS before, at its peak and at the end (from `/proc`), and whether
//! `/healthz` still answers during the attack.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

use crate::admin;
use crate::procfs;
use crate::servers::{self, Server, Store, TOKEN};

#[derive(Args)]
pub struct HostileArgs {
    /// The livescore binary to attack.
    #[arg(long, default_value = "target/release/livescore")]
    pub bin: PathBuf,
    /// News items in the store before the resumers connect.
    #[arg(long, default_value_t = 20_000)]
    pub events: usize,
    /// Characters in each news item's body.
    #[arg(long, default_value_t = 2_000)]
    pub body_chars: usize,
    /// Connections resuming from the first event and never reading.
    #[arg(long, default_value_t = 1_000)]
    pub resumers: usize,
    /// Admin WebSockets that authenticate and never read.
    #[arg(long, default_value_t = 100)]
    pub stalled_admins: usize,
    /// Seconds the edits flow past the stalled admins.
    #[arg(long, default_value_t = 20)]
    pub flood_secs: u64,
    /// The server's `--admin-buffer-bytes` during the stalled-admins attack.
    #[arg(long, default_value_t = 1 << 20)]
    pub admin_buffer_bytes: usize,
    /// Where the store lives during the run.
    #[arg(long, default_value = "target/bench/hostile-store")]
    pub dir: PathBuf,
}

/// What one attack cost.
#[derive(Debug, Serialize)]
pub struct Attack {
    pub label: String,
    pub clients: usize,
    pub rss_before_mb: f64,
    pub rss_peak_mb: f64,
    pub rss_after_mb: f64,
    /// Slowest `/healthz` answer during the attack, in ms (`None`: it stopped answering).
    pub healthz_max_ms: Option<f64>,
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

pub async fn run(args: HostileArgs) -> anyhow::Result<Vec<Attack>> {
    anyhow::ensure!(
        args.bin.exists(),
        "{} not found: build it with `cargo build --release`",
        args.bin.display()
    );
    let mut attacks = Vec::new();
    attacks.push(resumers(&args).await?);
    attacks.push(stalled_admins(&args).await?);
    println!("\n{}", table(&attacks));
    Ok(attacks)
}

/// The Markdown table of the attacks.
pub fn table(attacks: &[Attack]) -> String {
    let mut out = String::from(
        "| attack | clients | RSS before | RSS peak | RSS after | slowest /healthz |\n\
         |---|---:|---:|---:|---:|---:|\n",
    );
    for a in attacks {
        let health = a
            .healthz_max_ms
            .map_or("no answer".to_owned(), |ms| format!("{ms:.1} ms"));
        out.push_str(&format!(
            "| {} | {} | {:.1} MB | {:.1} MB | {:.1} MB | {} |\n",
            a.label, a.clients, a.rss_before_mb, a.rss_peak_mb, a.rss_after_mb, health
        ));
    }
    out
}

async fn fresh_server(args: &HostileArgs, extra: &[&str]) -> anyhow::Result<Server> {
    let _ = std::fs::remove_dir_all(&args.dir);
    std::fs::create_dir_all(&args.dir)?;
    servers::livescore(&args.bin, 60_000, Store::Sqlite(&args.dir), extra).await
}

async fn get(server: &Server, path: &str) -> anyhow::Result<String> {
    server.get(path).await
}

/// Watch RSS and `/healthz` for `period`, returning (peak RSS, slowest health answer).
async fn watch(server: &Server, period: Duration) -> (u64, Option<f64>) {
    let (mut peak, mut slowest) = (0u64, Some(0.0f64));
    let until = Instant::now() + period;
    while Instant::now() < until {
        peak = peak.max(procfs::read(&[server.pid]).rss);
        let asked = Instant::now();
        let answered = tokio::time::timeout(Duration::from_secs(5), get(server, "/healthz")).await;
        slowest = match (slowest, answered) {
            (Some(s), Ok(Ok(_))) => Some(s.max(asked.elapsed().as_secs_f64() * 1000.0)),
            _ => None,
        };
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    (peak, slowest)
}

async fn resumers(args: &HostileArgs) -> anyhow::Result<Attack> {
    let server = fresh_server(args, &["--log-capacity", "1000"]).await?;
    let ws = format!("{}/ws/admin", server.url.replacen("http", "ws", 1));
    eprintln!("filling the store with {} news items...", args.events);
    let mut socket = admin::connect(&ws, TOKEN).await?;
    let body = "x".repeat(args.body_chars);
    let mut in_flight = 0usize;
    for n in 0..args.events {
        let command = serde_json::json!({
            "type": "news.publish", "id": format!("n{n}"),
            "headline": format!("Filler {n}"), "body": body, "tags": ["epl"],
        });
        socket.send(Message::text(command.to_string())).await?;
        in_flight += 1;
        while in_flight >= 256 || (n + 1 == args.events && in_flight > 0) {
            if let Message::Text(text) = socket.next().await.context("closed")?? {
                if text.contains("\"type\":\"ack\"") {
                    in_flight -= 1;
                } else if text.contains("\"type\":\"error\"") {
                    anyhow::bail!("the fill was refused: {text}");
                }
            }
        }
    }
    drop(socket);
    let health: serde_json::Value = serde_json::from_str(&get(&server, "/healthz").await?)?;
    let stream = health["stream"]
        .as_str()
        .context("stream in /healthz")?
        .to_owned();
    let before = procfs::read(&[server.pid]).rss;
    eprintln!(
        "{} connections resuming from {stream}.1 without reading...",
        args.resumers
    );
    let addr = server.url.trim_start_matches("http://").to_owned();
    let mut held = Vec::with_capacity(args.resumers);
    for _ in 0..args.resumers {
        let mut socket = TcpStream::connect(&addr).await?;
        let request =
            format!("GET /events HTTP/1.1\r\nHost: {addr}\r\nLast-Event-ID: {stream}.1\r\n\r\n");
        socket.write_all(request.as_bytes()).await?;
        held.push(socket);
    }
    let (peak, slowest) = watch(&server, Duration::from_secs(10)).await;
    let after = procfs::read(&[server.pid]).rss;
    drop(held);
    server.stop().await;
    Ok(Attack {
        label: format!(
            "non-reading resumers ({} events of ~{} B behind)",
            args.events,
            args.body_chars + 150
        ),
        clients: args.resumers,
        rss_before_mb: mb(before),
        rss_peak_mb: mb(peak.max(after)),
        rss_after_mb: mb(after),
        healthz_max_ms: slowest,
    })
}

async fn stalled_admins(args: &HostileArgs) -> anyhow::Result<Attack> {
    let buffer = args.admin_buffer_bytes.to_string();
    let flags = ["--log-capacity", "1000", "--admin-buffer-bytes", &buffer];
    let server = fresh_server(args, &flags).await?;
    let ws = format!("{}/ws/admin", server.url.replacen("http", "ws", 1));
    let mut editor = admin::connect(&ws, TOKEN).await?;
    let publish = serde_json::json!({
        "type": "news.publish", "id": "p", "headline": "Edited", "tags": ["epl"],
    });
    editor.send(Message::text(publish.to_string())).await?;
    let news_id = admin::reply(&mut editor, Some("p")).await?["news_id"]
        .as_u64()
        .context("news.publish is acked with a news_id")?;
    let before = procfs::read(&[server.pid]).rss;
    eprintln!(
        "{} admin sessions that never read, edits flowing for {} s...",
        args.stalled_admins, args.flood_secs
    );
    let mut stalled = Vec::with_capacity(args.stalled_admins);
    for _ in 0..args.stalled_admins {
        // Authenticated, then never polled again: nothing is read from the socket.
        stalled.push(admin::connect(&ws, TOKEN).await?);
    }
    let body = "y".repeat(8_000);
    let flood = async {
        let started = Instant::now();
        let mut n = 0usize;
        while started.elapsed() < Duration::from_secs(args.flood_secs) {
            let id = format!("e{n}");
            let command = serde_json::json!({
                "type": "news.update", "id": id, "news_id": news_id,
                "headline": format!("Edit {n}"), "body": body,
            });
            editor.send(Message::text(command.to_string())).await?;
            admin::reply(&mut editor, Some(&id)).await?;
            n += 1;
        }
        anyhow::Ok(n)
    };
    let (edits, (peak, slowest)) =
        tokio::join!(flood, watch(&server, Duration::from_secs(args.flood_secs)));
    let edits = edits?;
    let after = procfs::read(&[server.pid]).rss;
    let metrics = get(&server, "/metrics").await.unwrap_or_default();
    let dropped = metrics
        .lines()
        .find_map(|l| l.strip_prefix("livescore_admins_dropped_slow_total "))
        .unwrap_or("?")
        .to_owned();
    eprintln!("{edits} edits of 8 KB; stalled sessions closed as too slow: {dropped}");
    drop(stalled);
    server.stop().await;
    Ok(Attack {
        label: format!(
            "stalled admins ({edits} edits of 8 KB in {} s)",
            args.flood_secs
        ),
        clients: args.stalled_admins,
        rss_before_mb: mb(before),
        rss_peak_mb: mb(peak.max(after)),
        rss_after_mb: mb(after),
        healthz_max_ms: slowest,
    })
}
