//! `loadgen soak`: simulated weeks at the generator's top speed, to show that the live state is
//! bounded by the calendar's window and not by uptime (the calendar figures of
//! docs/benchmarks.md).
//!
//! A release server with the SQLite store plays from a fixed seed at `--speed 3600` (the
//! generator's top speed; on the 2-core machine a simulated day takes about 20 real seconds).
//! Once per simulated day the run reads the snapshot (its size, matches and news), the Premier
//! League table (the games it counts, archived ones included, and how long it took to answer)
//! and the server's RSS from `/proc`, and prints them as a table; at the end it compares the last
//! days with the first full window.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;
use serde_json::Value;

use crate::procfs;
use crate::servers::{self, Store};

#[derive(Args)]
pub struct SoakArgs {
    /// The livescore binary to run.
    #[arg(long, default_value = "target/release/livescore")]
    pub bin: PathBuf,
    /// Simulated days to play.
    #[arg(long, default_value_t = 28)]
    pub days: u64,
    /// The generator's seed.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Where the store lives during the run (emptied first).
    #[arg(long, default_value = "target/bench/soak-store")]
    pub dir: PathBuf,
    /// Give up when the feed has not moved on a day in this many seconds.
    #[arg(long, default_value_t = 120)]
    pub day_timeout_secs: u64,
}

/// One simulated day's reading.
struct Day {
    day: String,
    seq: u64,
    snapshot_bytes: usize,
    matches: usize,
    news: usize,
    /// Games in the Premier League table (the season so far, archived days included).
    games: u64,
    /// How long `GET /api/standings?league=epl` took.
    table_ms: f64,
    rss: u64,
}

pub async fn run(args: SoakArgs) -> anyhow::Result<()> {
    let _ = std::fs::remove_dir_all(&args.dir);
    std::fs::create_dir_all(&args.dir)?;
    let seed = args.seed.to_string();
    let server = servers::livescore_playing(
        &args.bin,
        Store::Sqlite(&args.dir),
        &["--speed", "3600", "--seed", &seed, "--log-max-mb", "16"],
    )
    .await?;
    eprintln!(
        "soak: {} simulated days at --speed 3600 (seed {}), one line per day",
        args.days, args.seed
    );
    println!("| day | seq | snapshot | matches | news | EPL games | table | RSS |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let started = Instant::now();
    let mut days: Vec<Day> = Vec::new();
    let mut last_day = String::new();
    let mut moved = Instant::now();
    while (days.len() as u64) < args.days {
        let body = server.get("/api/snapshot").await?;
        let snapshot: Value = serde_json::from_str(&body).context("the snapshot is JSON")?;
        let today = snapshot["calendar"]["today"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if today != last_day {
            let count = |key: &str| snapshot[key].as_array().map_or(0, Vec::len);
            let asked = Instant::now();
            let table: Value =
                serde_json::from_str(&server.get("/api/standings?league=epl").await?)
                    .context("the table is JSON")?;
            let table_ms = asked.elapsed().as_secs_f64() * 1000.0;
            let played: u64 = table["rows"].as_array().map_or(0, |rows| {
                rows.iter().filter_map(|r| r["played"].as_u64()).sum()
            });
            let reading = Day {
                day: today.clone(),
                seq: snapshot["seq"].as_u64().unwrap_or(0),
                snapshot_bytes: body.len(),
                matches: count("matches"),
                news: count("news"),
                games: played / 2,
                table_ms,
                rss: procfs::read(&[server.pid]).rss,
            };
            println!(
                "| {} | {} | {:.1} KB | {} | {} | {} | {:.1} ms | {:.1} MB |",
                reading.day,
                reading.seq,
                reading.snapshot_bytes as f64 / 1024.0,
                reading.matches,
                reading.news,
                reading.games,
                reading.table_ms,
                reading.rss as f64 / (1 << 20) as f64
            );
            days.push(reading);
            last_day = today;
            moved = Instant::now();
        }
        anyhow::ensure!(
            moved.elapsed() < Duration::from_secs(args.day_timeout_secs),
            "the feed stayed on {last_day} for {} s",
            args.day_timeout_secs
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    server.stop().await;
    summarize(&days, started.elapsed());
    Ok(())
}

/// The first full window (day 4 on) against the last week.
fn summarize(days: &[Day], took: Duration) {
    let settled = &days[days.len().min(3)..];
    let (early, late) = settled.split_at(settled.len() / 2);
    let max = |part: &[Day], f: fn(&Day) -> f64| part.iter().map(f).fold(0.0, f64::max);
    let snapshot = |d: &Day| d.snapshot_bytes as f64 / 1024.0;
    let rss = |d: &Day| d.rss as f64 / (1 << 20) as f64;
    let table = |d: &Day| d.table_ms;
    let games = |part: &[Day]| part.last().map_or(0, |d| d.games);
    println!(
        "\n{} simulated days in {:.0} s. Largest snapshot: {:.1} KB in the first half after the \
         window filled, {:.1} KB in the second; largest RSS: {:.1} MB and {:.1} MB. The Premier \
         League table counted {} games at the end of the first half and {} at the end (archived \
         days included); slowest table answer {:.1} ms and {:.1} ms.",
        days.len(),
        took.as_secs_f64(),
        max(early, snapshot),
        max(late, snapshot),
        max(early, rss),
        max(late, rss),
        games(early),
        games(late),
        max(early, table),
        max(late, table),
    );
}
