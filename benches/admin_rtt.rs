//! Admin command round trip over one WebSocket, against a release build: the time from sending a
//! command to receiving its `ack`, over 10 000 commands sent back to back, then paced at
//! 1 000 commands/s. Every command changes a live match's score, so each is a real commit with
//! its event fanned out (to this admin too, whose `event` frames are read and skipped).
//! Run with `make bench-admin`; `COMMANDS` (10000) may be set in the environment.

use std::time::{Duration, Instant};

use awc::ws;
use futures_util::{SinkExt, StreamExt};
use livescore::config::{Config, Secret};
use livescore::server::Background;

const TOKEN: &str = "bench-token-000001";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank]
}

fn report(label: &str, mut rtts: Vec<Duration>, elapsed: Duration) {
    rtts.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "  {label:<26} {:>6} cmds  {:>8.0} cmds/s  median {:>6.0} µs  p99 {:>6.0} µs  max {:>7.0} µs",
        rtts.len(),
        rtts.len() as f64 / elapsed.as_secs_f64(),
        us(percentile(&rtts, 0.5)),
        us(percentile(&rtts, 0.99)),
        us(*rtts.last().unwrap()),
    );
}

fn main() {
    let commands: u32 = std::env::var("COMMANDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let mut config = Config::defaults();
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.no_generator = true;
    config.admin_tokens = Some(Secret(format!("bench:{TOKEN}")));
    config.admin_rate = 1e9;
    config.admin_burst = u32::MAX;
    let server = Background::start(config).expect("server starts");
    let url = format!("ws://{}/ws/admin", server.addr);

    actix_rt::System::new().block_on(async move {
        let (_, mut conn) = awc::Client::new().ws(url).connect().await.expect("connect");
        send(&mut conn, format!(r#"{{"type":"auth","token":"{TOKEN}"}}"#)).await;
        send(
            &mut conn,
            r#"{"type":"match.status","id":"go","match_id":1,"status":"live"}"#.into(),
        )
        .await;
        assert_eq!(reply(&mut conn, "go").await["type"], "ack");

        println!("admin command round trip, one WebSocket client, release build");
        let started = Instant::now();
        let mut rtts = Vec::with_capacity(commands as usize);
        for n in 0..commands {
            rtts.push(round_trip(&mut conn, n).await);
        }
        report("back to back", rtts, started.elapsed());

        let started = Instant::now();
        let mut rtts = Vec::with_capacity(commands as usize);
        let mut tick = actix_rt::time::interval(Duration::from_millis(1));
        for n in commands..2 * commands {
            tick.tick().await;
            rtts.push(round_trip(&mut conn, n).await);
        }
        report("paced at 1 000 cmds/s", rtts, started.elapsed());
    });
}

type Conn = actix_codec::Framed<awc::BoxedSocket, ws::Codec>;

async fn send(conn: &mut Conn, text: String) {
    conn.send(ws::Message::Text(text.into())).await.unwrap();
}

/// Read until the reply to `id`, skipping events and presence.
async fn reply(conn: &mut Conn, id: &str) -> serde_json::Value {
    loop {
        match conn.next().await.expect("open").expect("frame") {
            ws::Frame::Text(text) => {
                let v: serde_json::Value = serde_json::from_slice(&text).unwrap();
                if v["id"] == id && (v["type"] == "ack" || v["type"] == "error") {
                    return v;
                }
            }
            ws::Frame::Ping(p) => conn.send(ws::Message::Pong(p)).await.unwrap(),
            _ => {}
        }
    }
}

/// Send the `n`th score change and time it until its ack.
async fn round_trip(conn: &mut Conn, n: u32) -> Duration {
    let id = format!("c{n}");
    let n = n + 1;
    let text = format!(
        r#"{{"type":"score.set","id":"{id}","match_id":1,"home":{},"away":{}}}"#,
        n % 999,
        n / 999 % 999
    );
    let start = Instant::now();
    send(conn, text).await;
    let r = reply(conn, &id).await;
    assert_eq!(r["type"], "ack", "{r}");
    start.elapsed()
}
