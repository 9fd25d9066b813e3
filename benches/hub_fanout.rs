//! Quick in-repo benchmark: how many events per second the hub commits and fans out while 1 000
//! SSE viewers are connected.
//!
//! Viewers are real TCP clients reading `GET /events`; commands go straight into the hub's
//! mailbox from several concurrent senders (the admin HTTP path is measured by the load
//! generator). Rates double until the viewers can no longer keep up, then two bisection steps
//! narrow the gap; the highest rate at which every viewer received every event is the figure.
//! Run with `make bench-hub` (release build); `VIEWERS` (1000) and `SECONDS` per rate (5) may be
//! set in the environment.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use livescore::actors::hub::Execute;
use livescore::config::Config;
use livescore::feed::Command;
use livescore::ids::MatchId;
use livescore::model::MatchStatus;
use livescore::server::Background;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Count SSE frames (each ends with a blank line) on one viewer connection.
async fn viewer(addr: std::net::SocketAddr, frames: Arc<AtomicU64>, connected: Arc<AtomicU64>) {
    let mut conn = tokio::net::TcpStream::connect(addr).await.expect("connect");
    conn.write_all(b"GET /events HTTP/1.1\r\nHost: bench\r\n\r\n")
        .await
        .unwrap();
    connected.fetch_add(1, Ordering::Relaxed);
    let mut buf = vec![0u8; 64 * 1024];
    let mut last = 0u8;
    loop {
        let n = match conn.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let mut count = u64::from(last == b'\n' && buf[0] == b'\n');
        count += buf[..n].windows(2).filter(|w| w == b"\n\n").count() as u64;
        last = buf[n - 1];
        frames.fetch_add(count, Ordering::Relaxed);
    }
}

/// One stage's outcome.
struct Stage {
    rate: u64,
    committed: u64,
    secs: f64,
    delivered: u64,
    expected: u64,
    dropped: String,
}

/// Publish at `rate` events/s for `seconds` to `viewers` fresh viewers of a fresh server.
async fn stage(viewers: u64, rate: u64, seconds: u64) -> Stage {
    let mut config = Config::defaults();
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.no_generator = true;
    config.in_memory = true;
    config.heartbeat_secs = 3600;
    let server = Background::start(config).expect("server starts");
    let hub = server.hub.clone();
    let live = Command::MatchStatus {
        match_id: MatchId(1),
        status: MatchStatus::Live,
        period: None,
        minute: None,
    };
    hub.send(Execute {
        role: livescore::auth::Role::Admin,
        command: live,
        author: "bench".into(),
    })
    .await
    .unwrap()
    .unwrap();

    let frames = Arc::new(AtomicU64::new(0));
    let connected = Arc::new(AtomicU64::new(0));
    for _ in 0..viewers {
        tokio::spawn(viewer(server.addr, frames.clone(), connected.clone()));
    }
    // Every viewer has its `retry:` and snapshot frames before the clock starts.
    while frames.load(Ordering::Relaxed) < 2 * viewers {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let baseline = frames.load(Ordering::Relaxed);

    // Paced publishing: every millisecond, the commands due by then.
    let started = Instant::now();
    let total = rate * seconds;
    let mut sent = 0u64;
    let mut replies = Vec::with_capacity(total as usize);
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    while sent < total {
        tick.tick().await;
        let due = ((started.elapsed().as_secs_f64() * rate as f64) as u64).min(total);
        while sent < due {
            sent += 1;
            let command = Command::ScoreSet {
                match_id: MatchId(1),
                home: (sent % 999) as i64,
                away: (sent / 999 % 999) as i64,
                expected_version: None,
            };
            replies.push(hub.send(Execute {
                role: livescore::auth::Role::Admin,
                command,
                author: "bench".into(),
            }));
        }
    }
    let mut committed = 0;
    for reply in replies {
        if matches!(reply.await, Ok(Ok(_))) {
            committed += 1;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let expected = committed * viewers;
    let deadline = Instant::now() + Duration::from_secs(20);
    while frames.load(Ordering::Relaxed) < baseline + expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Stage {
        rate,
        committed,
        secs,
        delivered: frames.load(Ordering::Relaxed) - baseline,
        expected,
        dropped: dropped_viewers(server.addr).await,
    }
}

fn main() {
    let viewers = env("VIEWERS", 1000);
    let seconds = env("SECONDS", 5);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    println!("hub fan-out: {viewers} SSE viewers, {seconds} s per rate, release build");
    println!(
        "  {:>8}  {:>10}  {:>12}  {:>14}  dropped",
        "target/s", "events/s", "deliveries/s", "delivered"
    );
    // Double the rate until the viewers fall behind, then narrow the gap twice by bisection so the
    // figure is not off by up to a factor of two.
    let run = |rate: u64| {
        let s = rt.block_on(stage(viewers, rate, seconds));
        println!(
            "  {:>8}  {:>10.0}  {:>12.0}  {:>6}/{:<7}  {}",
            s.rate,
            s.committed as f64 / s.secs,
            s.delivered as f64 / s.secs,
            s.delivered,
            s.expected,
            s.dropped
        );
        let ok = s.delivered == s.expected && s.dropped == "0";
        ok.then(|| s.committed as f64 / s.secs)
    };
    let mut best = None;
    let mut passed = 0;
    let mut failed = None;
    for rate in [250, 500, 1000, 2000, 4000, 8000, 16000, 32000] {
        match run(rate) {
            Some(r) => (best, passed) = (Some(r), rate),
            None => {
                failed = Some(rate);
                break;
            }
        }
    }
    if let Some(mut hi) = failed.filter(|_| passed > 0) {
        for _ in 0..2 {
            let mid = (passed + hi) / 2;
            match run(mid) {
                Some(r) => (best, passed) = (Some(r), mid),
                None => hi = mid,
            }
        }
    }
    match best {
        Some(rate) => println!(
            "sustained with every viewer keeping up: {rate:.0} events/s ({:.0} deliveries/s)",
            rate * viewers as f64
        ),
        None => println!("no rate was sustained"),
    }
}

/// `livescore_viewers_dropped_slow_total` from `/metrics`, read with a bare HTTP/1.0 request.
async fn dropped_viewers(addr: std::net::SocketAddr) -> String {
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(b"GET /metrics HTTP/1.0\r\n\r\n")
        .await
        .unwrap();
    let mut text = String::new();
    conn.read_to_string(&mut text).await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("livescore_viewers_dropped_slow_total "))
        .unwrap_or("?")
        .to_owned()
}
