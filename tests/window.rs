//! The live window bounds the state: with the generator at its top speed for simulated weeks,
//! the snapshot every viewer downloads stays the size of the window, not of the run.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// The largest snapshot the default window may need (yesterday, today and tomorrow of the four
/// leagues' fixtures with their timelines, 50 news items, leagues and teams); docs/benchmarks.md
/// gives the measured sizes.
const SNAPSHOT_BOUND: usize = 256 * 1024;
/// Simulated days the test plays (15 to 20 real seconds each at top speed here).
const DAYS: usize = 4;

#[actix_web::test]
async fn at_top_speed_for_simulated_days_the_snapshot_stays_within_the_window() {
    let server = TestServer::start(|c| {
        c.no_generator = false;
        c.seed = Some(7);
        c.speed = 3600.0;
        c.live_news = 50;
    });
    let started = Instant::now();
    let mut days: Vec<(String, usize, usize, usize)> = Vec::new();
    while days.len() < DAYS {
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "the feed should pass {DAYS} simulated days: {days:?}"
        );
        let (_, body) = get(&server.url("/api/snapshot")).await;
        let snapshot: Value = serde_json::from_slice(&body).unwrap();
        let today = snapshot["calendar"]["today"].as_str().unwrap().to_owned();
        if days.last().is_none_or(|(day, ..)| *day != today) {
            let count = |key: &str| snapshot[key].as_array().unwrap().len();
            days.push((today, body.len(), count("matches"), count("news")));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // After the first days, when the window has filled, nothing grows with the run.
    let settled = &days[2..];
    for (day, bytes, matches, news) in settled {
        assert!(
            *bytes <= SNAPSHOT_BOUND,
            "{day}: a {bytes}-byte snapshot passes the window's bound: {days:?}"
        );
        assert!(*news <= 50, "{day}: {news} news items live");
        // Three days of fixtures (at most ~15 a day for four leagues) and what is still live.
        assert!(*matches <= 60, "{day}: {matches} matches live: {days:?}");
    }
    let first = settled.iter().map(|d| d.1).max().unwrap();
    let (day, last, ..) = days.last().unwrap();
    println!("snapshot sizes by simulated day: {days:?}");
    assert!(
        *last <= first * 2,
        "{day}: the snapshot grew from {first} to {last} bytes"
    );
}
