//! `loadgen tables`: what the sports tables cost the server while fans read them. A release
//! server in memory plays at `--speed` (so every few hundred milliseconds an event makes the hub
//! compute the tables again); `--clients` connections ask one route as fast as they are answered
//! for `--secs` seconds, route after route: the league table, a team page, and the snapshot for
//! comparison. Prints requests per second and latency per route, and the table's rate against
//! the snapshot's, measured in the same run.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Args;

use crate::servers::{self, Store};

#[derive(Args)]
pub struct TablesArgs {
    /// The livescore binary to run.
    #[arg(long, default_value = "target/release/livescore")]
    pub bin: PathBuf,
    /// Connections asking at once.
    #[arg(long, default_value_t = 32)]
    pub clients: usize,
    /// Seconds per route.
    #[arg(long, default_value_t = 5)]
    pub secs: u64,
    /// The generator's speed while fans read.
    #[arg(long, default_value_t = 600.0)]
    pub speed: f64,
}

/// One route's figures.
struct Reading {
    route: &'static str,
    per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    bytes: usize,
}

pub async fn run(args: TablesArgs) -> anyhow::Result<()> {
    let speed = args.speed.to_string();
    let server = servers::livescore_playing(
        &args.bin,
        Store::Memory,
        &["--speed", &speed, "--seed", "7"],
    )
    .await?;
    let server = Arc::new(server);
    // Let the generator play a little first, so the tables have results to rank.
    tokio::time::sleep(Duration::from_secs(3)).await;
    eprintln!(
        "tables: {} connections, {} s per route, generator at {}x",
        args.clients, args.secs, args.speed
    );
    let mut readings = Vec::new();
    for route in [
        "/api/standings?league=epl",
        "/api/teams/ARS",
        "/api/snapshot",
    ] {
        readings.push(hammer(&server, route, args.clients, args.secs).await?);
    }
    if let Ok(server) = Arc::try_unwrap(server) {
        server.stop().await;
    }
    println!("| route | answers/s | p50 | p99 | body |");
    println!("|---|---:|---:|---:|---:|");
    for r in &readings {
        println!(
            "| `{}` | {:.0} | {:.2} ms | {:.2} ms | {:.1} KB |",
            r.route,
            r.per_sec,
            r.p50_ms,
            r.p99_ms,
            r.bytes as f64 / 1024.0
        );
    }
    let snapshot = readings[2].per_sec.max(1.0);
    println!(
        "\nThe league table answered {:.1}x as many requests per second as the snapshot, the team \
         page {:.1}x (same run, same connections).",
        readings[0].per_sec / snapshot,
        readings[1].per_sec / snapshot
    );
    Ok(())
}

/// `clients` loops asking `route` for `secs` seconds.
async fn hammer(
    server: &Arc<servers::Server>,
    route: &'static str,
    clients: usize,
    secs: u64,
) -> anyhow::Result<Reading> {
    let bytes = server.get(route).await?.len();
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let server = server.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut took = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let asked = Instant::now();
                    server.get(route).await?;
                    took.push(asked.elapsed());
                }
                anyhow::Ok(took)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    Ok(Reading {
        route,
        per_sec: all.len() as f64 / elapsed,
        p50_ms: at(0.5).as_secs_f64() * 1000.0,
        p99_ms: at(0.99).as_secs_f64() * 1000.0,
        bytes,
    })
}
