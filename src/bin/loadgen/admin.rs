//! The admin benchmark: command round trips over one WebSocket (`/ws/admin`), sent one at a time
//! (latency) and pipelined (the highest sustained rate of acknowledged commands).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio_tungstenite::tungstenite::Message;

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Commands kept in flight for the throughput figure: enough to saturate the server in memory
/// and durable alike (measured: in memory 111k/s at 64, 199k/s at 256, 207k/s at 1 024).
pub const WINDOW: usize = 1024;

/// Round-trip figures.
#[derive(Debug, Default, Clone, Serialize)]
pub struct AdminReport {
    pub commands: usize,
    pub median_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
    /// Round trips at a paced 1 000 commands/s.
    pub paced_median_us: f64,
    pub paced_p99_us: f64,
    /// Acknowledged commands per second with `window` commands in flight.
    pub max_commands_per_sec: f64,
    pub window: usize,
}

pub async fn connect(url: &str, token: &str) -> anyhow::Result<Socket> {
    let (mut socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .context("admin WebSocket")?;
    socket
        .send(Message::text(
            serde_json::json!({"type":"auth","token":token}).to_string(),
        ))
        .await?;
    reply(&mut socket, None).await?;
    Ok(socket)
}

/// The next `ready` (id `None`) or the ack/error with this id; other frames are skipped.
pub async fn reply(socket: &mut Socket, id: Option<&str>) -> anyhow::Result<serde_json::Value> {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .context("no reply within 10 s")?
            .context("closed")??;
        if let Message::Text(text) = message {
            let v: serde_json::Value = serde_json::from_str(&text)?;
            let wanted = match id {
                None => v["type"] == "ready",
                Some(id) => v["id"] == id && (v["type"] == "ack" || v["type"] == "error"),
            };
            if wanted {
                return Ok(v);
            }
        }
    }
}

fn score(n: usize, id: &str) -> Message {
    let n = n + 1;
    Message::text(format!(
        r#"{{"type":"score.set","id":"{id}","match_id":1,"home":{},"away":{}}}"#,
        n % 999,
        n / 999 % 999
    ))
}

async fn round_trip(socket: &mut Socket, n: usize) -> anyhow::Result<Duration> {
    let id = format!("c{n}");
    let started = Instant::now();
    socket.send(score(n, &id)).await?;
    let r = reply(socket, Some(&id)).await?;
    if r["type"] != "ack" {
        bail!("command refused: {r}");
    }
    Ok(started.elapsed())
}

fn micros(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e6
}

/// Measure against `url` (`ws://host/ws/admin`) with a token whose rate limit is out of reach:
/// `commands` round trips one at a time, as many paced at 1 000/s, then 3 s with `window`
/// commands in flight.
pub async fn run(
    url: &str,
    token: &str,
    commands: usize,
    window: usize,
) -> anyhow::Result<AdminReport> {
    let mut socket = connect(url, token).await?;
    socket
        .send(Message::text(
            r#"{"type":"match.status","id":"go","match_id":1,"status":"live"}"#,
        ))
        .await?;
    reply(&mut socket, Some("go")).await?;

    let mut times = Vec::with_capacity(commands);
    for n in 0..commands {
        times.push(round_trip(&mut socket, n).await?);
    }
    times.sort();
    let mut paced = Vec::with_capacity(commands);
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    for n in commands..2 * commands {
        tick.tick().await;
        paced.push(round_trip(&mut socket, n).await?);
    }
    paced.sort();

    // Throughput: keep a window of commands in flight for a few seconds.
    let started = Instant::now();
    let mut sent_at: HashMap<String, Instant> = HashMap::new();
    let (mut next, mut acked) = (2 * commands, 0usize);
    while started.elapsed() < Duration::from_secs(3) || !sent_at.is_empty() {
        while sent_at.len() < window && started.elapsed() < Duration::from_secs(3) {
            let id = format!("c{next}");
            socket.send(score(next, &id)).await?;
            sent_at.insert(id, Instant::now());
            next += 1;
        }
        let message = socket.next().await.context("closed")??;
        if let Message::Text(text) = message {
            let v: serde_json::Value = serde_json::from_str(&text)?;
            if let Some(id) = v["id"].as_str()
                && sent_at.remove(id).is_some()
                && v["type"] == "ack"
            {
                acked += 1;
            }
        }
    }
    Ok(AdminReport {
        commands,
        median_us: micros(&times, 0.5),
        p99_us: micros(&times, 0.99),
        max_us: micros(&times, 1.0),
        paced_median_us: micros(&paced, 0.5),
        paced_p99_us: micros(&paced, 0.99),
        max_commands_per_sec: acked as f64 / started.elapsed().as_secs_f64(),
        window,
    })
}
